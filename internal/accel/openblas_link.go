//go:build openblas

package accel

// The netlib bindings declare the CBLAS functions but leave the choice of
// library to the final link; this file makes it OpenBLAS. Behind the build
// tag so that the default build needs neither cgo nor OpenBLAS.

// #cgo LDFLAGS: -lopenblas
import "C"

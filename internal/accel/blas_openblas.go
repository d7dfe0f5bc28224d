//go:build openblas

package accel

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// name of the BLAS of the openblas build.
const name = "OpenBLAS (cgo)"

// implementation returns gonum's cgo bindings to the C BLAS interface,
// linked against OpenBLAS by openblas_link.go.
func implementation() G.BLAS { return netlib.Implementation{} }

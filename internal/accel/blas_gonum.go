//go:build !openblas

package accel

import (
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// name of the BLAS of the default build.
const name = "gonum (pure Go)"

// implementation returns gonum's pure-Go BLAS, Gorgonia's own default.
func implementation() G.BLAS { return gonum.Implementation{} }

// details of the pure-Go BLAS: its name; it runs on the calling goroutine.
func details() string { return name + "; single-threaded per call" }

// singleThreaded does nothing: gonum's BLAS has no thread pool of its own
// (its large products fan out over goroutines, which the Go scheduler
// shares with the callers').
func singleThreaded() {}

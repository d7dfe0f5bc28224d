package accel

import G "gorgonia.org/gorgonia"

// Setup makes the BLAS chosen at build time (see the package documentation)
// the one used by gorgonia and gorgonia.org/tensor, and returns its Name.
// It is idempotent and safe to call from several goroutines, but it must
// run before the first graph is executed: a VM that is already running keeps
// using whichever BLAS it started with for calls already in flight.
func Setup() string {
	G.Use(implementation())
	return Name()
}

// Name returns the name of the BLAS this binary was built with, without
// changing anything: "gonum (pure Go)" or "OpenBLAS (cgo)".
func Name() string { return name }

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

// Details describes the BLAS in use for logs and benchmark output, e.g.
// "OpenBLAS (cgo); OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64;
// core Haswell; 2 threads": for OpenBLAS, the library's build configuration,
// the kernels it selected for this CPU and its thread count.
func Details() string { return details() }

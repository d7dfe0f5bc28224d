package accel

import G "gorgonia.org/gorgonia"

// Setup makes the BLAS chosen at build time (see the package documentation)
// the one used by gorgonia and gorgonia.org/tensor, and returns its Name.
// It is idempotent and safe to call from several goroutines, but it must
// run before the first graph is executed: a VM that is already running keeps
// using whichever BLAS it started with for calls already in flight.
//
// With OpenBLAS, Setup also makes every BLAS call run on the calling
// thread (openblas_set_num_threads(1)): package nn's convolution and
// linear layers split their work across goroutines themselves, one BLAS
// call per goroutine, which keeps both cores busy without OpenBLAS's
// worker threads. Those spin-wait (sched_yield) for a while after each
// call and, on a 2-core machine, took a core's share from the Go code
// between the products (im2col, batch norm, pooling): 19% of a CNN
// step's CPU time was that spinning.
func Setup() string {
	G.Use(implementation())
	singleThreaded()
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

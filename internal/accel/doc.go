// Package accel holds what makes training with Gorgonia fast: the choice
// of the BLAS that Gorgonia and its tensor package use for matrix products
// (Setup, Name), and a fused, allocation-free Adam optimiser (NewAdam).
//
// # BLAS
//
// Two builds exist:
//
//	go build ./...                  gonum's pure-Go BLAS ("gonum (pure Go)"),
//	                                builds anywhere, no C toolchain needed
//	go build -tags openblas ./...   OpenBLAS through cgo ("OpenBLAS (cgo)"),
//	                                needs a C compiler and libopenblas
//	                                (Debian/Ubuntu: scripts/setup-debian.sh)
//
// On a 2-core machine OpenBLAS trains the MLP 784-512-512-10 about 5–10×
// faster than the pure-Go BLAS in float32 (see docs/performance.md), so the
// Makefile's experiment and benchmark targets pass -tags openblas whenever
// `ldconfig -p` lists libopenblas.
//
// A program calls Setup once at start-up, before it builds a graph, and
// prints the name it returns so that every log says which path ran:
//
//	fmt.Fprintln(stderr, "BLAS:", accel.Setup())
//
// Setup makes OpenBLAS run every call on the calling thread: package nn
// splits its products across goroutines itself (one BLAS call per
// goroutine), which on 2 cores beat OpenBLAS's own threads, whose spinning
// between calls took CPU from the Go code in between.
//
// OpenBLAS versions older than the CPU may not recognise it and fall back
// to older kernels (OpenBLAS 0.3.21 of Debian 12 runs AMD Zen 5 with its
// AVX2 "Haswell" kernels); OPENBLAS_CORETYPE=SkylakeX selects the AVX-512
// kernels on CPUs that have AVX-512 (see docs/performance.md).
//
// # Adam
//
// gorgonia's AdamSolver clones every parameter tensor four times and makes
// about twelve passes over it per step: for the MLP 784-512-512-10 that is
// several milliseconds per step, more than the forward and backward pass at
// batch 128. Adam computes the same update in one pass with no allocation.
package accel

// Package accel selects the BLAS implementation that Gorgonia and its tensor
// package use for matrix products, and names it.
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
// OpenBLAS starts one thread per core unless OPENBLAS_NUM_THREADS says
// otherwise.
package accel

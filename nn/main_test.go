package nn_test

import (
	"os"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
)

// TestMain selects the BLAS as the trainer does (accel.Setup: single-
// threaded OpenBLAS with -tags openblas, gonum's otherwise) before any
// test runs, so that every test takes the layers' paths of its build
// whichever tests ran before it or were filtered out: with a cgo BLAS the
// 3×3 same convolutions take the Winograd kernels, the other same ones the
// shifted kernels.
func TestMain(m *testing.M) {
	accel.Setup()
	os.Exit(m.Run())
}

//go:build openblas

package accel_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	"gonum.org/v1/netlib/blas/netlib"
)

// The openblas build must install the cgo bindings.
const wantName = "OpenBLAS (cgo)"

var wantBLAS = netlib.Implementation{}

func ExampleSetup() {
	// Once at start-up, before building graphs; print it so every log says
	// which BLAS ran.
	fmt.Println("BLAS:", accel.Setup())
	// Output: BLAS: OpenBLAS (cgo)
}

func TestDetailsDescribeTheLoadedOpenBLAS(t *testing.T) {
	d := accel.Details()
	for _, want := range []string{"OpenBLAS", "; core ", " threads"} {
		if !strings.Contains(d, want) {
			t.Errorf("Details() = %q, want it to contain %q", d, want)
		}
	}
	t.Log(d)
}

//go:build !openblas

package accel_test

import (
	"fmt"

	"github.com/hypersimplex/hsloss/internal/accel"
	"gonum.org/v1/gonum/blas/gonum"
)

// The default build must install gonum's pure-Go BLAS.
const wantName = "gonum (pure Go)"

var wantBLAS = gonum.Implementation{}

func ExampleSetup() {
	// Once at start-up, before building graphs; print it so every log says
	// which BLAS ran.
	fmt.Println("BLAS:", accel.Setup())
	// Output: BLAS: gonum (pure Go)
}

package hypersimplex_test

import (
	"fmt"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// The defaults, and the reference code's setting (k_c = ⌊n/2⌋ for every
// class, the loss averaged over all n·C entries) checked before building a
// graph.
func ExampleDefaultLossOptions() {
	opts := hypersimplex.DefaultLossOptions()
	fmt.Printf("τ = %v, k policy %v, reduction %v\n", opts.Tau, opts.KPolicy, opts.Reduction)

	reference := hypersimplex.ReferenceLossOptions()
	fmt.Printf("reference: τ = %v, k policy %v (f = %v), reduction %v\n", reference.Tau, reference.KPolicy, reference.Fraction, reference.Reduction)
	fmt.Println(reference.Validate(10))
	// Output:
	// τ = 1.5, k policy batch, reduction batch-mean
	// reference: τ = 1.5, k policy fraction-floor (f = 0.5), reduction entry-mean
	// <nil>
}

// Invalid options are reported with the field and its value.
func ExampleLossOptions_Validate() {
	opts := hypersimplex.DefaultLossOptions()
	opts.KPolicy, opts.Prior = hypersimplex.KPrior, []float64{0.5, 0.3, 0.1}
	fmt.Println(opts.Validate(3))
	// Output:
	// hypersimplex: sum(LossOptions.Prior) = 0.9, want 1 (within 1e-06)
}

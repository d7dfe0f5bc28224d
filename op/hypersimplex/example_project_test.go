package hypersimplex_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Project the logits of a batch of four onto Δ(4, 2): "two of these four are
// positive", softly.
func ExampleProject() {
	x := []float64{2.0, 1.0, 0.5, -1.0}
	y := make([]float64, len(x))
	if err := hypersimplex.Project(y, x, 2, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("y = %.4f, sum = %.4f\n", y, y[0]+y[1]+y[2]+y[3])
	// Output:
	// y = [1.0000 0.6667 0.3333 0.0000], sum = 2.0000
}

// The backward pass: the gradient of a loss with respect to y, pulled back to
// the logits. Only the active (strictly fractional) entries get a gradient,
// centred so that it sums to zero.
func ExampleProjectVJP() {
	x := []float64{2.0, 1.0, 0.5, -1.0}
	y := make([]float64, len(x))
	if err := hypersimplex.Project(y, x, 2, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	g := []float64{1, 2, 3, 4} // ∂L/∂y
	dx := make([]float64, len(x))
	if err := hypersimplex.ProjectVJP(dx, y, g, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("dx = %.4f\n", dx)
	// Output:
	// dx = [0.0000 -0.3333 0.3333 0.0000]
}

// The hard top-k indicator; ties at the k-th place go to the lowest index.
func ExampleBinaryArgmax() {
	x := []float32{0.1, 0.9, 0.4, 0.9, 0.2}
	y := make([]float32, len(x))
	if err := hypersimplex.BinaryArgmax(y, x, 2); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(y)
	if err := hypersimplex.BinaryArgmax(y, x, 9); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [0 1 0 1 0]
	// hypersimplex: k = 9 outside [0, 5]
}

// A bad argument is an *ArgError: errors.Is tells its kind, errors.As its
// name and value.
func ExampleArgError() {
	y := make([]float64, 3)
	err := hypersimplex.Project(y, []float64{1, math.NaN(), 0}, 1, 1.5)
	var ae *hypersimplex.ArgError
	if errors.As(err, &ae) {
		fmt.Println(ae.Arg, ae.Index, ae.Value, errors.Is(err, hypersimplex.ErrNotFinite))
	}
	fmt.Println(err)
	// Output:
	// x 1 NaN true
	// hypersimplex: x[1] = NaN is not finite
}

// The entropic projection of the same logits onto Δ(4, 2): every entry is
// strictly between 0 and 1.
func ExampleProjectEntropic() {
	x := []float64{2.0, 1.0, 0.5, -1.0}
	y := make([]float64, len(x))
	if err := hypersimplex.ProjectEntropic(y, x, 2, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("y = %.4f, sum = %.4f\n", y, y[0]+y[1]+y[2]+y[3])
	// Output:
	// y = [0.7124 0.5598 0.4768 0.2511], sum = 2.0000
}

// Its backward pass is dense: every entry gets a gradient, weighted by
// y(1 − y) and centred so that it sums to zero.
func ExampleProjectEntropicVJP() {
	x := []float64{2.0, 1.0, 0.5, -1.0}
	y := make([]float64, len(x))
	if err := hypersimplex.ProjectEntropic(y, x, 2, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	g := []float64{1, 2, 3, 4} // ∂L/∂y
	dx := make([]float64, len(x))
	if err := hypersimplex.ProjectEntropicVJP(dx, y, g, 1.5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("dx = %.4f, sum = %.4f\n", dx, dx[0]+dx[1]+dx[2]+dx[3])
	// Output:
	// dx = [-0.2012 -0.0777 0.0876 0.1914], sum = 0.0000
}

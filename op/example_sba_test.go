package op_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Soft top-2 of each row of a 2 × 4 matrix, with k per row as an input node,
// and the gradient of Σ w⊙y through Grad and a TapeMachine.
func ExampleSoftBinaryArgmax() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{
			0.1, 0.9, 0.5, -0.3,
			2.0, 1.0, 0.4, 0.3,
		}))))
	k := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("k"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{2, 1}))))
	y, err := op.SoftBinaryArgmax(x, k, 0.5) // τ = 0.5
	if err != nil {
		log.Fatal(err)
	}
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{
			1, 2, 3, 4,
			5, 6, 7, 8,
		}))))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, w))))
	grads, err := G.Grad(loss, x)
	if err != nil {
		log.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("y  = %.2f\n", y.Value().Data())
	fmt.Printf("dx = %.2f\n", grads[0].Value().Data())
	// Output:
	// y  = [0.10 1.00 0.90 0.00 1.00 0.00 0.00 0.00]
	// dx = [-2.00 0.00 2.00 0.00 0.00 0.00 0.00 0.00]
}

// A bad argument is an *op.ArgError while the graph is built; errors.Is
// tells its kind.
func ExampleArgError() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(4), G.WithName("x"))
	k := G.NewScalar(g, tensor.Float32, G.WithName("k"))
	_, err := op.SoftBinaryArgmax(x, k, 1e39) // +Inf in float32
	var ae *op.ArgError
	fmt.Println(errors.As(err, &ae), ae.Arg, errors.Is(err, op.ErrTau))
	fmt.Println(err)
	// Output:
	// true tau true
	// op: SoftBinaryArgmax: tau = 1e+39 is +Inf in float32, want a finite value > 0
}

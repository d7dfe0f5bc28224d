package op_test

import (
	"fmt"
	"log"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The multiclass loss of a batch of 4 samples and 3 classes, with the
// default options (τ = 1.5, k_c = count of class c in the batch, mean over
// the batch), differentiated with Grad and a TapeMachine.
func ExampleHyperSimplexLoss() {
	g := G.NewGraph()
	logits := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float32{
			2.0, 0.5, -1.0,
			0.1, 1.5, 0.3,
			-0.5, 0.2, 1.0,
			1.2, 0.9, -0.4,
		}))))
	targets := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("targets"),
		G.WithValue(tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float32{
			1, 0, 0,
			0, 1, 0,
			0, 0, 1,
			0, 1, 0,
		}))))
	loss, err := op.HyperSimplexLoss(logits, targets, hypersimplex.DefaultLossOptions())
	if err != nil {
		log.Fatal(err)
	}
	grads, err := G.Grad(loss, logits)
	if err != nil {
		log.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss = %.4f\n", loss.Value().Data())
	fmt.Printf("grad = %.4f\n", grads[0].Value().Data())
	// Output:
	// loss = 0.0674
	// grad = [-0.0389 0.0528 0.0000 0.0000 -0.0028 0.0444 0.0000 0.0194 -0.0444 0.0389 -0.0694 0.0000]
}

// The binary loss of 6 samples under a LispMachine (which differentiates
// with the op's DoDiff): k is the number of positive labels in the batch.
func ExampleBinaryHyperSimplexLoss() {
	g := G.NewGraph()
	logits := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{1.0, -0.3, 0.6, -1.5, 0.1, 0.4}))))
	labels := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("labels"),
		G.WithValue(tensor.New(tensor.WithShape(6), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 1}))))
	loss, err := op.BinaryHyperSimplexLoss(logits, labels, hypersimplex.DefaultLossOptions())
	if err != nil {
		log.Fatal(err)
	}
	m := G.NewLispMachine(g) // build a new LispMachine for every run
	defer m.Close()
	if err := m.RunAll(); err != nil {
		log.Fatal(err)
	}
	grad, err := logits.Grad()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("loss = %.4f\n", loss.Value().Data())
	fmt.Printf("grad = %.4f\n", grad.Data())
	// Output:
	// loss = 0.0893
	// grad = [0.0000 0.0185 0.0852 0.0000 -0.0630 -0.0407]
}

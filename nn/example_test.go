package nn_test

import (
	"fmt"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A 4-feature, 3-class MLP with one hidden layer, bound into a graph with a
// batch of 2 and run once.
func ExampleNewMLP() {
	arch, err := nn.NewMLP(4, []int{8}, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	params, _ := arch.Init(tensor.Float64, 1)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]float64{1, 0, 0, 1, 0, 1, 1, 0}))))
	logits, err := arch.Forward(x, nn.Bind(g, params), true)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(arch.Name(), len(params), "params, logits shape", logits.Shape())
	// Output: mlp-4-8-3 4 params, logits shape (2, 3)
}

// The cross-entropy of a batch of two samples.
func ExampleNewHead() {
	head, err := nn.NewHead("ce", nn.DefaultHeadOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	g := G.NewGraph()
	logits := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 0, 2, 0}))))
	onehot := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("onehot"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 1, 0}))))
	loss, err := head.Loss(logits, onehot)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	// (log 2 + log(1 + e⁻²)) / 2
	fmt.Printf("%s loss %.4f\n", head.Name(), loss.Value().Data())
	_, err = nn.NewHead("softmax", nn.DefaultHeadOptions())
	fmt.Println(err)
	// Output:
	// ce loss 0.4100
	// nn: unknown head "softmax" (valid: ce, hinge, hs, mse)
}

// The predicted class of each row is its argmax; ties go to the lowest index.
func ExamplePredict() {
	logits := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{
		0.1, 2.5, -1,
		4, 4, 0,
		-3, -2, -1,
	}))
	pred := make([]int, 3)
	if err := nn.Predict(pred, logits); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pred)
	// Output: [1 0 2]
}

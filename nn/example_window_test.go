package nn_test

import (
	"fmt"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A 3×3 summing kernel over a 1×1×4×4 image (0…15) with zero padding 1,
// then 2×2 max pooling; the gradient of L = Σ pooled reaches the kernel
// through the four window maxima, y at (1, 1), (1, 2), (2, 1), (2, 2):
// ∂L/∂w[i, j] = Σ of x over the 2×2 block at (i, j).
func ExampleConv2D() {
	g := G.NewGraph()
	img := make([]float64, 16)
	for i := range img {
		img[i] = float64(i)
	}
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 4, 4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(1, 1, 4, 4), tensor.WithBacking(img))))
	ones := make([]float64, 9)
	for i := range ones {
		ones[i] = 1
	}
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 3, 3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(1, 1, 3, 3), tensor.WithBacking(ones))))
	y, err := nn.Conv2D(x, w, [2]int{1, 1}, [2]int{1, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := nn.MaxPool2D(y, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(G.Must(G.Sum(p)), w); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	dw, _ := w.Grad()
	fmt.Println("y shape", y.Shape(), "pooled", p.Value().Data())
	fmt.Println("dL/dw", dw.Data())
	// Output:
	// y shape (1, 1, 4, 4) pooled [45 54 81 90]
	// dL/dw [10 14 18 26 30 34 42 46 50]
}

// One linear layer y = x·W + b on two rows, and the gradients of
// L = Σ y: ∂L/∂W = xᵀ·1, ∂L/∂b = the number of rows.
func ExampleLinear() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6}))))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 2), G.WithName("W"),
		G.WithValue(tensor.New(tensor.WithShape(3, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1}))))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 2), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{10, 20}))))
	y, err := nn.Linear(x, w, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(G.Must(G.Sum(y)), w, b); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w, b))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	dw, _ := w.Grad()
	db, _ := b.Grad()
	fmt.Println("y =", y.Value().Data())
	fmt.Println("dL/dW =", dw.Data(), "dL/db =", db.Data())
	// Output:
	// y = [14 25 20 31]
	// dL/dW = [5 5 7 7 9 9] dL/db = [2 2]
}

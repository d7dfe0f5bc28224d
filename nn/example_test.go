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
	nodes, err := nn.Bind(g, params)
	if err != nil {
		fmt.Println(err)
		return
	}
	logits, err := arch.Forward(x, nodes, true)
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
	// nn: unknown head "softmax" (valid: brier, ce, hinge, hs, hs-offset, hs-ref, mse)
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

// Two graphs bound to the same parameters share their storage: a change made
// through one is seen by the other (this is how an evaluation graph sees
// the weights the training graph's solver updates).
func ExampleBind() {
	arch, _ := nn.NewMLP(2, nil, 2)
	params, _ := arch.Init(tensor.Float64, 1)
	train, eval := G.NewGraph(), G.NewGraph()
	trainNodes, err := nn.Bind(train, params)
	if err != nil {
		fmt.Println(err)
		return
	}
	evalNodes, _ := nn.Bind(eval, params)
	trainNodes[1].Value().Data().([]float64)[0] = 0.5 // fc0.b[0]
	fmt.Println(evalNodes[1].Name(), evalNodes[1].Value().Data())

	// A parameter without a value is an error, not a panic.
	_, err = nn.Bind(G.NewGraph(), []nn.Param{{Name: "w"}})
	fmt.Println(err)
	// Output:
	// fc0.b [0.5 0]
	// nn: Bind: parameter 0 ("w") has no value
}

// The paper's CNN for Fashion-MNIST: its parameters and the logits' shape.
func ExampleNewCNN() {
	arch, err := nn.NewCNN([3]int{1, 28, 28}, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	params, _ := arch.Init(tensor.Float32, 1)
	for _, p := range params {
		if p.Name == "conv0.W" || p.Name == "fc0.W" || p.Name == "fc1.W" {
			fmt.Println(p.Name, p.Value.Shape())
		}
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(32, 28*28), G.WithName("x"))
	nodes, _ := nn.Bind(g, params)
	logits, _ := arch.Forward(x, nodes, true)
	fmt.Println(arch.Name(), len(params), "params, logits", logits.Shape())
	// Output:
	// conv0.W (64, 1, 3, 3)
	// fc0.W (3136, 512)
	// fc1.W (512, 10)
	// cnn-1x28x28-64c-512-10 16 params, logits (32, 10)
}

// Batch norm in training mode normalises with the batch's statistics and
// accumulates running ones; a separate evaluation graph (here with batch
// size 1) normalises with the running statistics.
func ExampleBatchNorm() {
	stats, _ := nn.NewBatchNormStats(1, 0.5, 1e-5)
	vec := func(v ...float64) *tensor.Dense { return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v)) }
	run := func(x *tensor.Dense, training bool) G.Value {
		g := G.NewGraph()
		xn := G.NewMatrix(g, tensor.Float64, G.WithShape(x.Shape()...), G.WithName("x"), G.WithValue(x))
		gamma := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("gamma"), G.WithValue(vec(1)))
		beta := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("beta"), G.WithValue(vec(0)))
		y, _ := nn.BatchNorm(xn, gamma, beta, stats, training)
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		_ = vm.RunAll()
		return y.Value()
	}
	batch := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{2, 4, 6, 8}))
	fmt.Printf("training: %.3f\n", run(batch, true).Data())
	mean, variance := stats.Snapshot()
	fmt.Printf("running mean %.3f, variance %.4f\n", mean, variance)
	one := tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{5}))
	fmt.Printf("evaluation: %.4f\n", run(one, false).Data()) // (5 − 2.5)/√3.8333
	// Output:
	// training: [-1.342 -0.447 0.447 1.342]
	// running mean [2.500], variance [3.8333]
	// evaluation: [1.2769]
}

// BatchNormReLU is ReLU(BatchNorm(x)) as one op; its gradient passes mask
// by 1[z > 0] themselves: here x̂ = (x − 5)/√5 and ∂L/∂x = (g − mean g − x̂·mean(g·x̂))/√5 with g = 1[z > 0].
func ExampleBatchNormReLU() {
	stats, _ := nn.NewBatchNormStats(1, 0.1, 1e-5)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 1), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{2, 4, 6, 8}))))
	gamma := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("gamma"), G.WithInit(G.Ones()))
	beta := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("beta"), G.WithInit(G.Zeroes()))
	y, _ := nn.BatchNormReLU(x, gamma, beta, stats, true)
	loss := G.Must(G.Sum(y))
	_, _ = G.Grad(loss, x)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	_ = vm.RunAll()
	dx, _ := x.Grad()
	fmt.Printf("y %.3f\ndx %.3f\n", y.Value().Data(), dx.Data())
	// Output:
	// y [0.000 0.000 0.447 1.342]
	// dx [0.045 -0.134 0.134 -0.045]
}

// The valid head names, for flag help and error messages.
func ExampleHeadNames() {
	fmt.Println(nn.HeadNames())
	// Output: [brier ce hinge hs hs-offset hs-ref mse]
}

// The HyperSimplex head with its default options (τ = 1.5, k_c = the count
// of class c in the batch, s = ½/n) on a batch that can be checked by hand.
// Labels 0 and 1, so k = 1 for both class columns; z = X[:,c]/τ:
//
//	column 0: z = (2, 0), projection onto {p ∈ [0,1]², p₁+p₂ = 1} = (1, 0) = T[:,0]
//	column 1: z = (0, 0), projection (½, ½), T[:,1] = (0, 1): ‖p − t‖² = ½
//
// L = ¼·(0 + ½) = 0.125. Only column 1 lies inside the box: its gradient is
// (2s(p − t) − mean)/τ = (¼·(½, −½)·2 − 0)/1.5 = ±1/6; column 0 sits at a
// vertex, where the projection does not move, so its gradient is 0.
func ExampleDefaultHeadOptions() {
	head, err := nn.NewHead("hs", nn.DefaultHeadOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	g := G.NewGraph()
	logits := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{3, 0, 0, 0}))))
	onehot := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("onehot"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 0, 0, 1}))))
	loss, err := head.Loss(logits, onehot)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(loss, logits); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(logits))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	grad, _ := logits.Grad()
	fmt.Printf("%s loss %.4f\n", head.Name(), loss.Value().Data())
	fmt.Printf("gradient %.4f\n", grad.Data())
	// Output:
	// hs loss 0.1250
	// gradient [0.0000 0.1667 0.0000 -0.1667]
}

// A narrow CNN of the paper's shape for 8×8 single-channel inputs: 4
// convolution blocks of 4 channels, a hidden layer of 16 units. Its
// batch-norm running statistics start at mean 0, variance 1 and belong to
// the parameter set, whatever graph it is bound into.
func ExampleNewCNNSized() {
	arch, err := nn.NewCNNSized([3]int{1, 8, 8}, 3, 4, 16)
	if err != nil {
		fmt.Println(err)
		return
	}
	params, _ := arch.Init(tensor.Float64, 1)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(5, 64), G.WithName("x"))
	nodes, err := nn.Bind(g, params)
	if err != nil {
		fmt.Println(err)
		return
	}
	logits, err := arch.Forward(x, nodes, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	stats, _ := arch.RunningStats(nodes)
	mean, variance := stats[0].Snapshot()
	fmt.Println(arch.Name(), len(params), "params, logits", logits.Shape())
	fmt.Println(len(stats), "batch norms; the first:", mean, variance)
	// Output:
	// cnn-1x8x8-4c-16-3 16 params, logits (5, 3)
	// 4 batch norms; the first: [0 0 0 0] [1 1 1 1]
}

// ReLU of a vector and the gradient of L = Σ ReLU(x): 1 where x > 0 and 0
// elsewhere, also at x = 0 (ReLU′(0) = 0, as in PyTorch).
func ExampleReLU() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(5), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(5), tensor.WithBacking([]float64{-2, -0.5, 0, 0.5, 3}))))
	y, err := nn.ReLU(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	loss, err := G.Sum(y)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := G.Grad(loss, x); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(x))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	dx, _ := x.Grad()
	fmt.Println("y     =", y.Value().Data())
	fmt.Println("dL/dx =", dx.Data())
	// Output:
	// y     = [0 0 0 0.5 3]
	// dL/dx = [0 0 0 1 1]
}

// Statistics saved with a training run's checkpoint and restored into
// fresh ones continue where they were; a layer of another width refuses
// them.
func ExampleBatchNormStats_MarshalBinary() {
	trained, _ := nn.NewBatchNormStats(2, 0.1, 1e-5)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 10, 3, 30}))))
	ones := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))
	zeros := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))
	gamma := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("gamma"), G.WithValue(ones))
	beta := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("beta"), G.WithValue(zeros))
	_, _ = nn.BatchNorm(x, gamma, beta, trained, true)
	vm := G.NewTapeMachine(g)
	_ = vm.RunAll()
	vm.Close()

	saved, _ := trained.MarshalBinary()
	restored, _ := nn.NewBatchNormStats(2, 0.1, 1e-5)
	if err := restored.UnmarshalBinary(saved); err != nil {
		fmt.Println(err)
	}
	mean, variance := restored.Snapshot()
	fmt.Printf("mean %.2f, variance %.2f\n", mean, variance)
	other, _ := nn.NewBatchNormStats(3, 0.1, 1e-5)
	fmt.Println(other.UnmarshalBinary(saved))
	// Output:
	// mean [0.20 2.00], variance [1.10 20.90]
	// nn: batch-norm statistics: 2 means and 2 variances saved, want 3 channels
}

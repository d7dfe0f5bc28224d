package nn_test

import (
	"fmt"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchStep builds loss = CE(arch(x)) with its gradients for one batch and
// times RunAll + Reset (forward and backward, no solver step) with the
// BLAS of the build (accel.Setup: OpenBLAS under -tags openblas).
func benchStep(b *testing.B, arch nn.Architecture, dt tensor.Dtype, batch, features, classes int) {
	b.Helper()
	accel.Setup()
	ps, err := arch.Init(dt, 1)
	if err != nil {
		b.Fatal(err)
	}
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = i % classes
	}
	_, _, vm := ceGraph(b, arch, ps, dt, randomValues(batch*features, 1), labels, classes)
	defer vm.Close()
	loopMachine(b, vm)
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkCNNStep times a forward+backward pass of the paper's CNN on
// Fashion-MNIST-sized input (float32).
func BenchmarkCNNStep(b *testing.B) {
	arch, err := nn.NewCNN([3]int{1, 28, 28}, 10)
	if err != nil {
		b.Fatal(err)
	}
	for _, batch := range []int{16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchStep(b, arch, tensor.Float32, batch, 28*28, 10)
		})
	}
}

// BenchmarkBatchNormStep times forward+backward of one batch-norm layer of
// the CNN's size (batch × 64 × 14 × 14) alone.
func BenchmarkBatchNormStep(b *testing.B) {
	for _, dt := range dtypes {
		for _, batch := range []int{16, 128} {
			b.Run(fmt.Sprintf("%v/batch=%d", dt, batch), func(b *testing.B) {
				shape := tensor.Shape{batch, 64, 14, 14}
				stats, _ := nn.NewBatchNormStats(64, nn.DefaultBatchNormMomentum, nn.DefaultBatchNormEpsilon)
				g := G.NewGraph()
				x := G.NewTensor(g, dt, 4, G.WithShape(shape...), G.WithName("x"),
					G.WithValue(newDense(dt, shape, randomValues(shape.TotalSize(), 2))))
				ones := make([]float64, 64)
				for i := range ones {
					ones[i] = 1
				}
				gamma := G.NewVector(g, dt, G.WithShape(64), G.WithName("gamma"), G.WithValue(newDense(dt, tensor.Shape{64}, ones)))
				beta := G.NewVector(g, dt, G.WithShape(64), G.WithName("beta"), G.WithValue(newDense(dt, tensor.Shape{64}, make([]float64, 64))))
				y, err := nn.BatchNorm(x, gamma, beta, stats, true)
				if err != nil {
					b.Fatal(err)
				}
				sq, _ := G.Square(y)
				loss, _ := G.Sum(sq)
				if _, err := G.Grad(loss, x, gamma, beta); err != nil {
					b.Fatal(err)
				}
				vm := G.NewTapeMachine(g, G.BindDualValues(x, gamma, beta))
				defer vm.Close()
				loopMachine(b, vm)
			})
		}
	}
}

// BenchmarkReLU times forward + backward of an activation through a
// TapeMachine: L = Σ act(S ⊙ X) with X of shape rows × 512, float32
// (rows = 8192: the MLP's hidden layer at batch 8192), RunAll + Reset.
// S ⊙ X makes the activation's input an intermediate node, as in the
// models (an input node is never overwritten). act=none (L = Σ S ⊙ X)
// times the rest of the graph: the activation's own cost is the
// difference. ns/elem is per element of X.
func BenchmarkReLU(b *testing.B) {
	acts := []struct {
		name string
		f    func(*G.Node) (*G.Node, error)
	}{
		{"nn.ReLU", nn.ReLU},
		{"G.Rectify", G.Rectify},
		{"none", nil},
	}
	for _, act := range acts {
		for _, rows := range []int{1024, 8192} {
			b.Run(fmt.Sprintf("act=%s/shape=%dx512", act.name, rows), func(b *testing.B) {
				benchActivation(b, act.f, tensor.Shape{rows, 512})
			})
		}
	}
}

// benchActivation builds L = Σ act(S ⊙ X) (act nil: the identity) with
// its gradient and times RunAll + Reset.
func benchActivation(b *testing.B, act func(*G.Node) (*G.Node, error), shape tensor.Shape) {
	b.Helper()
	n := shape.TotalSize()
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(shape...), G.WithName("x"),
		G.WithValue(newDense(tensor.Float32, shape, randomValues(n, 71))))
	s := G.NewMatrix(g, tensor.Float32, G.WithShape(shape...), G.WithName("s"),
		G.WithValue(newDense(tensor.Float32, shape, randomValues(n, 72))))
	h := G.Must(G.HadamardProd(s, x))
	if act != nil {
		var err error
		if h, err = act(h); err != nil {
			b.Fatal(err)
		}
	}
	loss := G.Must(G.Sum(h))
	if _, err := G.Grad(loss, x); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(x))
	defer vm.Close()
	loopMachine(b, vm)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
}

// loopMachine times RunAll + Reset of vm (b.Loop times), with allocations.
func loopMachine(b *testing.B, vm G.VM) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
}

package op_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// benchTape compiles Grad(loss, wrt) into a TapeMachine and times RunAll +
// Reset, the per-step work of a training loop.
func benchTape(b *testing.B, g *G.ExprGraph, loss, wrt *G.Node) {
	b.Helper()
	if _, err := G.Grad(loss, wrt); err != nil {
		b.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
		m.Reset()
	}
}

// BenchmarkSoftBinaryArgmaxTape times SoftBinaryArgmax forward + backward
// through a TapeMachine (Grad of Σ y) on a float32 10 × n matrix, k = n/2,
// τ = 1.5 (the reference operator's benchmark sizes).
func BenchmarkSoftBinaryArgmaxTape(b *testing.B) {
	const rows = 10
	for _, n := range []int{128, 1024, 8192, 65536} {
		b.Run(fmt.Sprintf("10x%d", n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			g := G.NewGraph()
			x := namedInput(g, tensor.Float32, "x", gaussianFloats(rng, rows*n, 1), rows, n)
			k := namedInput(g, tensor.Float32, "k", []float64{float64(n / 2)})
			y, err := op.SoftBinaryArgmax(x, k, 1.5)
			if err != nil {
				b.Fatal(err)
			}
			benchTape(b, g, G.Must(G.Sum(y)), x)
		})
	}
}

// BenchmarkLoss times the HyperSimplex loss and Gorgonia's cross-entropy
// (log-softmax) forward + backward through a TapeMachine on a float32 batch
// of 10 classes, so that the cost ratio HS/CE shows per batch size.
func BenchmarkLoss(b *testing.B) {
	const classes = 10
	losses := []struct {
		name  string
		build func(logits, targets *G.Node) (*G.Node, error)
	}{
		{"hs", func(logits, targets *G.Node) (*G.Node, error) {
			return op.HyperSimplexLoss(logits, targets, hypersimplex.DefaultLossOptions())
		}},
		{"ce", crossEntropy},
	}
	for _, batch := range []int{128, 1024, 8192} {
		for _, l := range losses {
			b.Run(fmt.Sprintf("%s/batch=%d", l.name, batch), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(3, 4))
				onehot := make([]float64, batch*classes)
				for i := 0; i < batch; i++ {
					onehot[i*classes+rng.IntN(classes)] = 1
				}
				g := G.NewGraph()
				logits := namedInput(g, tensor.Float32, "logits", gaussianFloats(rng, batch*classes, 1), batch, classes)
				targets := namedInput(g, tensor.Float32, "targets", onehot, batch, classes)
				loss, err := l.build(logits, targets)
				if err != nil {
					b.Fatal(err)
				}
				benchTape(b, g, loss, logits)
			})
		}
	}
}

// crossEntropy is −(1/n) Σ targets ⊙ LogSoftMax(logits), the usual
// Gorgonia cross-entropy for float32 logits (n × C).
func crossEntropy(logits, targets *G.Node) (*G.Node, error) {
	lsm, err := G.LogSoftMax(logits)
	if err != nil {
		return nil, err
	}
	prod, err := G.HadamardProd(lsm, targets)
	if err != nil {
		return nil, err
	}
	sum, err := G.Sum(prod)
	if err != nil {
		return nil, err
	}
	return G.Mul(sum, G.NewConstant(float32(-1/float64(logits.Shape()[0]))))
}

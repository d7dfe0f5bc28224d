package op_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// offsetCase is a batch of n × C logits Z = Z̄ + b with the offsets b as a
// separate input, as an output layer's bias enters the logits.
type offsetCase struct {
	dt         tensor.Dtype
	n, classes int
	zbar, b, t []float64
}

func newOffsetCase(dt tensor.Dtype, n, classes int, seed uint64) offsetCase {
	rng := rand.New(rand.NewPCG(seed, 3))
	c := offsetCase{dt: dt, n: n, classes: classes}
	c.zbar = roundToDtype(dt, gaussianFloats(rng, n*classes, 1.5))
	c.b = roundToDtype(dt, gaussianFloats(rng, classes, 1))
	c.t = make([]float64, n*classes)
	for i := 0; i < n; i++ {
		c.t[i*classes+rng.IntN(classes)] = 1
	}
	return c
}

// crossEntropy is the oracle: −(1/n) Σ T log softmax(Z̄ + b), in float64.
func (c offsetCase) crossEntropy(b []float64) float64 {
	loss := 0.0
	for i := 0; i < c.n; i++ {
		z := make([]float64, c.classes)
		m := math.Inf(-1)
		for j := range z {
			z[j] = c.zbar[i*c.classes+j] + b[j]
			m = math.Max(m, z[j])
		}
		s := 0.0
		for _, v := range z {
			s += math.Exp(v - m)
		}
		for j, v := range z {
			loss -= c.t[i*c.classes+j] * (v - m - math.Log(s))
		}
	}
	return loss / float64(c.n)
}

// build adds Z̄ (n × C), b (1 × C), Z = Z̄ + b and the targets to a graph
// and returns the loss that lossOf builds on them.
func (c offsetCase) build(tb testing.TB, lossOf func(z, t, b *G.Node) (*G.Node, error)) (g *G.ExprGraph, zbar, b, loss *G.Node) {
	tb.Helper()
	g = G.NewGraph()
	zbar = namedInput(g, c.dt, "zbar", c.zbar, c.n, c.classes)
	b = namedInput(g, c.dt, "b", c.b, 1, c.classes)
	t := namedInput(g, c.dt, "targets", c.t, c.n, c.classes)
	z, err := G.BroadcastAdd(zbar, b, nil, []byte{0})
	if err != nil {
		tb.Fatal(err)
	}
	if loss, err = lossOf(z, t, b); err != nil {
		tb.Fatal(err)
	}
	return g, zbar, b, loss
}

// tapeGrads runs loss and its gradients with respect to zbar and b on a
// TapeMachine.
func tapeGrads(tb testing.TB, g *G.ExprGraph, loss, zbar, b *G.Node) (float64, []float64, []float64) {
	tb.Helper()
	grads, err := G.Grad(loss, zbar, b)
	if err != nil {
		tb.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		tb.Fatal(err)
	}
	return valueFloat64s(tb, loss.Value())[0], valueFloat64s(tb, grads[0].Value()), valueFloat64s(tb, grads[1].Value())
}

// TestClassOffsetLoss: the value is the cross-entropy of softmax(Z̄ + b);
// its gradient reaches b only and equals the central differences of that
// cross-entropy in b, through both machines.
func TestClassOffsetLoss(t *testing.T) {
	for _, dt := range floatDtypes {
		c := newOffsetCase(dt, 9, 4, 1)
		wantLoss := c.crossEntropy(c.b)
		wantGrad := centralDiffGradient(c.b, c.crossEntropy)
		t.Run(dt.String()+"/tape", func(t *testing.T) {
			g, zbar, b, loss := c.build(t, op.ClassOffsetLoss)
			if _, err := G.Grad(loss, zbar); err == nil {
				t.Error("Grad with respect to Z̄ succeeded: the loss must send it nothing")
			}
			got, db := tapeRun(t, g, loss, b)
			assertClose(t, "loss", []float64{got}, []float64{wantLoss}, lossTolFor(dt))
			assertClose(t, "∂L/∂b", db, wantGrad, gradTolFor(dt))
		})
		// The LispMachine (DoDiff) on Z as a leaf: Gorgonia's BroadcastAdd,
		// differentiated after this op, would overwrite b's gradient with
		// its own (zero) share instead of adding to it.
		t.Run(dt.String()+"/lisp", func(t *testing.T) {
			g := G.NewGraph()
			z := make([]float64, len(c.zbar))
			for i := range z {
				z[i] = c.zbar[i] + c.b[i%c.classes]
			}
			zn := namedInput(g, dt, "z", roundToDtype(dt, z), c.n, c.classes)
			tn := namedInput(g, dt, "targets", c.t, c.n, c.classes)
			b := namedInput(g, dt, "b", c.b, 1, c.classes)
			loss, err := op.ClassOffsetLoss(zn, tn, b)
			if err != nil {
				t.Fatal(err)
			}
			m := G.NewLispMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			db, err := b.Grad()
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "loss", valueFloat64s(t, loss.Value()), []float64{wantLoss}, lossTolFor(dt))
			assertClose(t, "∂L/∂b", valueFloat64s(t, db), wantGrad, gradTolFor(dt))
		})
	}
}

// TestHyperSimplexLossWithOffsetsKeepsTheNetworkGradient: the network (Z̄)
// gets exactly the plain HyperSimplex loss's gradient, nothing of the offset
// term, and b gets exactly the cross-entropy's gradient, nothing of HS's.
func TestHyperSimplexLossWithOffsetsKeepsTheNetworkGradient(t *testing.T) {
	for _, dt := range floatDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			c := newOffsetCase(dt, 13, 5, 2)
			opts := hypersimplex.DefaultLossOptions()
			g, zbar, b, loss := c.build(t, func(z, tg, b *G.Node) (*G.Node, error) {
				return op.HyperSimplexLossWithOffsets(z, tg, b, opts)
			})
			_, dz, db := tapeGrads(t, g, loss, zbar, b)

			g2, zbar2, b2, hs := c.build(t, func(z, tg, _ *G.Node) (*G.Node, error) { return op.HyperSimplexLoss(z, tg, opts) })
			_, wantDz, hsDb := tapeGrads(t, g2, hs, zbar2, b2)
			assertClose(t, "∂L/∂Z̄ against plain HS", dz, wantDz, 0)
			assertClose(t, "HS's own ∂L/∂b", hsDb, make([]float64, len(hsDb)), gradTolFor(dt))
			assertClose(t, "∂L/∂b against the cross-entropy", db, centralDiffGradient(c.b, c.crossEntropy), gradTolFor(dt))
			if slicesAllZero(wantDz) {
				t.Fatal("the HS gradient is zero: the case does not exercise the loss")
			}
		})
	}
}

func slicesAllZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

func TestClassOffsetLossErrors(t *testing.T) {
	g := G.NewGraph()
	z := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("z"))
	tg := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("t"))
	for _, tc := range []struct {
		name string
		b    *G.Node
		kind error
		want string
	}{
		{"nil", nil, op.ErrNil, "offsets must be a non-nil node"},
		{"wrong length", G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b4")), op.ErrShape, "offsets has shape (4), want (3) or (1, 3)"},
		{"column", G.NewMatrix(g, tensor.Float64, G.WithShape(3, 1), G.WithName("bc")), op.ErrShape, "offsets has shape (3, 1)"},
		{"dtype", G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("b32")), op.ErrDtype, "offsets have dtype float32"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := op.ClassOffsetLoss(z, tg, tc.b)
			var ae *op.ArgError
			if !errors.Is(err, tc.kind) || !errors.As(err, &ae) || ae.Arg != "offsets" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a %v *ArgError on offsets containing %q", err, tc.kind, tc.want)
			}
		})
	}
	// NaN logits are reported when the graph runs.
	c := newOffsetCase(tensor.Float64, 4, 3, 3)
	c.zbar[5] = math.NaN()
	g2, _, _, loss := c.build(t, op.ClassOffsetLoss)
	m := G.NewTapeMachine(g2)
	defer m.Close()
	err := m.RunAll()
	if err == nil || !strings.Contains(err.Error(), "op: ClassOffsetLoss: logits[1, 2] = NaN is not finite") {
		t.Errorf("NaN logits: err = %v (loss %v), want one naming logits[1, 2]", err, loss.Value())
	}
}

// A drop-in HyperSimplex loss: the output layer's bias b gets the class
// offsets' cross-entropy gradient, so the plain argmax of the logits
// predicts well. One training step of a linear model Z = X·W + b with
// Adam; W learns from the HyperSimplex loss alone, b from the offsets'
// cross-entropy.
func ExampleHyperSimplexLossWithOffsets() {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 0, 0, 1, 1, 1, 0, 0}))))
	targets := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("targets"),
		G.WithValue(tensor.New(tensor.WithShape(4, 3), tensor.WithBacking([]float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1}))))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("W"), G.WithInit(G.Zeroes()))
	b := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 3), G.WithName("b"), G.WithInit(G.Zeroes()))
	xw, _ := G.Mul(x, w)
	logits, _ := G.BroadcastAdd(xw, b, nil, []byte{0})

	loss, err := op.HyperSimplexLossWithOffsets(logits, targets, b, hypersimplex.DefaultLossOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, _ := G.Grad(loss, b)
	m := G.NewTapeMachine(g, G.BindDualValues(w, b))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	// With W = 0 every softmax is ⅓; class 2 is the most frequent (2 of
	// 4): its offset's gradient ⅓ − ½ is negative, so descent raises it.
	fmt.Printf("∂L/∂b = %.3f\n", grads[0].Value().Data())
	// Output:
	// ∂L/∂b = [0.083 0.083 -0.167]
}

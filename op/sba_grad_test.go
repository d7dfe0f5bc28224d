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

// sqLossCase is ½‖SBA_k(x; τ) − t‖² for x of rows × n (or a vector of n).
type sqLossCase struct {
	dt      tensor.Dtype
	rows, n int
	vector  bool
	k       []float64 // one entry: scalar k node; else one per row
	tau     float64
	x, t    []float64
	reg     hypersimplex.Regularizer
}

func (c sqLossCase) xShape() []int {
	if c.vector {
		return []int{c.n}
	}
	return []int{c.rows, c.n}
}

// oracle is the loss in float64, from the kernels directly.
func (c sqLossCase) oracle(tb testing.TB, x []float64) float64 {
	y := projectRowsOracleReg(tb, x, c.rows, c.n, c.k, c.tau, c.reg)
	s := 0.0
	for i := range y {
		d := y[i] - c.t[i]
		s += d * d
	}
	return s / 2
}

// build adds x, k, t and the loss to a new graph.
func (c sqLossCase) build(tb testing.TB) (g *G.ExprGraph, x, k, loss *G.Node) {
	tb.Helper()
	g = G.NewGraph()
	x = namedInput(g, c.dt, "x", c.x, c.xShape()...)
	if len(c.k) == 1 && (c.vector || c.rows > 1) {
		k = namedInput(g, c.dt, "k", c.k)
	} else {
		k = namedInput(g, c.dt, "k", c.k, len(c.k))
	}
	t := namedInput(g, c.dt, "t", c.t, c.xShape()...)
	sba := op.SoftBinaryArgmax
	if c.reg == hypersimplex.Entropic {
		sba = op.EntropicSoftBinaryArgmax
	}
	y, err := sba(x, k, c.tau)
	if err != nil {
		tb.Fatal(err)
	}
	half := G.NewConstant(0.5)
	if c.dt == tensor.Float32 {
		half = G.NewConstant(float32(0.5))
	}
	loss = G.Must(G.Mul(G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(y, t)))))), half))
	return g, x, k, loss
}

// tapeGradient runs Grad + TapeMachine (the op's SymDiff) and returns the
// loss and its gradient with respect to x.
func (c sqLossCase) tapeGradient(tb testing.TB) (float64, []float64) {
	tb.Helper()
	g, x, _, loss := c.build(tb)
	return tapeRun(tb, g, loss, x)
}

// lispGradient runs a LispMachine (the op's DoDiff) on a fresh graph.
func (c sqLossCase) lispGradient(tb testing.TB) (float64, []float64) {
	tb.Helper()
	g, x, _, loss := c.build(tb)
	m := G.NewLispMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		tb.Fatal(err)
	}
	dx, err := x.Grad()
	if err != nil {
		tb.Fatal(err)
	}
	return valueFloat64s(tb, loss.Value())[0], valueFloat64s(tb, dx)
}

func newSqLossCase(dt tensor.Dtype, rows, n int, vector, perRowK bool, seed uint64) sqLossCase {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := sqLossCase{dt: dt, rows: rows, n: n, vector: vector, tau: 0.8}
	c.x = roundToDtype(dt, gaussianFloats(rng, rows*n, 1.5))
	c.t = make([]float64, rows*n)
	for i := range c.t {
		c.t[i] = float64(rng.IntN(2))
	}
	c.k = []float64{float64(n) / 2}
	if perRowK {
		c.k = make([]float64, rows)
		for r := range c.k {
			c.k[r] = 1 + float64(rng.IntN(n-1)) + 0.5*rng.Float64()
		}
	}
	return c
}

// TestSoftBinaryArgmaxGradientsFiniteDifferences differentiates the same
// loss ½‖SBA(x) − t‖² with the TapeMachine (SymDiff) and the LispMachine
// (DoDiff) and compares both with central differences of the float64
// kernels, for float32 and float64, vector and matrix x, scalar and per-row k,
// Euclidean and entropic.
func TestSoftBinaryArgmaxGradientsFiniteDifferences(t *testing.T) {
	shapes := []struct {
		rows, n         int
		vector, perRowK bool
	}{
		{1, 8, true, false},
		{1, 1, true, false},
		{3, 6, false, false},
		{3, 6, false, true},
		{2, 300, false, true},
	}
	machines := []struct {
		name string
		run  func(sqLossCase, testing.TB) (float64, []float64)
	}{
		{"tape", func(c sqLossCase, tb testing.TB) (float64, []float64) { return c.tapeGradient(tb) }},
		{"lisp", func(c sqLossCase, tb testing.TB) (float64, []float64) { return c.lispGradient(tb) }},
	}
	for _, reg := range []hypersimplex.Regularizer{hypersimplex.Euclidean, hypersimplex.Entropic} {
		for _, dt := range floatDtypes {
			for si, s := range shapes {
				c := newSqLossCase(dt, s.rows, s.n, s.vector, s.perRowK, uint64(si+1))
				c.reg = reg
				if s.n == 1 {
					c.k = []float64{0.25} // Δ(1, 0.25) = {0.25}: zero gradient
				}
				wantLoss := c.oracle(t, c.x)
				wantGrad := centralDiffGradient(c.x, func(x []float64) float64 { return c.oracle(t, x) })
				for _, m := range machines {
					name := fmt.Sprintf("%v/%v/%s/perRowK=%v/%s", reg, dt, caseShapeName(s.rows, s.n, s.vector), s.perRowK, m.name)
					t.Run(name, func(t *testing.T) {
						loss, grad := m.run(c, t)
						assertClose(t, "loss", []float64{loss}, []float64{wantLoss}, lossTolFor(dt))
						assertClose(t, "gradient", grad, wantGrad, gradTolFor(dt))
					})
				}
			}
		}
	}
}

// TestTapeMachineKChangesBetweenRuns compiles one graph and runs it twice
// with different k vectors (Let), checking values and gradients each time:
// k is an input of the node, not a baked-in constant.
func TestTapeMachineKChangesBetweenRuns(t *testing.T) {
	for _, dt := range floatDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			c := newSqLossCase(dt, 4, 10, false, true, 42)
			g, x, k, loss := c.build(t)
			grads, err := G.Grad(loss, x)
			if err != nil {
				t.Fatal(err)
			}
			m := G.NewTapeMachine(g)
			defer m.Close()
			for run, kv := range [][]float64{{1, 2.5, 9, 5}, {7, 0, 3.25, 10}, c.k} {
				c.k = kv
				if err := G.Let(k, denseOf(dt, kv, len(kv))); err != nil {
					t.Fatal(err)
				}
				if err := m.RunAll(); err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				wantGrad := centralDiffGradient(c.x, func(x []float64) float64 { return c.oracle(t, x) })
				assertClose(t, fmt.Sprintf("run %d loss", run), valueFloat64s(t, loss.Value()), []float64{c.oracle(t, c.x)}, lossTolFor(dt))
				assertClose(t, fmt.Sprintf("run %d gradient", run), valueFloat64s(t, grads[0].Value()), wantGrad, gradTolFor(dt))
				m.Reset()
			}
		})
	}
}

// TestLispMachineAccumulatesGradient uses x in two branches, the op and a
// linear term Σ w⊙x, so DoDiff must add into x's gradient, not replace it.
func TestLispMachineAccumulatesGradient(t *testing.T) {
	for _, dt := range floatDtypes {
		t.Run(dt.String(), func(t *testing.T) {
			c := newSqLossCase(dt, 3, 7, false, true, 9)
			w := roundToDtype(dt, gaussianFloats(rand.New(rand.NewPCG(3, 3)), len(c.x), 1))
			g, x, _, loss := c.build(t)
			wn := namedInput(g, dt, "w", w, c.xShape()...)
			// The cost is the graph's last node: loss + Σ w⊙x.
			G.Must(G.Add(loss, G.Must(G.Sum(G.Must(G.HadamardProd(x, wn))))))
			m := G.NewLispMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			want := centralDiffGradient(c.x, func(x []float64) float64 {
				s := c.oracle(t, x)
				for i := range x {
					s += w[i] * x[i]
				}
				return s
			})
			dx, err := x.Grad()
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "gradient", valueFloat64s(t, dx), want, gradTolFor(dt))
		})
	}
}

// TestKIsNotDifferentiated checks that Grad refuses k: the op declares no
// derivative with respect to it (DiffWRT), rather than a silent zero.
func TestKIsNotDifferentiated(t *testing.T) {
	c := newSqLossCase(tensor.Float64, 2, 5, false, true, 4)
	_, _, k, loss := c.build(t)
	if grads, err := G.Grad(loss, k); err == nil {
		t.Fatalf("Grad(loss, k) = %v, want an error (k is not differentiable)", grads)
	}
}

package op_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Tolerances of the Gorgonia-level tests.
const (
	// fdStepGraph is the central-difference step (float64 oracle). The losses are
	// piecewise quadratic in x, so away from kinks the error is rounding only.
	fdStepGraph = 1e-6
	// gradTolGraph64 and gradTolGraph32 bound |graph gradient − finite difference| /
	// (1 + |finite difference|) for float64 and float32 graphs (the oracle is
	// always float64, at the float32-rounded point).
	gradTolGraph64 = 1e-6
	gradTolGraph32 = 1e-4
	// lossTol64 and lossTol32 bound the relative error of loss values.
	lossTol64 = 1e-12
	lossTol32 = 1e-5
)

var floatDtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

func gradTolFor(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return gradTolGraph32
	}
	return gradTolGraph64
}

func lossTolFor(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return lossTol32
	}
	return lossTol64
}

// roundToDtype rounds v to dt's precision, so the float64 oracle sees exactly
// the values a float32 graph sees.
func roundToDtype(dt tensor.Dtype, v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if dt == tensor.Float32 {
			x = float64(float32(x))
		}
		out[i] = x
	}
	return out
}

// denseOf makes a tensor of dtype dt and the given shape holding v.
func denseOf(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		v32 := make([]float32, len(v))
		for i, x := range v {
			v32[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v32))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// valueFloat64s reads a float32 or float64 value (tensor or scalar) as valueFloat64s.
func valueFloat64s(t testing.TB, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	t.Fatalf("value of type %T, want float32 or float64 data", v.Data())
	return nil
}

// gaussianFloats returns n draws of scale·N(0, 1).
func gaussianFloats(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// namedInput adds a named input node of dtype dt holding v with the given
// shape (a scalar for an empty shape).
func namedInput(g *G.ExprGraph, dt tensor.Dtype, name string, v []float64, shape ...int) *G.Node {
	switch len(shape) {
	case 0:
		var s interface{} = v[0]
		if dt == tensor.Float32 {
			s = float32(v[0])
		}
		return G.NewScalar(g, dt, G.WithName(name), G.WithValue(s))
	case 1:
		return G.NewVector(g, dt, G.WithName(name), G.WithShape(shape...), G.WithValue(denseOf(dt, v, shape...)))
	}
	return G.NewMatrix(g, dt, G.WithName(name), G.WithShape(shape...), G.WithValue(denseOf(dt, v, shape...)))
}

// projectRowsOracle is the float64 oracle: Project applied row by row (rows of
// n), with k[r] or the single k[0].
func projectRowsOracle(t testing.TB, x []float64, rows, n int, k []float64, tau float64) []float64 {
	return projectRowsOracleReg(t, x, rows, n, k, tau, hypersimplex.Euclidean)
}

// projectLineOracle is the float64 kernel of one line for the regularizer:
// ProjectEntropic for k strictly inside (0, n), otherwise Project (the op's
// documented fallback at k = 0 and k = n).
func projectLineOracle(y, x []float64, k, tau float64, reg hypersimplex.Regularizer) error {
	if reg == hypersimplex.Entropic && k > 0 && k < float64(len(x)) {
		return hypersimplex.ProjectEntropic(y, x, k, tau)
	}
	return hypersimplex.Project(y, x, k, tau)
}

// projectRowsOracleReg is projectRowsOracle for the regularizer reg.
func projectRowsOracleReg(t testing.TB, x []float64, rows, n int, k []float64, tau float64, reg hypersimplex.Regularizer) []float64 {
	t.Helper()
	y := make([]float64, len(x))
	for r := 0; r < rows; r++ {
		kr := k[0]
		if len(k) > 1 {
			kr = k[r]
		}
		if err := projectLineOracle(y[r*n:(r+1)*n], x[r*n:(r+1)*n], kr, tau, reg); err != nil {
			t.Fatalf("oracle Project row %d: %v", r, err)
		}
	}
	return y
}

// centralDiffGradient returns the gradient of f at x by central differences.
func centralDiffGradient(x []float64, f func([]float64) float64) []float64 {
	g := make([]float64, len(x))
	xh := append([]float64(nil), x...)
	for i := range x {
		xh[i] = x[i] + fdStepGraph
		fp := f(xh)
		xh[i] = x[i] - fdStepGraph
		fm := f(xh)
		xh[i] = x[i]
		g[i] = (fp - fm) / (2 * fdStepGraph)
	}
	return g
}

// assertClose fails unless |got − want| ≤ tol·(1 + |want|) elementwise.
func assertClose(t testing.TB, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			t.Fatalf("%s[%d]: got %v, want %v (tol %g)\ngot  %v\nwant %v", what, i, got[i], want[i], tol, got, want)
		}
	}
}

// caseShapeName formats a test-case shape.
func caseShapeName(rows, n int, vector bool) string {
	if vector {
		return fmt.Sprintf("vector%d", n)
	}
	return fmt.Sprintf("%dx%d", rows, n)
}

// tapeRun differentiates loss with respect to wrt (Grad, so the op's
// SymDiff), runs the graph once on a TapeMachine and returns the loss and
// its gradient as float64s.
func tapeRun(tb testing.TB, g *G.ExprGraph, loss, wrt *G.Node) (float64, []float64) {
	tb.Helper()
	grads, err := G.Grad(loss, wrt)
	if err != nil {
		tb.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		tb.Fatal(err)
	}
	return valueFloat64s(tb, loss.Value())[0], valueFloat64s(tb, grads[0].Value())
}

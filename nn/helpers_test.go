package nn_test

import (
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dtypes are the two float types every test runs with.
var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

// tolerances of float64 and float32 results against float64 references.
const (
	tolF64 = 1e-10
	tolF32 = 1e-5
)

// tolFor returns the comparison tolerance for dt.
func tolFor(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return tolF32
	}
	return tolF64
}

// newDense returns a tensor of dtype dt and the given shape holding vals.
func newDense(dt tensor.Dtype, shape tensor.Shape, vals []float64) *tensor.Dense {
	if dt == tensor.Float32 {
		d := make([]float32, len(vals))
		for i, v := range vals {
			d[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
	}
	d := append([]float64(nil), vals...)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(d))
}

// floats returns a copy of t's data as float64.
func floats(t *testing.T, v G.Value) []float64 {
	t.Helper()
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	t.Fatalf("unexpected value data %T", v.Data())
	return nil
}

// oneHot returns the n × classes one-hot matrix of labels, row-major.
func oneHot(labels []int, classes int) []float64 {
	out := make([]float64, len(labels)*classes)
	for i, y := range labels {
		out[i*classes+y] = 1
	}
	return out
}

// centralDifference returns (f() at *v + h − f() at *v − h)/(2h), the
// central finite difference of f in the entry *v, and restores *v.
func centralDifference(v *float64, h float64, f func() float64) float64 {
	orig := *v
	*v = orig + h
	up := f()
	*v = orig - h
	down := f()
	*v = orig
	return (up - down) / (2 * h)
}

// closeTo reports whether |a − b| ≤ tol·max(1, |b|).
func closeTo(a, b, tol float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	s := b
	if s < 0 {
		s = -s
	}
	if s < 1 {
		s = 1
	}
	return d <= tol*s
}

// ceGraph binds ps into a new graph, adds arch's forward pass (training
// mode) on x (len(labels) rows) and the cross-entropy against labels, the
// gradient with respect to every parameter, and a TapeMachine binding those
// gradients as dual values. It returns the parameter nodes, the loss node
// and the machine, which the caller closes.
func ceGraph(tb testing.TB, arch nn.Architecture, ps []nn.Param, dt tensor.Dtype, x []float64, labels []int, classes int) (G.Nodes, *G.Node, G.VM) {
	tb.Helper()
	n := len(labels)
	features := len(x) / n
	g := G.NewGraph()
	params := mustBind(tb, g, ps)
	xn := G.NewMatrix(g, dt, G.WithShape(n, features), G.WithName("x"),
		G.WithValue(newDense(dt, tensor.Shape{n, features}, x)))
	y := G.NewMatrix(g, dt, G.WithShape(n, classes), G.WithName("y"),
		G.WithValue(newDense(dt, tensor.Shape{n, classes}, oneHot(labels, classes))))
	logits, err := arch.Forward(xn, params, true)
	if err != nil {
		tb.Fatal(err)
	}
	head, err := nn.NewHead("ce", nn.DefaultHeadOptions())
	if err != nil {
		tb.Fatal(err)
	}
	loss, err := head.Loss(logits, y)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := G.Grad(loss, params...); err != nil {
		tb.Fatal(err)
	}
	return params, loss, G.NewTapeMachine(g, G.BindDualValues(params...))
}

// mustBind is nn.Bind for parameters the test made itself: an error there
// fails the test.
func mustBind(tb testing.TB, g *G.ExprGraph, ps []nn.Param) G.Nodes {
	tb.Helper()
	nodes, err := nn.Bind(g, ps)
	if err != nil {
		tb.Fatal(err)
	}
	return nodes
}

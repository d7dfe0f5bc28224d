package op_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestHyperSimplexLossInputErrors checks the graph-building errors of both
// losses: shapes, ranks, dtypes and invalid options.
func TestHyperSimplexLossInputErrors(t *testing.T) {
	g := G.NewGraph()
	m := func(name string, dt tensor.Dtype, r, c int) *G.Node {
		return G.NewMatrix(g, dt, G.WithShape(r, c), G.WithName(name))
	}
	v := func(name string, dt tensor.Dtype, n int) *G.Node {
		return G.NewVector(g, dt, G.WithShape(n), G.WithName(name))
	}
	f64, f32 := tensor.Float64, tensor.Float32
	bad := hypersimplex.DefaultLossOptions()
	bad.Tau = 0
	cases := []struct {
		name           string
		binary         bool
		logits, target *G.Node
		opts           hypersimplex.LossOptions
		want           string
	}{
		{"shape mismatch", false, m("a", f64, 8, 3), m("b", f64, 8, 4), hypersimplex.DefaultLossOptions(), "targets has shape (8, 4), want the logits' shape (8, 3)"},
		{"vector logits", false, v("c", f64, 8), v("d", f64, 8), hypersimplex.DefaultLossOptions(), "logits has shape (8), want a matrix"},
		{"dtype mismatch", false, m("e", f64, 8, 3), m("f", f32, 8, 3), hypersimplex.DefaultLossOptions(), "targets have dtype float32, want the logits' dtype float64"},
		{"integer logits", false, m("g", tensor.Int, 8, 3), m("h", tensor.Int, 8, 3), hypersimplex.DefaultLossOptions(), "dtype int"},
		{"nil targets", false, m("i", f64, 8, 3), nil, hypersimplex.DefaultLossOptions(), "non-nil"},
		{"bad tau", false, m("j", f64, 8, 3), m("k", f64, 8, 3), bad, "op: HyperSimplexLoss: LossOptions.Tau = 0"},
		{"prior length", false, m("l", f64, 8, 3), m("m", f64, 8, 3), withOpts(hypersimplex.KPrior, hypersimplex.ReduceSum, []float64{1}, 0), "len(LossOptions.Prior) = 1, want 3"},
		{"binary matrix", true, m("n", f64, 8, 1), m("o", f64, 8, 1), hypersimplex.DefaultLossOptions(), "logits has shape (8, 1), want a vector"},
		{"binary length", true, v("p", f64, 8), v("q", f64, 7), hypersimplex.DefaultLossOptions(), "labels has shape (7)"},
		{"binary fraction", true, v("r", f32, 8), v("s", f32, 8), withOpts(hypersimplex.KFraction, hypersimplex.ReduceSum, nil, -0.5), "Fraction = -0.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.binary {
				_, err = op.BinaryHyperSimplexLoss(c.logits, c.target, c.opts)
			} else {
				_, err = op.HyperSimplexLoss(c.logits, c.target, c.opts)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %v, want one containing %q", err, c.want)
			}
			// Input errors are *op.ArgError, option errors the options' own
			// *hypersimplex.ArgError.
			var ae *op.ArgError
			var oe *hypersimplex.ArgError
			if !errors.As(err, &ae) && !errors.As(err, &oe) {
				t.Fatalf("error %q is neither an *op.ArgError nor a *hypersimplex.ArgError", err)
			}
		})
	}
}

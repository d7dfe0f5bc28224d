package op_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestDefaultLossOptions(t *testing.T) {
	o := op.DefaultLossOptions()
	if o.Tau != 1.5 || o.KPolicy != op.KBatch || o.Normalization != op.NormBatchMean {
		t.Fatalf("DefaultLossOptions() = %+v, want Tau 1.5, KBatch, NormBatchMean", o)
	}
	for _, classes := range []int{1, 10} {
		if err := o.Validate(classes); err != nil {
			t.Fatalf("Validate(%d) of the defaults: %v", classes, err)
		}
	}
	if got := o.KPolicy.String() + "/" + o.Normalization.String(); got != "batch/batch-mean" {
		t.Fatalf("names %q, want batch/batch-mean", got)
	}
}

// TestLossOptionsValidate checks each invalid option gives an error naming
// the field and its value, and the valid edge cases pass.
func TestLossOptionsValidate(t *testing.T) {
	mod := func(f func(*op.LossOptions)) op.LossOptions {
		o := op.DefaultLossOptions()
		f(&o)
		return o
	}
	cases := []struct {
		name    string
		opts    op.LossOptions
		classes int
		want    string // "" for valid
	}{
		{"zero value", op.LossOptions{}, 3, "Tau: tau = 0"},
		{"tau negative", mod(func(o *op.LossOptions) { o.Tau = -2 }), 3, "tau = -2"},
		{"tau NaN", mod(func(o *op.LossOptions) { o.Tau = math.NaN() }), 3, "tau = NaN"},
		{"tau +Inf", mod(func(o *op.LossOptions) { o.Tau = math.Inf(1) }), 3, "tau = +Inf"},
		{"tau subnormal", mod(func(o *op.LossOptions) { o.Tau = 1e-310 }), 3, "Tau: tau = 1e-310 is below the smallest normal"},
		{"unknown policy", mod(func(o *op.LossOptions) { o.KPolicy = 7 }), 3, "KPolicy = KPolicy(7)"},
		{"unknown normalization", mod(func(o *op.LossOptions) { o.Normalization = -1 }), 3, "Normalization = Normalization(-1)"},
		{"prior missing", mod(func(o *op.LossOptions) { o.KPolicy = op.KPrior }), 3, "Prior has 0 entries, want 3"},
		{"prior length", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{0.5, 0.5} }), 3, "Prior has 2 entries, want 3"},
		{"prior sum", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{0.5, 0.4, 0.2} }), 3, "Prior sums to 1.1"},
		{"prior negative", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{1.2, -0.2} }), 2, "Prior[0] = 1.2"},
		{"prior NaN", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{math.NaN()} }), 1, "Prior[0] = NaN"},
		{"prior ok", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{0.25, 0.75} }), 2, ""},
		{"binary prior ok", mod(func(o *op.LossOptions) { o.KPolicy, o.Prior = op.KPrior, []float64{0.1} }), 1, ""},
		{"fraction zero", mod(func(o *op.LossOptions) { o.KPolicy = op.KFraction }), 3, "Fraction = 0"},
		{"fraction above 1", mod(func(o *op.LossOptions) { o.KPolicy, o.Fraction = op.KFraction, 1.5 }), 3, "Fraction = 1.5"},
		{"fraction one", mod(func(o *op.LossOptions) { o.KPolicy, o.Fraction = op.KFraction, 1 }), 3, ""},
		{"no classes", op.DefaultLossOptions(), 0, "0 classes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.opts.Validate(c.classes)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case c.want != "" && err == nil:
				t.Fatalf("got no error, want one containing %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

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
	bad := op.DefaultLossOptions()
	bad.Tau = 0
	cases := []struct {
		name           string
		binary         bool
		logits, target *G.Node
		opts           op.LossOptions
		want           string
	}{
		{"shape mismatch", false, m("a", f64, 8, 3), m("b", f64, 8, 4), op.DefaultLossOptions(), "targets has shape (8, 4), want the logits' shape (8, 3)"},
		{"vector logits", false, v("c", f64, 8), v("d", f64, 8), op.DefaultLossOptions(), "logits has shape (8), want a matrix"},
		{"dtype mismatch", false, m("e", f64, 8, 3), m("f", f32, 8, 3), op.DefaultLossOptions(), "targets have dtype float32, want the logits' dtype float64"},
		{"integer logits", false, m("g", tensor.Int, 8, 3), m("h", tensor.Int, 8, 3), op.DefaultLossOptions(), "dtype int"},
		{"nil targets", false, m("i", f64, 8, 3), nil, op.DefaultLossOptions(), "non-nil"},
		{"bad tau", false, m("j", f64, 8, 3), m("k", f64, 8, 3), bad, "tau = 0"},
		{"prior length", false, m("l", f64, 8, 3), m("m", f64, 8, 3), withOpts(op.KPrior, op.NormSum, []float64{1}, 0), "Prior has 1 entries, want 3"},
		{"binary matrix", true, m("n", f64, 8, 1), m("o", f64, 8, 1), op.DefaultLossOptions(), "logits has shape (8, 1), want a vector"},
		{"binary length", true, v("p", f64, 8), v("q", f64, 7), op.DefaultLossOptions(), "labels has shape (7)"},
		{"binary fraction", true, v("r", f32, 8), v("s", f32, 8), withOpts(op.KFraction, op.NormSum, nil, -0.5), "Fraction = -0.5"},
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
		})
	}
}

package hypersimplex

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestDefaultLossOptions(t *testing.T) {
	o := DefaultLossOptions()
	if o.Tau != 1.5 || o.KPolicy != KBatch || o.Reduction != ReduceBatchMean {
		t.Fatalf("DefaultLossOptions() = %+v, want Tau 1.5, KBatch, ReduceBatchMean", o)
	}
	for _, classes := range []int{1, 10} {
		if err := o.Validate(classes); err != nil {
			t.Fatalf("Validate(%d) of the defaults: %v", classes, err)
		}
	}
	if got := o.KPolicy.String() + "/" + o.Reduction.String(); got != "batch/batch-mean" {
		t.Fatalf("names %q, want batch/batch-mean", got)
	}
}

// TestLossOptionsValidate checks each invalid option gives an error naming
// the field and its value, and the valid edge cases pass.
func TestLossOptionsValidate(t *testing.T) {
	mod := func(f func(*LossOptions)) LossOptions {
		o := DefaultLossOptions()
		f(&o)
		return o
	}
	cases := []struct {
		name    string
		opts    LossOptions
		classes int
		want    string // "" for valid
	}{
		{"zero value", LossOptions{}, 3, "LossOptions.Tau = 0 must be finite"},
		{"tau negative", mod(func(o *LossOptions) { o.Tau = -2 }), 3, "LossOptions.Tau = -2"},
		{"tau NaN", mod(func(o *LossOptions) { o.Tau = math.NaN() }), 3, "LossOptions.Tau = NaN"},
		{"tau +Inf", mod(func(o *LossOptions) { o.Tau = math.Inf(1) }), 3, "LossOptions.Tau = +Inf"},
		{"tau subnormal", mod(func(o *LossOptions) { o.Tau = 1e-310 }), 3, "LossOptions.Tau = 1e-310 is below the smallest normal"},
		{"unknown policy", mod(func(o *LossOptions) { o.KPolicy = 7 }), 3, "LossOptions.KPolicy = 7, want one of batch, prior, fraction, fraction-floor"},
		{"unknown reduction", mod(func(o *LossOptions) { o.Reduction = -1 }), 3, "LossOptions.Reduction = -1, want one of batch-mean, sum, entry-mean"},
		{"prior missing", mod(func(o *LossOptions) { o.KPolicy = KPrior }), 3, "len(LossOptions.Prior) = 0, want 3"},
		{"prior length", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{0.5, 0.5} }), 3, "len(LossOptions.Prior) = 2, want 3"},
		{"prior sum", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{0.5, 0.4, 0.2} }), 3, "sum(LossOptions.Prior) = 1.1, want 1"},
		{"prior negative", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{1.2, -0.2} }), 2, "LossOptions.Prior[0] = 1.2"},
		{"prior NaN", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{math.NaN()} }), 1, "LossOptions.Prior[0] = NaN"},
		{"prior ok", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{0.25, 0.75} }), 2, ""},
		{"binary prior ok", mod(func(o *LossOptions) { o.KPolicy, o.Prior = KPrior, []float64{0.1} }), 1, ""},
		{"fraction zero", mod(func(o *LossOptions) { o.KPolicy = KFraction }), 3, "LossOptions.Fraction = 0"},
		{"fraction above 1", mod(func(o *LossOptions) { o.KPolicy, o.Fraction = KFraction, 1.5 }), 3, "LossOptions.Fraction = 1.5"},
		{"fraction one", mod(func(o *LossOptions) { o.KPolicy, o.Fraction = KFraction, 1 }), 3, ""},
		{"no classes", DefaultLossOptions(), 0, "classes = 0, want at least 1"},
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
			case c.want != "" && !errors.As(err, new(*ArgError)):
				t.Fatalf("error %q is not an *ArgError", err)
			}
		})
	}
}

func TestEnumText(t *testing.T) {
	for p := KBatch; p <= KFractionFloor; p++ {
		b, err := p.MarshalText()
		var back KPolicy
		if err != nil || back.UnmarshalText(b) != nil || back != p {
			t.Errorf("KPolicy %v: text %q (%v) reads back as %v", p, b, err, back)
		}
	}
	for r := ReduceBatchMean; r <= ReduceEntryMean; r++ {
		b, err := r.MarshalText()
		var back Reduction
		if err != nil || back.UnmarshalText(b) != nil || back != r {
			t.Errorf("Reduction %v: text %q (%v) reads back as %v", r, b, err, back)
		}
	}
	p := KFraction
	if err := p.UnmarshalText([]byte("median")); err == nil || !strings.Contains(err.Error(), `"median" unknown, want one of batch, prior, fraction, fraction-floor`) {
		t.Errorf("UnmarshalText(median) = %v", err)
	}
	if p != KFraction {
		t.Errorf("a refused UnmarshalText changed the policy to %v", p)
	}
	if _, err := KPolicy(9).MarshalText(); err == nil || err.Error() != "hypersimplex: KPolicy(9) is not a k policy" {
		t.Errorf("MarshalText of KPolicy(9): err = %v", err)
	}
	var r Reduction
	if err := r.UnmarshalText([]byte("mean")); err == nil || !strings.Contains(err.Error(), `"mean" unknown, want one of batch-mean, sum, entry-mean`) {
		t.Errorf("UnmarshalText(mean) = %v", err)
	}
	if _, err := Reduction(-1).MarshalText(); err == nil {
		t.Error("MarshalText of Reduction(-1) succeeded")
	}
}

func TestRegularizer(t *testing.T) {
	if Euclidean.String() != "euclidean" || Entropic.String() != "entropic" || Regularizer(5).String() != "Regularizer(5)" {
		t.Errorf("String: %v, %v, %v", Euclidean, Entropic, Regularizer(5))
	}
	if (LossOptions{}).Regularizer != Euclidean || DefaultLossOptions().Regularizer != Euclidean {
		t.Error("the default regularizer is not Euclidean")
	}
	o := DefaultLossOptions()
	o.Regularizer = Entropic
	if err := o.Validate(3); err != nil {
		t.Errorf("Entropic: %v", err)
	}
	o.Regularizer = 7
	if err := o.Validate(3); err == nil || !strings.Contains(err.Error(), "LossOptions.Regularizer = 7, want one of euclidean, entropic") {
		t.Errorf("unknown regularizer: got %v", err)
	}
	for r := Euclidean; r <= Entropic; r++ {
		b, err := r.MarshalText()
		var back Regularizer
		if err != nil || back.UnmarshalText(b) != nil || back != r {
			t.Errorf("Regularizer %v: text %q (%v) reads back as %v", r, b, err, back)
		}
	}
	var r Regularizer
	if err := r.UnmarshalText([]byte("l2")); err == nil {
		t.Error("UnmarshalText(l2) succeeded")
	}
}

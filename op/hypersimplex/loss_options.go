package hypersimplex

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// The HyperSimplex loss compares the projection of a batch's logits with
// its 0/1 targets: for the binary loss one vector of n logits, for the
// multiclass loss each of the C class columns of an n × C logit matrix,
//
//	p = Π_{Δ(n,k)}(x/τ),   L = s · ‖p − t‖².
//
// LossOptions choose τ, how k is set (KPolicy) and the scale s
// (Reduction). Package op builds the loss in a Gorgonia graph from them.

// KPolicy chooses k_c, the mass of the hypersimplex Δ(n, k_c) onto which
// class c's column of logits is projected (n is the batch size).
type KPolicy int

const (
	// KBatch sets k_c = Σ_i T[i,c], the number of samples of class c in the
	// batch: what a perfect prediction has (Section 4.1 of the paper).
	KBatch KPolicy = iota
	// KPrior sets k_c = π_c·n with π_c = LossOptions.Prior[c], the class
	// frequency of the training set.
	KPrior
	// KFraction sets k_c = f·n for every class with f = LossOptions.Fraction.
	KFraction
	// KFractionFloor sets k_c = ⌊f·n⌋ for every class with f =
	// LossOptions.Fraction: the public reference code's rounding (f = ½,
	// k = ⌊n/2⌋ also for an odd last batch, and k = 0 at n = 1).
	KFractionFloor
)

// kPolicies names the KPolicy values, in their order.
var kPolicies = enum{typ: "KPolicy", what: "k policy", names: []string{"batch", "prior", "fraction", "fraction-floor"}}

// String returns the policy's name: "batch", "prior", "fraction" or
// "fraction-floor".
func (p KPolicy) String() string { return kPolicies.name(int(p)) }

// MarshalText returns the policy's name; an unknown value is an error.
func (p KPolicy) MarshalText() ([]byte, error) { return kPolicies.text(int(p)) }

// UnmarshalText sets p from its name; another name is an error listing
// the valid ones, and leaves p as it was.
func (p *KPolicy) UnmarshalText(b []byte) error {
	i, err := kPolicies.parse(b)
	if err == nil {
		*p = KPolicy(i)
	}
	return err
}

// Reduction chooses the constant s the squared error is scaled by. It only
// rescales the loss and its gradient (by 1/n, 1 or 2/(n·C) relative to
// ReduceSum's ½), which an optimiser's learning rate absorbs.
type Reduction int

const (
	// ReduceBatchMean: L = ½ Σ_c ‖p_c − T[:,c]‖² / n, the per-sample mean (default).
	ReduceBatchMean Reduction = iota
	// ReduceSum: L = ½ Σ_c ‖p_c − T[:,c]‖².
	ReduceSum
	// ReduceEntryMean: L = Σ_c ‖p_c − T[:,c]‖² / (n·C), the mean over all
	// n·C entries of (p − T)², like a mean-squared error (the public
	// reference code).
	ReduceEntryMean
)

// reductions names the Reduction values, in their order.
var reductions = enum{typ: "Reduction", what: "reduction", names: []string{"batch-mean", "sum", "entry-mean"}}

// String returns the reduction's name: "batch-mean", "sum" or "entry-mean".
func (r Reduction) String() string { return reductions.name(int(r)) }

// MarshalText returns the reduction's name; an unknown value is an error.
func (r Reduction) MarshalText() ([]byte, error) { return reductions.text(int(r)) }

// UnmarshalText sets r from its name; another name is an error listing
// the valid ones, and leaves r as it was.
func (r *Reduction) UnmarshalText(b []byte) error {
	i, err := reductions.parse(b)
	if err == nil {
		*r = Reduction(i)
	}
	return err
}

// Scale returns s in L = s·Σ(p − T)² for n samples of C classes (C = 1
// for the binary loss).
func (r Reduction) Scale(n, classes int) float64 {
	switch r {
	case ReduceSum:
		return 0.5
	case ReduceEntryMean:
		return 1 / float64(n*classes)
	}
	return 0.5 / float64(n)
}

// Regularizer chooses the projection onto the hypersimplex Δ(n,k) behind
// the HyperSimplex loss.
type Regularizer int

const (
	// Euclidean is the paper's Soft-Binary-Argmax@k: the Euclidean
	// projection y = Π_{Δ(n,k)}(x/τ) (Project), sparse: entries clipped at
	// 0 or 1 get no gradient.
	Euclidean Regularizer = iota
	// Entropic is the binary-entropy projection (Amos, Xu, Kolter, "The
	// Limited Multi-Label Projection Layer", 2019), y_i = σ((x_i − ν)/τ)
	// with Σ y = k (ProjectEntropic): dense, every entry gets a gradient.
	Entropic
)

// regularizers names the Regularizer values, in their order.
var regularizers = enum{typ: "Regularizer", what: "regularizer", names: []string{"euclidean", "entropic"}}

// String returns "euclidean" or "entropic".
func (r Regularizer) String() string { return regularizers.name(int(r)) }

// MarshalText returns the regularizer's name; an unknown value is an error.
func (r Regularizer) MarshalText() ([]byte, error) { return regularizers.text(int(r)) }

// UnmarshalText sets r from its name; another name is an error listing the
// valid ones, and leaves r as it was.
func (r *Regularizer) UnmarshalText(b []byte) error {
	i, err := regularizers.parse(b)
	if err == nil {
		*r = Regularizer(i)
	}
	return err
}

// enum is the name table of one of the package's small enumerations
// (values 0, 1, … in the order of names).
type enum struct {
	typ   string // the Go type, for unknown values: "KPolicy(7)"
	what  string // what a value is, for errors: "k policy"
	names []string
}

// name returns the name of value v, or "typ(v)" for an unknown one.
func (e enum) name(v int) string {
	if v >= 0 && v < len(e.names) {
		return e.names[v]
	}
	return fmt.Sprintf("%s(%d)", e.typ, v)
}

// text returns the name of v, an error for an unknown value.
func (e enum) text(v int) ([]byte, error) {
	if v < 0 || v >= len(e.names) {
		return nil, fmt.Errorf("hypersimplex: %s is not a %s", e.name(v), e.what)
	}
	return []byte(e.names[v]), nil
}

// parse returns the value named b, or an error naming what and the valid
// names (without a package prefix: the caller, flag or encoding/json, says
// where the name came from).
func (e enum) parse(b []byte) (int, error) {
	for i, n := range e.names {
		if n == string(b) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s %q unknown, want one of %s", e.what, b, strings.Join(e.names, ", "))
}

// LossOptions configures the HyperSimplex loss. The zero value is invalid
// (Tau = 0); start from DefaultLossOptions or ReferenceLossOptions.
type LossOptions struct {
	Tau         float64     // temperature τ > 0 (an error otherwise; no silent default)
	KPolicy     KPolicy     // how k_c is chosen
	Prior       []float64   // π_c per class for KPrior (binary: one entry, the positive rate)
	Fraction    float64     // f in (0, 1] for KFraction and KFractionFloor
	Reduction   Reduction   // the scale of the squared error
	Regularizer Regularizer // the projection: Euclidean (the paper's, default) or Entropic
}

// DefaultLossOptions returns τ = 1.5 (the paper's), KBatch and
// ReduceBatchMean.
func DefaultLossOptions() LossOptions {
	return LossOptions{Tau: 1.5, KPolicy: KBatch, Reduction: ReduceBatchMean}
}

// ReferenceLossOptions returns the HyperSimplex loss as the public reference
// code computes it: τ = 1.5, k_c = ⌊n/2⌋ for every class (KFractionFloor
// with f = ½, also on an odd last batch) and the mean over all n·C entries
// (ReduceEntryMean).
func ReferenceLossOptions() LossOptions {
	return LossOptions{Tau: 1.5, KPolicy: KFractionFloor, Fraction: 0.5, Reduction: ReduceEntryMean}
}

// ErrOption is the kind of an *ArgError for an invalid LossOptions field
// other than Tau (whose kind is ErrTau).
var ErrOption = errors.New("invalid loss option")

// priorSumTolerance is how far from 1 the class priors may sum (they are
// typically frequencies computed in float64 or read from a file).
const priorSumTolerance = 1e-6

// Validate checks the options for a loss over the given number of classes
// (1 for the binary loss, whose Prior is the positive rate alone): τ as
// CheckTau accepts it (a float32 loss also needs τ to be neither 0 nor +Inf
// in float32, which package op checks when it builds one); a known KPolicy
// and Reduction; for KPrior, one prior per class, each in [0, 1], summing to
// 1 (multiclass); for KFraction and KFractionFloor, f in (0, 1]. Errors are
// *ArgError naming the field.
func (o LossOptions) Validate(classes int) error {
	if err := CheckTau(o.Tau); err != nil {
		ae := *err.(*ArgError)
		ae.Arg = "LossOptions.Tau"
		return &ae
	}
	bad := func(field string, index int, v float64, format string, args ...any) error {
		return &ArgError{Arg: "LossOptions." + field, Index: index, Value: v, Err: ErrOption, what: fmt.Sprintf(format, args...)}
	}
	if classes < 1 {
		return &ArgError{Arg: "classes", Index: -1, Value: float64(classes), Err: ErrOption, what: ", want at least 1"}
	}
	if _, err := o.Reduction.MarshalText(); err != nil {
		return bad("Reduction", -1, float64(o.Reduction), ", want one of %s", strings.Join(reductions.names, ", "))
	}
	if _, err := o.Regularizer.MarshalText(); err != nil {
		return bad("Regularizer", -1, float64(o.Regularizer), ", want one of %s", strings.Join(regularizers.names, ", "))
	}
	switch o.KPolicy {
	case KBatch:
		return nil
	case KPrior:
		if len(o.Prior) != classes {
			return &ArgError{Arg: "len(LossOptions.Prior)", Index: -1, Value: float64(len(o.Prior)), Err: ErrOption,
				what: fmt.Sprintf(", want %d (one per class) for KPolicy prior", classes)}
		}
		sum := 0.0
		for c, p := range o.Prior {
			if !(p >= 0 && p <= 1) {
				return bad("Prior", c, p, ", want a frequency in [0, 1]")
			}
			sum += p
		}
		if classes > 1 && math.Abs(sum-1) > priorSumTolerance {
			return &ArgError{Arg: "sum(LossOptions.Prior)", Index: -1, Value: sum, Err: ErrOption,
				what: fmt.Sprintf(", want 1 (within %g)", priorSumTolerance)}
		}
		return nil
	case KFraction, KFractionFloor:
		if !(o.Fraction > 0 && o.Fraction <= 1) {
			return bad("Fraction", -1, o.Fraction, ", want f in (0, 1] for %s", o.KPolicy)
		}
		return nil
	}
	return bad("KPolicy", -1, float64(o.KPolicy), ", want one of %s", strings.Join(kPolicies.names, ", "))
}

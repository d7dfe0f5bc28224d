package op

import (
	"fmt"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"math"
)

// KPolicy chooses k_c, the mass of the hypersimplex Δ(n, k_c) onto which
// class c's column of logits is projected (n is the batch size).
type KPolicy int

const (
	// KBatch sets k_c = Σ_i T[i,c], the number of samples of class c in the
	// batch: what a perfect prediction has (Section 4.1 of the paper). It is
	// computed in the graph from the targets, so it follows every batch.
	KBatch KPolicy = iota
	// KPrior sets k_c = π_c·n with π_c = LossOptions.Prior[c], the class
	// frequency of the training set.
	KPrior
	// KFraction sets k_c = f·n for every class with f = LossOptions.Fraction;
	// the public reference code uses f = 0.5.
	KFraction
	// KFractionFloor sets k_c = ⌊f·n⌋ for every class with f =
	// LossOptions.Fraction: the public reference code's rounding (f = 0.5,
	// k = ⌊n/2⌋ also for an odd last batch, and k = 0 at n = 1).
	KFractionFloor
)

// String returns "batch", "prior", "fraction" or "fraction-floor".
func (p KPolicy) String() string {
	switch p {
	case KBatch:
		return "batch"
	case KPrior:
		return "prior"
	case KFraction:
		return "fraction"
	case KFractionFloor:
		return "fraction-floor"
	}
	return fmt.Sprintf("KPolicy(%d)", int(p))
}

// Normalization chooses the constant the squared error is scaled by. It
// only rescales the loss and its gradient (by 1/n, 1 or 2/(n·C) relative to
// NormSum's ½), which an optimiser's learning rate absorbs.
type Normalization int

const (
	// NormBatchMean: L = ½ Σ_c ‖p_c − T[:,c]‖² / n, the per-sample mean (default).
	NormBatchMean Normalization = iota
	// NormSum: L = ½ Σ_c ‖p_c − T[:,c]‖².
	NormSum
	// NormEntryMean: L = Σ_c ‖p_c − T[:,c]‖² / (n·C), the mean over all n·C
	// entries of (p − T)², like a mean-squared error (the public reference code).
	NormEntryMean
)

// String returns "batch-mean", "sum" or "entry-mean".
func (m Normalization) String() string {
	switch m {
	case NormBatchMean:
		return "batch-mean"
	case NormSum:
		return "sum"
	case NormEntryMean:
		return "entry-mean"
	}
	return fmt.Sprintf("Normalization(%d)", int(m))
}

// scale is the factor s in L = s·Σ (p − T)² for n samples of C classes.
func (m Normalization) scale(n, classes int) float64 {
	switch m {
	case NormSum:
		return 0.5
	case NormEntryMean:
		return 1 / float64(n*classes)
	}
	return 0.5 / float64(n)
}

// LossOptions configures HyperSimplexLoss and BinaryHyperSimplexLoss.
// The zero value is invalid (Tau = 0); start from DefaultLossOptions.
type LossOptions struct {
	Tau           float64   // temperature τ > 0 (an error otherwise; no silent default)
	KPolicy       KPolicy   // how k_c is chosen
	Prior         []float64 // π_c per class for KPrior (binary: one entry, the positive rate)
	Fraction      float64   // f in (0, 1] for KFraction and KFractionFloor
	Normalization Normalization
	Regularizer   Regularizer // the projection: Euclidean (the paper's, default) or Entropic
}

// DefaultLossOptions returns τ = 1.5 (the paper's), KBatch and NormBatchMean.
func DefaultLossOptions() LossOptions {
	return LossOptions{Tau: 1.5, KPolicy: KBatch, Normalization: NormBatchMean}
}

// ReferenceLossOptions returns the HyperSimplex loss as the public reference
// code computes it: τ = 1.5, k_c = ⌊n/2⌋ for every class (KFractionFloor
// with f = ½, also on an odd last batch) and the mean over all n·C entries
// (NormEntryMean).
func ReferenceLossOptions() LossOptions {
	return LossOptions{Tau: 1.5, KPolicy: KFractionFloor, Fraction: 0.5, Normalization: NormEntryMean}
}

// priorSumTolerance is how far from 1 the class priors may sum (they are
// typically frequencies computed in float64 or read from a file).
const priorSumTolerance = 1e-6

// Validate checks the options for a loss over the given number of classes
// (1 for the binary loss, whose Prior is the positive rate alone): τ finite
// and at least 2⁻¹⁰²², as Project requires (a float32 loss also needs τ to
// be neither 0 nor +Inf in float32, which it checks when it is built); a
// known KPolicy and Normalization; for KPrior, one prior per class, each in
// [0, 1], summing to 1 (multiclass); for KFraction and KFractionFloor, f in
// (0, 1].
func (o LossOptions) Validate(classes int) error {
	if err := hypersimplex.CheckTau(o.Tau); err != nil {
		return &prefixedError{prefix: "op: LossOptions.Tau: ", err: err}
	}
	if classes < 1 {
		return fmt.Errorf("op: LossOptions: %d classes, want at least 1", classes)
	}
	if err := o.Regularizer.validate(); err != nil {
		return err
	}
	switch o.Normalization {
	case NormBatchMean, NormSum, NormEntryMean:
	default:
		return fmt.Errorf("op: LossOptions.Normalization = %v, want NormBatchMean, NormSum or NormEntryMean", o.Normalization)
	}
	switch o.KPolicy {
	case KBatch:
		return nil
	case KPrior:
		if len(o.Prior) != classes {
			return fmt.Errorf("op: LossOptions.Prior has %d entries, want %d (one per class) for KPrior", len(o.Prior), classes)
		}
		sum := 0.0
		for c, p := range o.Prior {
			if !(p >= 0 && p <= 1) {
				return fmt.Errorf("op: LossOptions.Prior[%d] = %v, want a frequency in [0, 1]", c, p)
			}
			sum += p
		}
		if classes > 1 && math.Abs(sum-1) > priorSumTolerance {
			return fmt.Errorf("op: LossOptions.Prior sums to %v, want 1 (within %g)", sum, priorSumTolerance)
		}
		return nil
	case KFraction, KFractionFloor:
		if !(o.Fraction > 0 && o.Fraction <= 1) {
			return fmt.Errorf("op: LossOptions.Fraction = %v, want f in (0, 1] for %s", o.Fraction, o.KPolicy)
		}
		return nil
	}
	return fmt.Errorf("op: LossOptions.KPolicy = %v, want KBatch, KPrior, KFraction or KFractionFloor", o.KPolicy)
}

package train

import (
	"fmt"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/op"
)

// newHead returns the loss head called name with the options of cfg. The
// prior k policy uses the class frequencies of the training split.
func newHead(cfg Config, name string, trainSplit datasets.Split, classes int) (nn.Head, error) {
	opts := nn.DefaultHeadOptions()
	opts.HingeMargin = cfg.HingeMargin
	hs := op.DefaultLossOptions()
	hs.Tau = cfg.Tau
	switch cfg.KPolicy {
	case "batch":
		hs.KPolicy = op.KBatch
	case "prior":
		hs.KPolicy = op.KPrior
		counts := trainSplit.ClassCounts(classes)
		hs.Prior = make([]float64, classes)
		for c, n := range counts {
			hs.Prior[c] = float64(n) / float64(trainSplit.Len())
		}
	case "fraction":
		hs.KPolicy = op.KFraction
		hs.Fraction = cfg.Fraction
	case "fraction-floor":
		hs.KPolicy = op.KFractionFloor
		hs.Fraction = cfg.Fraction
	default:
		return nil, fmt.Errorf("unknown k policy %q", cfg.KPolicy)
	}
	switch cfg.Normalization {
	case "batch-mean":
		hs.Normalization = op.NormBatchMean
	case "sum":
		hs.Normalization = op.NormSum
	case "entry-mean":
		hs.Normalization = op.NormEntryMean
	default:
		return nil, fmt.Errorf("unknown normalization %q", cfg.Normalization)
	}
	switch cfg.Regularizer {
	case "", "euclidean":
		hs.Regularizer = op.Euclidean
	case "entropic":
		hs.Regularizer = op.Entropic
	default:
		return nil, fmt.Errorf("unknown regularizer %q", cfg.Regularizer)
	}
	opts.HS = hs
	return nn.NewHead(name, opts)
}

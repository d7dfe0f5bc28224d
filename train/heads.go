package train

import (
	"fmt"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"github.com/hypersimplex/hsloss/train/results"
)

// newHead returns the loss head called name with the options of cfg. The
// prior k policy uses the class frequencies of the training split.
func newHead(cfg results.Config, name string, trainSplit datasets.Split, classes int) (nn.Head, error) {
	opts := nn.DefaultHeadOptions()
	opts.HingeMargin = cfg.HingeMargin
	hs := hypersimplex.DefaultLossOptions()
	hs.Tau = cfg.Tau
	switch cfg.KPolicy {
	case "batch":
		hs.KPolicy = hypersimplex.KBatch
	case "prior":
		hs.KPolicy = hypersimplex.KPrior
		counts := trainSplit.ClassCounts(classes)
		hs.Prior = make([]float64, classes)
		for c, n := range counts {
			hs.Prior[c] = float64(n) / float64(trainSplit.Len())
		}
	case "fraction":
		hs.KPolicy = hypersimplex.KFraction
		hs.Fraction = cfg.Fraction
	case "fraction-floor":
		hs.KPolicy = hypersimplex.KFractionFloor
		hs.Fraction = cfg.Fraction
	default:
		return nil, fmt.Errorf("unknown k policy %q", cfg.KPolicy)
	}
	switch cfg.Normalization {
	case "batch-mean":
		hs.Reduction = hypersimplex.ReduceBatchMean
	case "sum":
		hs.Reduction = hypersimplex.ReduceSum
	case "entry-mean":
		hs.Reduction = hypersimplex.ReduceEntryMean
	default:
		return nil, fmt.Errorf("unknown normalization %q", cfg.Normalization)
	}
	opts.HS = hs
	return nn.NewHead(name, opts)
}

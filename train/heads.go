package train

import (
	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"github.com/hypersimplex/hsloss/train/results"
)

// newHead returns the loss head called name with the options of cfg. The
// prior k policy uses the class frequencies of the training split.
func newHead(cfg results.Config, name string, trainSplit datasets.Split, classes int) (nn.Head, error) {
	return nn.NewHead(name, headOptions(cfg, trainSplit.ClassCounts(classes)))
}

// headOptions returns the head options of cfg; counts are the classes'
// sample counts in the training split, whose frequencies are the prior k
// policy's priors.
func headOptions(cfg results.Config, counts []int) nn.HeadOptions {
	opts := nn.DefaultHeadOptions()
	opts.HingeMargin = cfg.HingeMargin
	opts.HS = hypersimplex.LossOptions{Tau: cfg.Tau, KPolicy: cfg.KPolicy, Fraction: cfg.Fraction, Reduction: cfg.Reduction, Regularizer: cfg.Regularizer}
	if cfg.KPolicy == hypersimplex.KPrior {
		total := 0
		for _, n := range counts {
			total += n
		}
		opts.HS.Prior = make([]float64, len(counts))
		for c, n := range counts {
			opts.HS.Prior[c] = float64(n) / float64(total)
		}
	}
	return opts
}

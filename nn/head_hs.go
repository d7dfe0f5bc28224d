package nn

import (
	"fmt"
	"math"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
)

// hyperSimplexHead is the HyperSimplex loss of package op: every class
// column of the logits is projected over the batch onto the hypersimplex,
// p_c = Π_{Δ(n,k_c)}(X[:,c]/τ), and compared with the targets,
//
//	L = s · Σ_c ‖p_c − T[:,c]‖²,
//
// with τ, the k policy and the scale s from HeadOptions.HS (default
// τ = 1.5, k_c = Σ_i T[i,c], s = ½/n: the batch mean). See
// op.HyperSimplexLoss.
type hyperSimplexHead struct {
	opts op.LossOptions
}

// newHyperSimplexHead checks what can be checked before the number of
// classes is known (τ; the priors of KPrior); op.HyperSimplexLoss validates
// the rest.
func newHyperSimplexHead(opts HeadOptions) (Head, error) {
	o := opts.HS
	if !(o.Tau > 0) || math.IsInf(o.Tau, 0) {
		return nil, fmt.Errorf("nn: hs head: HS.Tau = %v, want a finite value > 0", o.Tau)
	}
	if o.KPolicy == op.KPrior {
		if err := o.Validate(len(o.Prior)); err != nil {
			return nil, fmt.Errorf("nn: hs head: %w", err)
		}
	}
	return hyperSimplexHead{opts: o}, nil
}

// Name returns "hs".
func (hyperSimplexHead) Name() string { return "hs" }

// Loss returns op.HyperSimplexLoss(logits, onehot, HS options).
func (h hyperSimplexHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	loss, err := op.HyperSimplexLoss(logits, onehot, h.opts)
	if err != nil {
		return nil, fmt.Errorf("nn: hs head: %w", err)
	}
	return loss, nil
}

package nn

import (
	"fmt"
	"math"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
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
	name string
	opts hypersimplex.LossOptions
}

// newHyperSimplexHead checks what can be checked before the number of
// classes is known (τ; the priors of KPrior); op.HyperSimplexLoss validates
// the rest.
func newHyperSimplexHead(opts HeadOptions) (Head, error) {
	o := opts.HS
	if !(o.Tau > 0) || math.IsInf(o.Tau, 0) {
		return nil, fmt.Errorf("nn: hs head: HS.Tau = %v, want a finite value > 0", o.Tau)
	}
	if o.KPolicy == hypersimplex.KPrior {
		if err := o.Validate(len(o.Prior)); err != nil {
			return nil, fmt.Errorf("nn: hs head: %w", err)
		}
	}
	return hyperSimplexHead{name: "hs", opts: o}, nil
}

// newReferenceHyperSimplexHead returns the "hs-ref" head: the HyperSimplex
// loss as the public reference code computes it (hypersimplex.ReferenceLossOptions:
// k_c = ⌊n/2⌋ for every class, the mean over all n·C entries) with τ from
// opts.HS.Tau.
func newReferenceHyperSimplexHead(opts HeadOptions) (Head, error) {
	o := hypersimplex.ReferenceLossOptions()
	o.Tau = opts.HS.Tau
	if !(o.Tau > 0) || math.IsInf(o.Tau, 0) {
		return nil, fmt.Errorf("nn: hs-ref head: HS.Tau = %v, want a finite value > 0", o.Tau)
	}
	return hyperSimplexHead{name: "hs-ref", opts: o}, nil
}

// Name returns "hs" or "hs-ref".
func (h hyperSimplexHead) Name() string { return h.name }

// Loss returns op.HyperSimplexLoss(logits, onehot, HS options).
func (h hyperSimplexHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	loss, err := op.HyperSimplexLoss(logits, onehot, h.opts)
	if err != nil {
		return nil, fmt.Errorf("nn: %s head: %w", h.name, err)
	}
	return loss, nil
}

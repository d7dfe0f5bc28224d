package nn

import (
	"fmt"

	"github.com/hypersimplex/hsloss/op"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
)

// OffsetHead is a head whose loss also trains the class offsets: the
// output layer's bias b (1 × classes, OutputBias) that the logits include.
type OffsetHead interface {
	Head
	// LossWithOffsets adds the loss of logits that include offsets, which
	// it trains; logits and onehot as for Loss.
	LossWithOffsets(logits, onehot, offsets *G.Node) (*G.Node, error)
}

// hyperSimplexOffsetHead is the HyperSimplex loss with its class offsets
// learned in training (op.HyperSimplexLossWithOffsets): the network is
// trained by the "hs" head's loss alone and the output layer's bias by the
// cross-entropy of the softmax of the logits (op.ClassOffsetLoss), so the
// plain argmax of the logits predicts:
//
//	L = HS(Z, T) + CE(softmax(Z̄ + b), T),   Z = Z̄ + b,   Z̄ held fixed in CE.
type hyperSimplexOffsetHead struct {
	opts hypersimplex.LossOptions
}

var _ OffsetHead = hyperSimplexOffsetHead{}

// newHyperSimplexOffsetHead checks the HS options as the "hs" head does.
func newHyperSimplexOffsetHead(opts HeadOptions) (Head, error) {
	h, err := newHyperSimplexHead(opts)
	if err != nil {
		return nil, fmt.Errorf("nn: hs-offset head: %w", err)
	}
	return hyperSimplexOffsetHead{opts: h.(hyperSimplexHead).opts}, nil
}

// Name returns "hs-offset".
func (hyperSimplexOffsetHead) Name() string { return "hs-offset" }

// Loss reports that the head needs the offsets: call LossWithOffsets.
func (h hyperSimplexOffsetHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	return nil, fmt.Errorf("nn: hs-offset head: it trains the class offsets: call LossWithOffsets with the output layer's bias (OutputBias)")
}

// LossWithOffsets returns op.HyperSimplexLossWithOffsets(logits, onehot,
// offsets, HS options).
func (h hyperSimplexOffsetHead) LossWithOffsets(logits, onehot, offsets *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	loss, err := op.HyperSimplexLossWithOffsets(logits, onehot, offsets, h.opts)
	if err != nil {
		return nil, fmt.Errorf("nn: hs-offset head: %w", err)
	}
	return loss, nil
}

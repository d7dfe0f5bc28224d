package nn

import G "gorgonia.org/gorgonia"

// crossEntropyHead is the softmax cross-entropy, averaged over the batch:
//
//	L = −(1/n) Σ_i Σ_c T[i,c] · log softmax(X[i,:])_c
//	log softmax(x)_c = x_c − max(x) − log Σ_j exp(x_j − max(x))
//
// (the row maximum is subtracted, so large logits do not overflow), one
// op (crossEntropyOp) with float64 sums. Gradient: ∂L/∂X = (softmax(X) −
// T)/n for one-hot T; T gets none.
type crossEntropyHead struct{}

// Name returns "ce".
func (crossEntropyHead) Name() string { return "ce" }

// Loss returns the batch-mean cross-entropy (see crossEntropyHead).
func (h crossEntropyHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	loss, err := G.ApplyOp(crossEntropyOp{}, logits, onehot)
	if err != nil {
		return nil, wrap(h.Name(), "cross-entropy", err)
	}
	return loss, nil
}

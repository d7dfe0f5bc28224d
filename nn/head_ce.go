package nn

import G "gorgonia.org/gorgonia"

// crossEntropyHead is the softmax cross-entropy, averaged over the batch:
//
//	L = −(1/n) Σ_i Σ_c T[i,c] · log softmax(X[i,:])_c
//	log softmax(x)_c = x_c − max(x) − log Σ_j exp(x_j − max(x))
//
// (Gorgonia's LogSoftMax, which subtracts the row maximum, so large logits
// do not overflow). Gradient: ∂L/∂X = (softmax(X) − T)/n for one-hot T.
type crossEntropyHead struct{}

// Name returns "ce".
func (crossEntropyHead) Name() string { return "ce" }

// Loss returns the batch-mean cross-entropy (see crossEntropyHead).
func (h crossEntropyHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	lsm, err := G.LogSoftMax(logits)
	if err != nil {
		return nil, wrap(h.Name(), "log-softmax", err)
	}
	picked, err := G.HadamardProd(onehot, lsm)
	if err != nil {
		return nil, wrap(h.Name(), "T ⊙ log-softmax", err)
	}
	total, err := G.Sum(picked)
	if err != nil {
		return nil, wrap(h.Name(), "sum", err)
	}
	n := float64(logits.Shape()[0])
	loss, err := G.HadamardProd(total, constant(logits.Dtype(), -1/n))
	if err != nil {
		return nil, wrap(h.Name(), "−1/n scaling", err)
	}
	return loss, nil
}

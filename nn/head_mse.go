package nn

import G "gorgonia.org/gorgonia"

// mseHead is the mean squared error of the raw logits against the one-hot
// targets, with no projection (the paper's ablation of the HyperSimplex
// loss), averaged over all n·C entries like PyTorch's MSELoss:
//
//	L = (1/(n·C)) Σ_i Σ_c (X[i,c] − T[i,c])²,   ∂L/∂X = 2(X − T)/(n·C).
type mseHead struct{}

// Name returns "mse".
func (mseHead) Name() string { return "mse" }

// Loss returns the entry-mean squared error (see mseHead).
func (h mseHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	return entryMeanSquare(h.Name(), logits, onehot)
}

// entryMeanSquare adds the mean over all entries of (a − b)², the loss of
// the heads mse (a = logits) and brier (a = softmax of the logits).
func entryMeanSquare(head string, a, b *G.Node) (*G.Node, error) {
	diff, err := G.Sub(a, b)
	if err != nil {
		return nil, wrap(head, "difference", err)
	}
	sq, err := G.Square(diff)
	if err != nil {
		return nil, wrap(head, "square", err)
	}
	loss, err := G.Mean(sq)
	if err != nil {
		return nil, wrap(head, "mean", err)
	}
	return loss, nil
}

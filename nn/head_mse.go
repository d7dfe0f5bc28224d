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
	diff, err := G.Sub(logits, onehot)
	if err != nil {
		return nil, wrap(h.Name(), "X − T", err)
	}
	sq, err := G.Square(diff)
	if err != nil {
		return nil, wrap(h.Name(), "square", err)
	}
	loss, err := G.Mean(sq)
	if err != nil {
		return nil, wrap(h.Name(), "mean", err)
	}
	return loss, nil
}

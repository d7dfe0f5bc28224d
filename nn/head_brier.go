package nn

import G "gorgonia.org/gorgonia"

// brierHead is the Brier score: the squared error of the softmax
// probabilities against the one-hot targets, averaged over all n·C entries.
// It is what the public reference code calls its "MSE" baseline:
//
//	P = softmax(X) row by row,   L = (1/(n·C)) Σ_i Σ_c (P[i,c] − T[i,c])²,
//	∂L/∂X[i,j] = P[i,j]·(G[i,j] − Σ_c G[i,c]·P[i,c]),   G = 2(P − T)/(n·C).
//
// The "mse" head is the same error on the raw logits (our ablation).
type brierHead struct{}

// Name returns "brier".
func (brierHead) Name() string { return "brier" }

// Loss returns the entry-mean Brier score (see brierHead).
func (h brierHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	p, err := G.SoftMax(logits)
	if err != nil {
		return nil, wrap(h.Name(), "softmax", err)
	}
	return entryMeanSquare(h.Name(), p, onehot)
}

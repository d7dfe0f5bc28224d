package nn

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// hingeHead is the Weston–Watkins multiclass hinge loss with margin Δ,
// summed over the wrong classes and averaged over the batch:
//
//	L = (1/n) Σ_i Σ_{c ≠ y_i} max(0, Δ + X[i,c] − X[i,y_i])
//
// Built as ReLU(X − s·1ᵀ + Δ(1 − T)) with s_i = Σ_c T[i,c] X[i,c]: the
// entry of the true class is exactly 0 and contributes nothing (its
// derivative cancels: X[i,y_i] − s_i does not depend on X). Gradient: for
// c ≠ y_i, ∂L/∂X[i,c] = 1[Δ + X[i,c] − X[i,y_i] ≥ 0]/n, and ∂L/∂X[i,y_i]
// is minus the number of such classes over n. At the kink (a class exactly
// at the margin) Gorgonia's ReLU′(0) = 1 counts the class; PyTorch counts
// it with 0; both are subgradients. PyTorch's MultiMarginLoss is this loss
// divided by C as well.
type hingeHead struct {
	margin float64
}

// newHingeHead checks the margin.
func newHingeHead(opts HeadOptions) (Head, error) {
	m := opts.HingeMargin
	if !(m > 0) || math.IsInf(m, 0) {
		return nil, fmt.Errorf("nn: hinge head: HingeMargin = %v, want a finite value > 0", m)
	}
	return hingeHead{margin: m}, nil
}

// Name returns "hinge".
func (hingeHead) Name() string { return "hinge" }

// Loss returns the batch-mean Weston–Watkins hinge loss (see hingeHead).
func (h hingeHead) Loss(logits, onehot *G.Node) (*G.Node, error) {
	if err := checkHeadInputs(h.Name(), logits, onehot); err != nil {
		return nil, err
	}
	dt := logits.Dtype()
	n := logits.Shape()[0]
	picked, err := G.HadamardProd(logits, onehot)
	if err != nil {
		return nil, wrap(h.Name(), "X ⊙ T", err)
	}
	s, err := G.Sum(picked, 1)
	if err != nil {
		return nil, wrap(h.Name(), "true-class score", err)
	}
	if s, err = G.Reshape(s, []int{n, 1}); err != nil {
		return nil, wrap(h.Name(), "reshape scores", err)
	}
	rel, err := G.BroadcastSub(logits, s, nil, []byte{1})
	if err != nil {
		return nil, wrap(h.Name(), "X − s·1ᵀ", err)
	}
	// Δ(1 − T) = Δ − Δ·T
	dT, err := G.HadamardProd(onehot, constant(dt, h.margin))
	if err != nil {
		return nil, wrap(h.Name(), "Δ·T", err)
	}
	if rel, err = G.Add(rel, constant(dt, h.margin)); err != nil {
		return nil, wrap(h.Name(), "+Δ", err)
	}
	if rel, err = G.Sub(rel, dT); err != nil {
		return nil, wrap(h.Name(), "−Δ·T", err)
	}
	viol, err := G.Rectify(rel)
	if err != nil {
		return nil, wrap(h.Name(), "ReLU", err)
	}
	total, err := G.Sum(viol)
	if err != nil {
		return nil, wrap(h.Name(), "sum", err)
	}
	loss, err := G.HadamardProd(total, constant(dt, 1/float64(n)))
	if err != nil {
		return nil, wrap(h.Name(), "1/n scaling", err)
	}
	return loss, nil
}

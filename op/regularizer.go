package op

import (
	"fmt"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
)

// Regularizer chooses the projection onto the hypersimplex Δ(n,k) behind
// SoftBinaryArgmax and the HyperSimplex loss.
type Regularizer int

const (
	// Euclidean is the paper's Soft-Binary-Argmax@k: the Euclidean
	// projection y = Π_{Δ(n,k)}(x/τ) (hypersimplex.Project), sparse: entries
	// clipped at 0 or 1 get no gradient.
	Euclidean Regularizer = iota
	// Entropic is the binary-entropy projection (Amos, Xu, Kolter, "The
	// Limited Multi-Label Projection Layer", 2019), y_i = σ((x_i − ν)/τ)
	// with Σ y = k (hypersimplex.ProjectEntropic): dense, every entry gets a
	// gradient. At k = 0 or k = n, where it has no interior solution, the
	// op returns the only feasible point (all 0 or all 1) and a zero
	// gradient, its limit.
	Entropic
)

// String returns "euclidean" or "entropic".
func (r Regularizer) String() string {
	switch r {
	case Euclidean:
		return "euclidean"
	case Entropic:
		return "entropic"
	}
	return fmt.Sprintf("Regularizer(%d)", int(r))
}

// validate reports an unknown regularizer.
func (r Regularizer) validate() error {
	if r != Euclidean && r != Entropic {
		return fmt.Errorf("op: LossOptions.Regularizer = %v, want Euclidean or Entropic", r)
	}
	return nil
}

// EntropicSoftBinaryArgmax is SoftBinaryArgmax with the binary-entropy
// regulariser: every row of x (a vector, or a matrix of rows × n) is mapped
// to y_row = argmin_{y ∈ Δ(n, k_row)} −⟨x_row/τ, y⟩ + Σ_i H(y_i), H(p) =
// p log p + (1 − p) log(1 − p), that is y_i = σ((x_i − ν)/τ) with ν such
// that Σ y = k_row. Arguments, errors and gradients as in SoftBinaryArgmax;
// the backward pass is Jᵀg = (1/τ)(d ⊙ g − d·(dᵀg)/Σd), d = y ⊙ (1 − y).
func EntropicSoftBinaryArgmax(x, k *G.Node, tau float64) (*G.Node, error) {
	return applySBA(x, k, tau, false, Entropic)
}

// projectLine is the forward kernel of one line for the regularizer.
// Entropic falls back to Project at k = 0 and k = n (all 0 or all 1, the
// only feasible point) and for k outside [0, n] (its error).
func projectLine[T float32 | float64](r Regularizer, y, x []T, k, tau T) error {
	if r == Entropic && k > 0 && k < T(len(x)) {
		return hypersimplex.ProjectEntropic(y, x, k, tau)
	}
	return hypersimplex.Project(y, x, k, tau)
}

// vjpLine is the backward kernel of one line for the regularizer.
func vjpLine[T float32 | float64](r Regularizer, dx, y, g []T, tau T) error {
	if r == Entropic {
		return hypersimplex.ProjectEntropicVJP(dx, y, g, tau)
	}
	return hypersimplex.ProjectVJP(dx, y, g, tau)
}

package op

import (
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
)

// EntropicSoftBinaryArgmax is SoftBinaryArgmax with the binary-entropy
// regulariser: every row of x (a vector, or a matrix of rows × n) is mapped
// to y_row = argmin_{y ∈ Δ(n, k_row)} −⟨x_row/τ, y⟩ + Σ_i H(y_i), H(p) =
// p log p + (1 − p) log(1 − p), that is y_i = σ((x_i − ν)/τ) with ν such
// that Σ y = k_row. Arguments, errors and gradients as in SoftBinaryArgmax;
// the backward pass is Jᵀg = (1/τ)(d ⊙ g − d·(dᵀg)/Σd), d = y ⊙ (1 − y).
func EntropicSoftBinaryArgmax(x, k *G.Node, tau float64) (*G.Node, error) {
	return applySBA(x, k, tau, false, hypersimplex.Entropic)
}

// projectLine is the forward kernel of one line for the regularizer.
// Entropic falls back to Project at k = 0 and k = n (all 0 or all 1, the
// only feasible point) and for k outside [0, n] (its error).
func projectLine[T float32 | float64](r hypersimplex.Regularizer, y, x []T, k, tau T) error {
	if r == hypersimplex.Entropic && k > 0 && k < T(len(x)) {
		return hypersimplex.ProjectEntropic(y, x, k, tau)
	}
	return hypersimplex.Project(y, x, k, tau)
}

// vjpLine is the backward kernel of one line for the regularizer.
func vjpLine[T float32 | float64](r hypersimplex.Regularizer, dx, y, g []T, tau T) error {
	if r == hypersimplex.Entropic {
		return hypersimplex.ProjectEntropicVJP(dx, y, g, tau)
	}
	return hypersimplex.ProjectVJP(dx, y, g, tau)
}

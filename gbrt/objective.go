package gbrt

import (
	"fmt"
	"math"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Hessian selects the second-order term that HSObjective hands to the
// booster, which sets every leaf value to −Σg/(Σh + λ) over the samples in
// the leaf.
type Hessian int

const (
	// HessianOnes is h_i = 1 for every sample, what the public reference
	// scripts pass. Samples outside the active set have g_i = 0 but still
	// count in Σh, so a leaf's step is diluted by the clipped samples in it.
	HessianOnes Hessian = iota
	// HessianGaussNewton is the diagonal of the Gauss–Newton matrix of L,
	// (2/n)·JᵀJ = (2/(nτ²))·P_A:
	//
	//	h_i = (2/(nτ²))·(1 − 1/|A|) for i ∈ A,  0 elsewhere.
	//
	// A leaf's step is then a Newton step of the local quadratic, of the
	// order of τ.
	HessianGaussNewton
	// HessianActive is h_i = 1 on the active set A and 0 elsewhere: the
	// reference's step size without the dilution by clipped samples.
	HessianActive
	// HessianConstant is h_i = 2/(nτ²) for every sample: the Gauss–Newton
	// value of the start (all margins equal, A = everything) kept for all
	// samples, i.e. the reference's ones rescaled by 2/(nτ²). Ones give a
	// step (nτ²/2)·(GN step) on the active set, so the reference's
	// Hessian acts like this one when nτ²/2 ≈ 1 (n ≈ 2·10⁶ at τ = 0.001,
	// the size of the paper's datasets) and makes steps hundreds of times
	// larger than τ on data of a few thousand rows.
	HessianConstant
)

// String returns the name used by ParseObjective ("ones", "gn", "active").
func (h Hessian) String() string {
	switch h {
	case HessianOnes:
		return "ones"
	case HessianGaussNewton:
		return "gn"
	case HessianActive:
		return "active"
	case HessianConstant:
		return "const"
	}
	return fmt.Sprintf("Hessian(%d)", int(h))
}

// ReferenceTau is the temperature of the public reference scripts.
const ReferenceTau = 0.001

// HSObjective is the binary HyperSimplex loss over the whole training set
// (see the package documentation): L(x) = (1/n)‖Π_{Δ(n,k)}(x/τ) − t‖² with
// k = Σ t_i.
type HSObjective struct {
	Tau     float64 // temperature τ > 0 (ReferenceTau in the reference)
	Hessian Hessian // second-order term handed to the booster
}

// HSStats describes the objective at one set of margins.
type HSStats struct {
	Loss   float64 // L(x)
	Active int     // |A|, the samples with a non-zero gradient (at most)
}

// GradHess computes the loss L at the margins x for labels t and writes
// its gradient ∇L = (2/n)·Jᵀ(y − t) into grad and the Hessian term chosen
// by o.Hessian into hess. It costs one projection and one VJP, O(n)
// expected. x and t are left unchanged.
//
// Errors (nothing written): lengths that differ or are 0, τ not a finite
// positive number, an unknown Hessian, a non-finite margin, a label other
// than 0 or 1.
func (o HSObjective) GradHess(grad, hess, x []float64, t []float32) (HSStats, error) {
	n := len(x)
	switch {
	case n == 0:
		return HSStats{}, fmt.Errorf("gbrt: objective: no samples (len(x) = 0)")
	case len(t) != n:
		return HSStats{}, fmt.Errorf("gbrt: objective: len(labels) = %d differs from len(x) = %d", len(t), n)
	case len(grad) != n:
		return HSStats{}, fmt.Errorf("gbrt: objective: len(grad) = %d differs from len(x) = %d", len(grad), n)
	case len(hess) != n:
		return HSStats{}, fmt.Errorf("gbrt: objective: len(hess) = %d differs from len(x) = %d", len(hess), n)
	case !(o.Tau > 0) || math.IsInf(o.Tau, 1):
		return HSStats{}, fmt.Errorf("gbrt: objective: τ = %v is not a finite positive number", o.Tau)
	case o.Hessian < HessianOnes || o.Hessian > HessianConstant:
		return HSStats{}, fmt.Errorf("gbrt: objective: unknown Hessian %v", o.Hessian)
	}
	k := 0.0
	for i, v := range t {
		if v != 0 && v != 1 {
			return HSStats{}, fmt.Errorf("gbrt: objective: label[%d] = %v is not 0 or 1", i, v)
		}
		k += float64(v)
	}
	y := make([]float64, n)
	if err := hypersimplex.Project(y, x, k, o.Tau); err != nil {
		return HSStats{}, fmt.Errorf("gbrt: objective: margins: %w", err)
	}
	// r = (2/n)(y − t) is ∂L/∂y; grad = Jᵀr.
	r := make([]float64, n)
	scale := 2 / float64(n)
	active, loss := 0, 0.0
	for i := range y {
		d := y[i] - float64(t[i])
		loss += d * d
		r[i] = scale * d
		if y[i] > 0 && y[i] < 1 {
			active++
		}
	}
	loss /= float64(n)
	if err := hypersimplex.ProjectVJP(grad, y, r, o.Tau); err != nil {
		return HSStats{}, fmt.Errorf("gbrt: objective: %w", err)
	}
	gn := 0.0
	if active > 0 {
		gn = scale / (o.Tau * o.Tau) * (1 - 1/float64(active))
	}
	for i := range hess {
		inA := y[i] > 0 && y[i] < 1
		switch {
		case o.Hessian == HessianOnes:
			hess[i] = 1
		case o.Hessian == HessianConstant:
			hess[i] = scale / (o.Tau * o.Tau)
		case !inA:
			hess[i] = 0
		case o.Hessian == HessianGaussNewton:
			hess[i] = gn
		default:
			hess[i] = 1
		}
	}
	return HSStats{Loss: loss, Active: active}, nil
}

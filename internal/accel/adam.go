package accel

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Adam is the Adam optimiser (Kingma & Ba, https://arxiv.org/abs/1412.6980)
// as one fused pass per parameter tensor, a drop-in G.Solver for
// gorgonia's AdamSolver (without its batch scaling, L1/L2 and clipping
// options). Step t updates every parameter w with gradient g as
//
//	m ← β₁·m + (1−β₁)·g
//	v ← β₂·v + (1−β₂)·g²
//	w ← w − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
//
// and then sets g to zero (the TapeMachine accumulates gradients). The
// arithmetic follows AdamSolver's order, so both give the same weights up to
// rounding. AdamSolver makes four full-size copies and about twelve passes
// over each parameter per step; Adam reads w, g, m, v once, writes them
// once and allocates nothing after the first step, which allocates m and v.
//
// The state is kept per position in the slice passed to Step, as in
// AdamSolver: pass the parameters in the same order every step.
type Adam struct {
	lr, beta1, beta2, eps float64
	iter                  int
	state                 []adamState
	lrOf                  map[int]float64 // learning rates of SetLearnRate, by position
}

// SetLearnRate gives the parameter at position i of Step's slice its own
// learning rate lr > 0 (finite) instead of the optimiser's.
func (a *Adam) SetLearnRate(i int, lr float64) error {
	if i < 0 {
		return fmt.Errorf("accel: Adam: parameter position %d < 0", i)
	}
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("accel: Adam: learning rate %v of parameter %d, want a finite value > 0", lr, i)
	}
	if a.lrOf == nil {
		a.lrOf = map[int]float64{}
	}
	a.lrOf[i] = lr
	return nil
}

// adamState holds the moment estimates m and v of one parameter tensor;
// exactly one of the pairs is used, by the tensor's dtype.
type adamState struct {
	m32, v32 []float32
	m64, v64 []float64
}

// NewAdam returns an Adam optimiser with learning rate lr > 0, decay rates
// β₁, β₂ in [0, 1) and ε > 0 (gorgonia's and the paper's defaults: 0.9,
// 0.999, 1e-8).
func NewAdam(lr, beta1, beta2, eps float64) (*Adam, error) {
	switch {
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, fmt.Errorf("accel: Adam: learning rate %v, want a finite value > 0", lr)
	case !(beta1 >= 0 && beta1 < 1):
		return nil, fmt.Errorf("accel: Adam: beta1 = %v outside [0, 1)", beta1)
	case !(beta2 >= 0 && beta2 < 1):
		return nil, fmt.Errorf("accel: Adam: beta2 = %v outside [0, 1)", beta2)
	case !(eps > 0) || math.IsInf(eps, 0):
		return nil, fmt.Errorf("accel: Adam: epsilon = %v, want a finite value > 0", eps)
	}
	return &Adam{lr: lr, beta1: beta1, beta2: beta2, eps: eps}, nil
}

// Step applies one Adam update to every parameter of model, in place, and
// zeroes the gradients. Every value and gradient must be a dense float32
// or float64 tensor of the same shape; the parameters must keep their
// position and size between steps.
func (a *Adam) Step(model []G.ValueGrad) error {
	if a.state == nil {
		a.state = make([]adamState, len(model))
	}
	if len(model) != len(a.state) {
		return fmt.Errorf("accel: Adam: got %d parameters, the first step had %d", len(model), len(a.state))
	}
	a.iter++
	c := adamCoefficients{
		beta1: a.beta1, beta2: a.beta2, eps: a.eps, negLR: -a.lr,
		bias1: 1 - math.Pow(a.beta1, float64(a.iter)),
		bias2: 1 - math.Pow(a.beta2, float64(a.iter)),
	}
	for i, p := range model {
		w, g, err := weightAndGrad(p)
		if err != nil {
			return fmt.Errorf("accel: Adam: parameter %d: %w", i, err)
		}
		if g.Dtype() != w.Dtype() || g.Len() != w.Len() {
			return fmt.Errorf("accel: Adam: parameter %d: gradient %v %v does not match value %v %v", i, g.Dtype(), g.Shape(), w.Dtype(), w.Shape())
		}
		c.negLR = -a.lr
		if lr, ok := a.lrOf[i]; ok {
			c.negLR = -lr
		}
		s := &a.state[i]
		// Typed accessors: Data() would box the slice (an allocation).
		switch w.Dtype() {
		case tensor.Float32:
			if s.m32 == nil {
				s.m32, s.v32 = make([]float32, w.Len()), make([]float32, w.Len())
			}
			if len(s.m32) != w.Len() {
				return fmt.Errorf("accel: Adam: parameter %d has %d elements, %d at the first step", i, w.Len(), len(s.m32))
			}
			adamUpdate(w.Float32s(), g.Float32s(), s.m32, s.v32, c)
		case tensor.Float64:
			if s.m64 == nil {
				s.m64, s.v64 = make([]float64, w.Len()), make([]float64, w.Len())
			}
			if len(s.m64) != w.Len() {
				return fmt.Errorf("accel: Adam: parameter %d has %d elements, %d at the first step", i, w.Len(), len(s.m64))
			}
			adamUpdate(w.Float64s(), g.Float64s(), s.m64, s.v64, c)
		default:
			return fmt.Errorf("accel: Adam: parameter %d has dtype %v, want float32 or float64", i, w.Dtype())
		}
	}
	return nil
}

// weightAndGrad returns a parameter's value and gradient as dense tensors.
func weightAndGrad(p G.ValueGrad) (w, g *tensor.Dense, err error) {
	gv, err := p.Grad()
	if err != nil {
		return nil, nil, err
	}
	w, okW := p.Value().(*tensor.Dense)
	g, okG := gv.(*tensor.Dense)
	if !okW || !okG {
		return nil, nil, fmt.Errorf("value %T and gradient %T, want *tensor.Dense", p.Value(), gv)
	}
	return w, g, nil
}

// adamCoefficients are the scalars of one step; bias1 and bias2 are
// 1−β₁ᵗ and 1−β₂ᵗ.
type adamCoefficients struct {
	beta1, beta2, eps, negLR, bias1, bias2 float64
}

// adamUpdate performs one Adam step on w with gradient g and moments m, v
// (all of the same length), then zeroes g. The operations are those of
// gorgonia's AdamSolver in the same order.
func adamUpdate[T float32 | float64](w, g, m, v []T, c adamCoefficients) {
	beta1, beta2 := T(c.beta1), T(c.beta2)
	omBeta1, omBeta2 := 1-beta1, 1-beta2
	eps, negLR := T(c.eps), T(c.negLR)
	corr1, corr2 := 1/T(c.bias1), 1/T(c.bias2) // rounded in T, as AdamSolver does
	g = g[:len(w)]
	m = m[:len(w)]
	v = v[:len(w)]
	for i := range w {
		gi := g[i]
		mi := gi*omBeta1 + m[i]*beta1
		vi := gi*gi*omBeta2 + v[i]*beta2
		m[i], v[i] = mi, vi
		w[i] += mi * corr1 * negLR / (T(math.Sqrt(float64(vi*corr2))) + eps)
		g[i] = 0
	}
}

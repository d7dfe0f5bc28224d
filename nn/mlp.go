package nn

import (
	"fmt"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MLP is a multilayer perceptron: Linear → ReLU for every hidden layer, then
// a final Linear to the logits.
//
//	h₀ = x,  h_{l+1} = ReLU(h_l W_l + b_l),  logits = h_L W_L + b_L
//
// Parameters, in Init's order: fc0.W, fc0.b, fc1.W, fc1.b, …; W_l is
// in × out (He uniform for layers followed by ReLU, Glorot uniform for the
// output layer), b_l is 1 × out, zero. The activation is this package's
// ReLU (branch-free, ReLU′(0) = 0 as in PyTorch), not G.Rectify.
type MLP struct {
	sizes []int // features, hidden..., classes
}

// NewMLP returns the MLP features → hidden[0] → … → classes with ReLU
// hidden layers. hidden may be empty (a linear model).
func NewMLP(features int, hidden []int, classes int) (Architecture, error) {
	if features < 1 {
		return nil, fmt.Errorf("nn: NewMLP: features = %d, want ≥ 1", features)
	}
	if classes < 2 {
		return nil, fmt.Errorf("nn: NewMLP: classes = %d, want ≥ 2", classes)
	}
	for i, h := range hidden {
		if h < 1 {
			return nil, fmt.Errorf("nn: NewMLP: hidden[%d] = %d, want ≥ 1", i, h)
		}
	}
	sizes := append(append([]int{features}, hidden...), classes)
	return &MLP{sizes: sizes}, nil
}

// Name returns "mlp-" followed by the layer sizes, e.g. "mlp-784-512-10".
func (m *MLP) Name() string {
	parts := make([]string, len(m.sizes))
	for i, s := range m.sizes {
		parts[i] = strconv.Itoa(s)
	}
	return "mlp-" + strings.Join(parts, "-")
}

// Init returns the seeded parameters (see MLP).
func (m *MLP) Init(dt tensor.Dtype, seed int64) ([]Param, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkDtype(dt); err != nil {
		return nil, err
	}
	rng := newRand(seed)
	var ps []Param
	last := len(m.sizes) - 2
	for l := 0; l <= last; l++ {
		in, out := m.sizes[l], m.sizes[l+1]
		limit := heLimit(in)
		if l == last {
			limit = glorotLimit(in, out)
		}
		ps = append(ps, linearParams("fc"+strconv.Itoa(l), dt, in, out, limit, rng)...)
	}
	return ps, nil
}

// check rejects an MLP that NewMLP did not make (the zero value has no
// layers).
func (m *MLP) check() error {
	if len(m.sizes) < 2 {
		return fmt.Errorf("nn: MLP has no layers; create it with NewMLP")
	}
	return nil
}

// shapes lists the parameter shapes in Init's order.
func (m *MLP) shapes() []tensor.Shape {
	var s []tensor.Shape
	for l := 0; l+1 < len(m.sizes); l++ {
		s = append(s, tensor.Shape{m.sizes[l], m.sizes[l+1]}, tensor.Shape{1, m.sizes[l+1]})
	}
	return s
}

// Forward adds the MLP to x's graph. training is ignored (no batch norm).
// x is data: the graph has no gradient with respect to it (the first
// layer skips that product; see Linear), only with respect to params.
func (m *MLP) Forward(x *G.Node, params G.Nodes, training bool) (*G.Node, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := checkInput(m.Name(), x, m.sizes[0], params, m.shapes()); err != nil {
		return nil, err
	}
	h := x
	layers := len(m.sizes) - 1
	for l := 0; l < layers; l++ {
		var err error
		if h, err = linearLayer(h, params[2*l], params[2*l+1], l == 0); err != nil {
			return nil, err
		}
		if l < layers-1 {
			if h, err = ReLU(h); err != nil {
				return nil, fmt.Errorf("nn: %s: ReLU: %w", m.Name(), err)
			}
		}
	}
	return h, nil
}

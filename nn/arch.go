package nn

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Architecture builds the same network into any graph (training graph,
// evaluation graph with another batch size).
type Architecture interface {
	// Name is a short description, e.g. "mlp-784-512-512-10".
	Name() string
	// Init returns the seeded initial parameters: the same (dt, seed)
	// gives identical tensors. The last one is the output layer's bias
	// (1 × classes), which the logits include: the class offsets
	// (OutputBias).
	Init(dt tensor.Dtype, seed int64) ([]Param, error)
	// Forward adds the forward pass: x (batch × features) → logits
	// (batch × classes). params are the nodes returned by Bind for this
	// graph, in Init's order. training selects batch statistics (true) or
	// running statistics (false) for batch norm. x is data: the graph
	// need not carry a gradient with respect to it (the MLP's does not),
	// only with respect to params.
	Forward(x *G.Node, params G.Nodes, training bool) (*G.Node, error)
}

// OutputBias returns the node of the output layer's bias among the nodes
// of an Architecture's parameters (Bind of Init's, in order): the last
// one, a 1 × classes row that the logits include. An OffsetHead trains it.
func OutputBias(params G.Nodes) (*G.Node, error) {
	if len(params) == 0 || params[len(params)-1] == nil {
		return nil, fmt.Errorf("nn: OutputBias: no parameter nodes")
	}
	b := params[len(params)-1]
	if s := b.Shape(); s.Dims() != 2 || s[0] != 1 {
		return nil, fmt.Errorf("nn: OutputBias: last parameter %s has shape %v, want (1, classes)", b.Name(), s)
	}
	return b, nil
}

// linearParams returns the seeded parameters of a linear layer: W (in × out)
// uniform with bound limit, b (1 × out) zero.
func linearParams(prefix string, dt tensor.Dtype, in, out int, limit float64, rng *rand.Rand) []Param {
	return []Param{
		uniformParam(prefix+".W", dt, tensor.Shape{in, out}, limit, rng),
		constParam(prefix+".b", dt, tensor.Shape{1, out}, 0),
	}
}

// checkInput verifies that x is a batch × features matrix of a supported
// dtype and that params matches the expected shapes (Init's order).
func checkInput(arch string, x *G.Node, features int, params G.Nodes, want []tensor.Shape) error {
	if x == nil {
		return fmt.Errorf("nn: %s: x is nil", arch)
	}
	if x.Dims() != 2 || x.Shape()[1] != features {
		return fmt.Errorf("nn: %s: x has shape %v, want (batch, %d)", arch, x.Shape(), features)
	}
	if err := checkDtype(x.Dtype()); err != nil {
		return fmt.Errorf("nn: %s: x: %w", arch, err)
	}
	if err := checkParams(arch, params, want); err != nil {
		return err
	}
	for i, p := range params {
		if p.Dtype() != x.Dtype() {
			return fmt.Errorf("nn: %s: parameter %d (%s) has dtype %v, x has %v", arch, i, p.Name(), p.Dtype(), x.Dtype())
		}
	}
	return nil
}

// checkParams checks that params are non-nil nodes of the expected shapes
// (Init's order).
func checkParams(arch string, params G.Nodes, want []tensor.Shape) error {
	if len(params) != len(want) {
		return fmt.Errorf("nn: %s: got %d parameter nodes, want %d", arch, len(params), len(want))
	}
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("nn: %s: parameter node %d is nil", arch, i)
		}
		if !p.Shape().Eq(want[i]) {
			return fmt.Errorf("nn: %s: parameter %d (%s) has shape %v, want %v", arch, i, p.Name(), p.Shape(), want[i])
		}
	}
	return nil
}

package train

import (
	"fmt"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainGraph is the training graph of one run at one batch size, compiled
// once: inputs are bound with G.Let to tensors allocated here, whose backing
// slices the loop refills in place for every batch.
type trainGraph struct {
	g      *G.ExprGraph
	x, y   *G.Node       // batch × features input, batch × classes one-hot targets
	xT, yT *tensor.Dense // their values, reused for every batch
	loss   *G.Node
	params G.Nodes
	// valueGrads are the parameter nodes as the solver takes them.
	valueGrads []G.ValueGrad
	batch      int
	vm         G.VM
}

// newTrainGraph builds arch and head on params for batches of batch rows,
// adds the gradients and compiles the TapeMachine.
func newTrainGraph(arch nn.Architecture, head nn.Head, params []nn.Param, dt tensor.Dtype, batch, features, classes int) (*trainGraph, error) {
	t := &trainGraph{g: G.NewGraph(), batch: batch}
	t.xT = tensor.New(tensor.WithShape(batch, features), tensor.Of(dt))
	t.yT = tensor.New(tensor.WithShape(batch, classes), tensor.Of(dt))
	t.x = G.NewMatrix(t.g, dt, G.WithShape(batch, features), G.WithName("x"))
	t.y = G.NewMatrix(t.g, dt, G.WithShape(batch, classes), G.WithName("onehot"))
	var err error
	if t.params, err = nn.Bind(t.g, params); err != nil {
		return nil, fmt.Errorf("training graph: %w", err)
	}
	logits, err := arch.Forward(t.x, t.params, true)
	if err != nil {
		return nil, fmt.Errorf("training graph: %w", err)
	}
	if oh, ok := head.(nn.OffsetHead); ok {
		bias, err := nn.OutputBias(t.params)
		if err != nil {
			return nil, fmt.Errorf("training graph: %w", err)
		}
		t.loss, err = oh.LossWithOffsets(logits, t.y, bias)
	} else {
		t.loss, err = head.Loss(logits, t.y)
	}
	if err != nil {
		return nil, fmt.Errorf("training graph: %w", err)
	}
	if _, err = G.Grad(t.loss, t.params...); err != nil {
		return nil, fmt.Errorf("training graph: gradient: %w", err)
	}
	t.vm = G.NewTapeMachine(t.g, G.BindDualValues(t.params...))
	t.valueGrads = G.NodesToValueGrads(t.params)
	return t, nil
}

// step runs forward and backward on the batch already in xT, yT and
// returns the loss; the gradients are left in the parameter nodes.
func (t *trainGraph) step() (float64, error) {
	if err := G.Let(t.x, t.xT); err != nil {
		return 0, err
	}
	if err := G.Let(t.y, t.yT); err != nil {
		return 0, err
	}
	if err := t.vm.RunAll(); err != nil {
		return 0, err
	}
	return scalar(t.loss.Value())
}

// evalGraph computes logits for a fixed number of rows with the training
// flag off (running statistics for batch norm), bound to the same
// parameters as the training graph.
type evalGraph struct {
	g      *G.ExprGraph
	x      *G.Node
	xT     *tensor.Dense
	logits *G.Node
	vm     G.VM
}

// newEvalGraph builds arch in evaluation mode on params for rows rows.
func newEvalGraph(arch nn.Architecture, params []nn.Param, dt tensor.Dtype, rows, features int) (*evalGraph, error) {
	e := &evalGraph{g: G.NewGraph()}
	e.xT = tensor.New(tensor.WithShape(rows, features), tensor.Of(dt))
	e.x = G.NewMatrix(e.g, dt, G.WithShape(rows, features), G.WithName("x"))
	nodes, err := nn.Bind(e.g, params)
	if err != nil {
		return nil, fmt.Errorf("evaluation graph: %w", err)
	}
	if e.logits, err = arch.Forward(e.x, nodes, false); err != nil {
		return nil, fmt.Errorf("evaluation graph: %w", err)
	}
	e.vm = G.NewTapeMachine(e.g)
	return e, nil
}

// scalar reads a float32 or float64 scalar value.
func scalar(v G.Value) (float64, error) {
	switch d := v.Data().(type) {
	case float32:
		return float64(d), nil
	case float64:
		return d, nil
	}
	return 0, fmt.Errorf("loss value %v is not a float scalar", v)
}

// setRows copies rows of float32 features into the backing of dst (float32
// or float64), which has at least len(src) elements.
func setRows(dst *tensor.Dense, src []float32) {
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src)
	case []float64:
		for i, v := range src {
			d[i] = float64(v)
		}
	}
}

// setOneHot writes the one-hot rows of labels into dst (batch × classes).
func setOneHot(dst *tensor.Dense, labels []int, classes int) {
	switch d := dst.Data().(type) {
	case []float32:
		clear(d)
		for i, y := range labels {
			d[i*classes+y] = 1
		}
	case []float64:
		clear(d)
		for i, y := range labels {
			d[i*classes+y] = 1
		}
	}
}

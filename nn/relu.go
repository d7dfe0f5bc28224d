package nn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReLU adds the rectified linear unit, elementwise over a tensor x of any
// shape (vector, matrix, NCHW, …; not a scalar node), float32 or float64:
//
//	y = max(x, 0),   ∂L/∂x = ∂L/∂y ⊙ 1[y > 0]
//
// ReLU′(0) = 0, PyTorch's convention (G.Rectify, built as x ⊙ 1[x ≥ 0],
// has ReLU′(0) = 1). Special values: ReLU(−0) = ReLU(−Inf) = +0 and
// ReLU(NaN) = NaN, as Go's max and PyTorch's relu; G.Rectify gives −0 for
// x < 0 and NaN for −Inf. The gradient is a product, so a NaN or ±Inf in
// ∂L/∂y gives NaN also where y = 0, as with G.Rectify (PyTorch's select
// gives 0 there): a diverged gradient is not hidden.
//
// Forward and backward are each one branch-free pass over the data
// (relu_kernel.go). Under the TapeMachine both run in place when their
// input is read by nothing else afterwards (the forward overwrites x, the backward ∂L/∂y),
// so a training step allocates neither y nor ∂L/∂x; the backward needs y
// only, not x. Graphs also differentiate under the LispMachine (DoDiff).
func ReLU(x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: ReLU: x is nil")
	}
	if err := checkDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: ReLU: x: %w", err)
	}
	if x.IsScalar() {
		return nil, fmt.Errorf("nn: ReLU: x is a scalar, want a tensor")
	}
	y, err := G.ApplyOp(reluOp{}, x)
	if err != nil {
		return nil, fmt.Errorf("nn: ReLU: %w", err)
	}
	return y, nil
}

// reluOp is the Gorgonia op behind ReLU: one input x, y = max(x, 0). It
// has no parameters; its hash is its name.
type reluOp struct{}

var (
	_ G.SDOp            = reluOp{}
	_ G.ADOp            = reluOp{}
	_ G.UsePreallocDoer = reluOp{}
)

// Arity is 1: x.
func (reluOp) Arity() int { return 1 }

// Type is a → a.
func (reluOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns x's shape after checking that x is not a scalar.
func (op reluOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: ReLU: got %d inputs, want 1 (x)", len(inputs))
	}
	s, ok := inputs[0].(tensor.Shape)
	if !ok || s.IsScalar() {
		return nil, fmt.Errorf("nn: ReLU: x has shape %v, want a tensor of rank ≥ 1", inputs[0])
	}
	return s.Clone(), nil
}

// ReturnsPtr is true and OverwritesInput 0: the TapeMachine may write y
// into x's register when x is not read afterwards (UsePreallocDo).
func (reluOp) ReturnsPtr() bool     { return true }
func (reluOp) CallsExtern() bool    { return false }
func (reluOp) OverwritesInput() int { return 0 }

// WriteHash writes the op's name (it has no parameters).
func (reluOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.relu") }

// Hashcode is the FNV-1a hash of WriteHash.
func (op reluOp) Hashcode() uint32 { return opHash(op) }

func (reluOp) String() string { return "nn.ReLU" }

// Do returns y = max(x, 0) in a new tensor.
func (op reluOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes y = max(x, 0) into prealloc, which may be x itself
// (the TapeMachine's in-place case). A nil prealloc, one of another dtype
// or shape, or a view, is not used: the result is then a new tensor.
func (op reluOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: ReLU: got %d values, want 1 (x)", len(inputs))
	}
	x, err := reluInput("ReLU", "x", inputs[0])
	if err != nil {
		return nil, err
	}
	y := bufferOrNew(prealloc, x)
	op.into(y, x)
	return y, nil
}

// into sets y = max(x, 0); y and x have one dtype (float32 or float64,
// checked by reluInput) and one shape.
// Large tensors are split across the cores.
func (reluOp) into(y, x *tensor.Dense) {
	n := x.Shape().TotalSize()
	forEachBlock(n, n, func(_, lo, hi int) {
		if x.Dtype() == tensor.Float32 {
			reluForward(y.Float32s()[lo:hi], x.Float32s()[lo:hi])
			return
		}
		reluForward(y.Float64s()[lo:hi], x.Float64s()[lo:hi])
	})
}

// DiffWRT: x is differentiable.
func (reluOp) DiffWRT(inputs int) []bool { return []bool{true} }

// SymDiff returns ∂L/∂x = reluDiffOp(y, ∂L/∂y).
func (op reluOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: ReLU: SymDiff got %d inputs, want 1 (x)", len(inputs))
	}
	dx, err := G.ApplyOp(reluDiffOp{}, output, grad)
	if err != nil {
		return nil, fmt.Errorf("nn: ReLU: SymDiff: %w", err)
	}
	return G.Nodes{dx}, nil
}

// DoDiff (LispMachine) adds ∂L/∂y ⊙ 1[y > 0] into x's gradient in place;
// the gradient tensor is never replaced or aliased.
func (op reluOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 1 {
		return fmt.Errorf("nn: ReLU: DoDiff got %d inputs, want 1 (x)", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: ReLU: gradient of the output: %w", err)
	}
	xGrad, err := inputs[0].Grad()
	if err != nil {
		return fmt.Errorf("nn: ReLU: gradient of x: %w", err)
	}
	dx, err := reluDiffOp{}.Do(output.Value(), g)
	if err != nil {
		return err
	}
	acc, ok := xGrad.(tensor.Tensor)
	if !ok {
		return fmt.Errorf("nn: ReLU: gradient of x is a %T, want a tensor", xGrad)
	}
	if _, err := tensor.Add(acc, dx, tensor.UseUnsafe()); err != nil {
		return fmt.Errorf("nn: ReLU: accumulating the gradient of x: %w", err)
	}
	return nil
}

// reluDiffOp is the backward op of reluOp: from the forward output y and
// the gradient g = ∂L/∂y (same shape) it computes
//
//	∂L/∂x = g ⊙ 1[y > 0]
//
// (reluBackward). It reads y, not x, so x need not stay alive for the
// backward pass.
type reluDiffOp struct{}

var _ G.UsePreallocDoer = reluDiffOp{}

// Arity is 2: y and g.
func (reluDiffOp) Arity() int { return 2 }

// Type is a → a → a.
func (reluDiffOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape checks that y is not a scalar and g has y's shape.
func (op reluDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nn: ReLU gradient: got %d inputs, want 2 (y, g)", len(inputs))
	}
	ys, ok1 := inputs[0].(tensor.Shape)
	gs, ok2 := inputs[1].(tensor.Shape)
	if !ok1 || !ok2 || ys.IsScalar() {
		return nil, fmt.Errorf("nn: ReLU gradient: y has shape %v and g %v, want tensors of rank ≥ 1", inputs[0], inputs[1])
	}
	if !ys.Eq(gs) {
		return nil, fmt.Errorf("nn: ReLU gradient: g has shape %v, want the output's shape %v", gs, ys)
	}
	return ys.Clone(), nil
}

// ReturnsPtr is true and OverwritesInput 1: the TapeMachine may write
// ∂L/∂x into g's register when g is not read afterwards.
func (reluDiffOp) ReturnsPtr() bool     { return true }
func (reluDiffOp) CallsExtern() bool    { return false }
func (reluDiffOp) OverwritesInput() int { return 1 }

// WriteHash writes the op's name (it has no parameters).
func (reluDiffOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.reludiff") }

// Hashcode is the FNV-1a hash of WriteHash.
func (op reluDiffOp) Hashcode() uint32 { return opHash(op) }

func (reluDiffOp) String() string { return "nn.ReLUDiff" }

// Do returns g ⊙ 1[y > 0] in a new tensor.
func (op reluDiffOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes g ⊙ 1[y > 0] into prealloc, which may be g or y
// itself. A nil prealloc, one of another dtype or shape, or a view, is not
// used: the result is then a new tensor.
func (op reluDiffOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	y, g, err := op.inputs(inputs)
	if err != nil {
		return nil, err
	}
	dx := bufferOrNew(prealloc, y)
	op.into(dx, y, g)
	return dx, nil
}

// inputs checks and unpacks y and g: dense, float32 or float64, one dtype
// and one shape.
func (op reluDiffOp) inputs(values []G.Value) (y, g *tensor.Dense, err error) {
	if len(values) != 2 {
		return nil, nil, fmt.Errorf("nn: ReLU gradient: got %d values, want 2 (y, g)", len(values))
	}
	if y, err = reluInput("ReLU gradient", "y", values[0]); err != nil {
		return nil, nil, err
	}
	if g, err = reluInput("ReLU gradient", "g", values[1]); err != nil {
		return nil, nil, err
	}
	if g.Dtype() != y.Dtype() || !g.Shape().Eq(y.Shape()) {
		return nil, nil, fmt.Errorf("nn: ReLU gradient: g is %v %v, want the output's %v %v", g.Dtype(), g.Shape(), y.Dtype(), y.Shape())
	}
	return y, g, nil
}

// into sets dx = g ⊙ 1[y > 0]; all three have one dtype (checked by
// inputs) and one shape.
// Large tensors are split across the cores.
func (reluDiffOp) into(dx, y, g *tensor.Dense) {
	n := y.Shape().TotalSize()
	forEachBlock(n, n, func(_, lo, hi int) {
		if y.Dtype() == tensor.Float32 {
			reluBackward(dx.Float32s()[lo:hi], y.Float32s()[lo:hi], g.Float32s()[lo:hi])
			return
		}
		reluBackward(dx.Float64s()[lo:hi], y.Float64s()[lo:hi], g.Float64s()[lo:hi])
	})
}

// reluInput checks that v is a float32 or float64 dense tensor (not a
// scalar) and returns it, materialised into row-major order if it is a
// view that needs an iterator.
func reluInput(what, name string, v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d == nil {
		return nil, fmt.Errorf("nn: %s: %s is a %T, want a *tensor.Dense", what, name, v)
	}
	if err := checkDtype(d.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: %s: %s: %w", what, name, err)
	}
	if d.Shape().IsScalar() {
		return nil, fmt.Errorf("nn: %s: %s has shape %v, want a tensor of rank ≥ 1", what, name, d.Shape())
	}
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	return d, nil
}

// bufferOrNew returns prealloc as a dense tensor if results of like's
// dtype and shape can be written into it in row-major order, else a new
// tensor of like's dtype and shape.
func bufferOrNew(prealloc G.Value, like *tensor.Dense) *tensor.Dense {
	d, ok := prealloc.(*tensor.Dense)
	if !ok || d == nil || d.Dtype() != like.Dtype() || !d.Shape().Eq(like.Shape()) || d.IsView() {
		return tensor.New(tensor.Of(like.Dtype()), tensor.WithShape(like.Shape().Clone()...))
	}
	return d
}

// opHash is the FNV-1a hash of what op.WriteHash writes.
func opHash(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

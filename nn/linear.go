package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear adds the affine layer y = x·W + b: x is batch × in, W in × out,
// b 1 × out (added to every row), float32 or float64, one dtype. It is
// G.Mul(x, W) then G.BroadcastAdd(·, b), fused into one op: the bias is
// written into y and one BLAS gemm adds x·W to it. The gradients, with
// g = ∂L/∂y,
//
//	∂L/∂x = g·Wᵀ,   ∂L/∂W = xᵀ·g,   ∂L/∂b = Σ_rows g   (column sums, in float64)
//
// are one gemm each (the bias's a pass over g). Forward and gradients
// write into op-owned tensors reused from run to run (outBuf), so a
// training step through a TapeMachine allocates none of them.
//
// Errors (never panics) name the argument: nil nodes, not matrices, other
// dtypes than float32/float64 or different ones, x's columns ≠ W's rows,
// b not 1 × W's columns, a size 0.
func Linear(x, w, b *G.Node) (*G.Node, error) { return linearLayer(x, w, b, false) }

// linearLayer is Linear; with data = true x is taken as the model's input
// data, whose gradient nobody asks for: the op then declares x not
// differentiable and the backward pass skips the gemm g·Wᵀ (for the MLP's
// first layer at batch 8192 that is 2·8192·784·512 flops, a fifth of the
// training step), as PyTorch does for inputs without requires_grad.
func linearLayer(x, w, b *G.Node, data bool) (*G.Node, error) {
	if x == nil || w == nil || b == nil {
		return nil, fmt.Errorf("nn: Linear: x, W or b is nil")
	}
	if err := checkDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: Linear: x: %w", err)
	}
	if w.Dtype() != x.Dtype() || b.Dtype() != x.Dtype() {
		return nil, fmt.Errorf("nn: Linear: W is %v and b %v, want x's dtype %v", w.Dtype(), b.Dtype(), x.Dtype())
	}
	if _, err := linearShape(x.Shape(), w.Shape(), b.Shape()); err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(&linearOp{data: data}, x, w, b)
	if err != nil {
		return nil, fmt.Errorf("nn: Linear: %w", err)
	}
	return y, nil
}

// linearShape checks x (n × in), W (in × out), b (1 × out) and returns
// y's shape (n × out).
func linearShape(xs, ws, bs tensor.Shape) (tensor.Shape, error) {
	if xs.Dims() != 2 || xs[0] < 1 || xs[1] < 1 {
		return nil, fmt.Errorf("nn: Linear: x has shape %v, want (batch ≥ 1, in ≥ 1)", xs)
	}
	if ws.Dims() != 2 || ws[0] != xs[1] || ws[1] < 1 {
		return nil, fmt.Errorf("nn: Linear: W has shape %v, want (%d, out ≥ 1) for x of shape %v", ws, xs[1], xs)
	}
	if bs.Dims() != 2 || bs[0] != 1 || bs[1] != ws[1] {
		return nil, fmt.Errorf("nn: Linear: b has shape %v, want (1, %d)", bs, ws[1])
	}
	return tensor.Shape{xs[0], ws[1]}, nil
}

// linearOp is the op behind Linear: inputs x, W, b. data marks x as
// input data without a gradient (linearLayer).
type linearOp struct {
	data bool
	out  outBuf // y, reused from run to run
}

var (
	_ G.SDOp            = (*linearOp)(nil)
	_ G.ADOp            = (*linearOp)(nil)
	_ G.UsePreallocDoer = (*linearOp)(nil)
)

// linearArg names the inputs of linearOp.
var linearArg = [3]string{"x", "W", "b"}

// Arity is 3: x, W, b.
func (*linearOp) Arity() int { return 3 }

// Type is matrix a → matrix a → matrix a → matrix a.
func (*linearOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t, t)
}

// InferShape returns (n, out) after checking the shapes.
func (*linearOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf("Linear", linearArg[:], inputs)
	if err != nil {
		return nil, err
	}
	return linearShape(s[0], s[1], s[2])
}

func (*linearOp) ReturnsPtr() bool     { return false }
func (*linearOp) CallsExtern() bool    { return false }
func (*linearOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and data.
func (op *linearOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "nn.linear{data=%v}", op.data) }

// Hashcode is the FNV-1a hash of WriteHash.
func (op *linearOp) Hashcode() uint32 { return opHash(op) }

func (op *linearOp) String() string { return fmt.Sprintf("nn.Linear{data=%v}", op.data) }

// Do returns y in the op's own output tensor (see outBuf).
func (op *linearOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes y = x·W + b into prealloc if it is a dense tensor
// of y's dtype and shape, else into the op's own output tensor.
func (op *linearOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	d, err := denseInputs("Linear", linearArg[:], inputs)
	if err != nil {
		return nil, err
	}
	x, w, b := d[0], d[1], d[2]
	ys, err := linearShape(x.Shape(), w.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	y := op.out.get(prealloc, x.Dtype(), ys)
	if x.Dtype() == tensor.Float32 {
		linearForward(y.Float32s(), x.Float32s(), w.Float32s(), b.Float32s(), ys[0], x.Shape()[1], ys[1])
	} else {
		linearForward(y.Float64s(), x.Float64s(), w.Float64s(), b.Float64s(), ys[0], x.Shape()[1], ys[1])
	}
	return y, nil
}

// DiffWRT: x (unless it is data), W and b are differentiable.
func (op *linearOp) DiffWRT(inputs int) []bool { return []bool{!op.data, true, true} }

// SymDiff returns ∂L/∂x (nil for data), ∂L/∂W, ∂L/∂b, each a
// linearDiffOp on (x, W, g).
func (op *linearOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: Linear: SymDiff got %d inputs, want 3 (x, W, b)", len(inputs))
	}
	out := make(G.Nodes, 3)
	for wrt := range out {
		if wrt == 0 && op.data {
			continue
		}
		d, err := G.ApplyOp(&linearDiffOp{wrt: wrt}, inputs[0], inputs[1], grad)
		if err != nil {
			return nil, fmt.Errorf("nn: Linear: SymDiff (%s): %w", linearArg[wrt], err)
		}
		out[wrt] = d
	}
	return out, nil
}

// DoDiff (LispMachine) adds the three gradients into the inputs' gradients
// in place.
func (op *linearOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 3 {
		return fmt.Errorf("nn: Linear: DoDiff got %d inputs, want 3 (x, W, b)", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: Linear: gradient of the output: %w", err)
	}
	for wrt, in := range inputs {
		if wrt == 0 && op.data {
			continue
		}
		d, err := (&linearDiffOp{wrt: wrt}).Do(inputs[0].Value(), inputs[1].Value(), g)
		if err != nil {
			return err
		}
		if err := accumulateGrad("Linear", linearArg[wrt], in, d); err != nil {
			return err
		}
	}
	return nil
}

// linearDiffOp is the backward op of linearOp: from x, W and g = ∂L/∂y it
// computes ∂L/∂x (wrt 0), ∂L/∂W (wrt 1) or ∂L/∂b (wrt 2).
type linearDiffOp struct {
	wrt  int
	out  outBuf    // the gradient, reused from run to run
	sums []float64 // column sums of g (wrt 2)
}

var _ G.UsePreallocDoer = (*linearDiffOp)(nil)

// Arity is 3: x, W, g.
func (*linearDiffOp) Arity() int { return 3 }

// Type is matrix a → matrix a → matrix a → matrix a.
func (*linearDiffOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t, t)
}

// InferShape returns x's shape, W's, or (1, out), after checking that g
// is n × out.
func (op *linearDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf("Linear gradient", []string{"x", "W", "g"}, inputs)
	if err != nil {
		return nil, err
	}
	return op.shape(s[0], s[1], s[2])
}

// shape checks x, W, g and returns the gradient's shape.
func (op *linearDiffOp) shape(xs, ws, gs tensor.Shape) (tensor.Shape, error) {
	if xs.Dims() != 2 || xs[0] < 1 || xs[1] < 1 {
		return nil, fmt.Errorf("nn: Linear gradient: x has shape %v, want (batch ≥ 1, in ≥ 1)", xs)
	}
	if ws.Dims() != 2 || ws[0] != xs[1] || ws[1] < 1 {
		return nil, fmt.Errorf("nn: Linear gradient: W has shape %v, want (%d, out ≥ 1)", ws, xs[1])
	}
	if want := (tensor.Shape{xs[0], ws[1]}); !gs.Eq(want) {
		return nil, fmt.Errorf("nn: Linear gradient: g has shape %v, want the output's %v", gs, want)
	}
	switch op.wrt {
	case 0:
		return xs.Clone(), nil
	case 1:
		return ws.Clone(), nil
	}
	return tensor.Shape{1, ws[1]}, nil
}

func (*linearDiffOp) ReturnsPtr() bool     { return false }
func (*linearDiffOp) CallsExtern() bool    { return false }
func (*linearDiffOp) OverwritesInput() int { return -1 }

// WriteHash writes the name and wrt.
func (op *linearDiffOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "nn.lineardiff{wrt=%d}", op.wrt) }

// Hashcode is the FNV-1a hash of WriteHash.
func (op *linearDiffOp) Hashcode() uint32 { return opHash(op) }

func (op *linearDiffOp) String() string {
	return fmt.Sprintf("nn.LinearDiff{wrt=%s}", linearArg[op.wrt])
}

// Do returns the gradient in the op's own output tensor (see outBuf).
func (op *linearDiffOp) Do(inputs ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, inputs...)
}

// UsePreallocDo writes the gradient into prealloc if it is a dense tensor
// of the gradient's dtype and shape, else into the op's own output tensor.
func (op *linearDiffOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	d, err := denseInputs("Linear gradient", []string{"x", "W", "g"}, inputs)
	if err != nil {
		return nil, err
	}
	x, w, g := d[0], d[1], d[2]
	s, err := op.shape(x.Shape(), w.Shape(), g.Shape())
	if err != nil {
		return nil, err
	}
	n, in, out := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	r := op.out.get(prealloc, x.Dtype(), s)
	if op.wrt == 2 && len(op.sums) != out {
		op.sums = make([]float64, out)
	}
	if x.Dtype() == tensor.Float32 {
		linearBackward(op.wrt, r.Float32s(), x.Float32s(), w.Float32s(), g.Float32s(), n, in, out, op.sums)
	} else {
		linearBackward(op.wrt, r.Float64s(), x.Float64s(), w.Float64s(), g.Float64s(), n, in, out, op.sums)
	}
	return r, nil
}

// linearForward sets y (n × out) = x (n × in) · W (in × out) + b (1 × out):
// b copied into every row, then one gemm with β = 1, the rows split across
// the cores (one BLAS call per worker).
func linearForward[T float](y, x, w, b []T, n, in, out int) {
	forEachBlock(n, n*in*out, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			copy(y[i*out:(i+1)*out], b[:out])
		}
		gemm(false, false, hi-lo, out, in, 1, x[lo*in:hi*in], in, w, out, 1, y[lo*out:hi*out], out)
	})
}

// linearBackward sets r to ∂L/∂x = g·Wᵀ (wrt 0, rows of x split across
// the cores), ∂L/∂W = xᵀ·g (wrt 1, rows of W split: rows [lo, hi) of
// ∂L/∂W are x[:, lo:hi]ᵀ·g) or ∂L/∂b = column sums of g (wrt 2,
// accumulated in sums, len out).
func linearBackward[T float](wrt int, r, x, w, g []T, n, in, out int, sums []float64) {
	switch wrt {
	case 0:
		forEachBlock(n, n*in*out, func(_, lo, hi int) {
			gemm(false, true, hi-lo, in, out, 1, g[lo*out:hi*out], out, w, out, 0, r[lo*in:hi*in], in)
		})
	case 1:
		forEachBlock(in, n*in*out, func(_, lo, hi int) {
			gemm(true, false, hi-lo, out, n, 1, x[lo:], in, g, out, 0, r[lo*out:hi*out], out)
		})
	default:
		clear(sums)
		for i := 0; i < n; i++ {
			for j, v := range g[i*out : (i+1)*out] {
				sums[j] += float64(v)
			}
		}
		for j, v := range sums {
			r[j] = T(v)
		}
	}
}

// shapesOf unpacks the shapes of an op's arguments, named by names.
func shapesOf(what string, names []string, inputs []G.DimSizer) ([]tensor.Shape, error) {
	if len(inputs) != len(names) {
		return nil, fmt.Errorf("nn: %s: got %d inputs, want %d %v", what, len(inputs), len(names), names)
	}
	s := make([]tensor.Shape, len(inputs))
	for i, in := range inputs {
		var ok bool
		if s[i], ok = in.(tensor.Shape); !ok {
			return nil, fmt.Errorf("nn: %s: %s has no shape (%T)", what, names[i], in)
		}
	}
	return s, nil
}

// denseInputs checks and unpacks an op's values, named by names: dense
// tensors of one float dtype (the first's).
func denseInputs(what string, names []string, values []G.Value) ([]*tensor.Dense, error) {
	if len(values) != len(names) {
		return nil, fmt.Errorf("nn: %s: got %d values, want %d %v", what, len(values), len(names), names)
	}
	d := make([]*tensor.Dense, len(values))
	for i, v := range values {
		dt := tensor.Dtype{}
		if i > 0 {
			dt = d[0].Dtype()
		}
		var err error
		if d[i], err = denseInput(what, names[i], v, dt); err != nil {
			return nil, err
		}
	}
	return d, nil
}

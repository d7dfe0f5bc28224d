package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2D adds 2-D max pooling of x, shape (n, c, h, w), float32 or
// float64, with a kernel = (kh, kw) window, padding pad = (ph, pw) on each
// side (padding never wins) and stride = (sh, sw):
//
//	y[b, ch, oy, ox] = max_{i < kh, j < kw} x[b, ch, oy·sh − ph + i, ox·sw − pw + j]
//
// y has shape (n, c, oh, ow), oh = (h + 2·ph − kh)/sh + 1 and likewise ow,
// as G.MaxPool2D(x, kernel, pad, stride). The gradient goes to the first
// largest element of each window (rows, then columns), the element the
// forward value came from: ∂L/∂x[argmax of window] += ∂L/∂y. The backward
// pass finds that argmax again from x rather than keeping it, so the op
// holds no state between runs and costs one more read of x.
//
// Errors (never panics) name the argument: x nil, not 4-D, of another
// dtype than float32/float64, with a size 0; a kernel < 1 or larger than
// the padded image; a padding < 0 or ≥ the kernel (a window of padding
// only); a stride < 1.
func MaxPool2D(x *G.Node, kernel, pad, stride [2]int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: MaxPool2D: x is nil")
	}
	if err := checkDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: MaxPool2D: x: %w", err)
	}
	op := &maxPoolOp{kernel: kernel, pad: pad, stride: stride}
	if _, err := op.geometry(x.Shape()); err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(op, x)
	if err != nil {
		return nil, fmt.Errorf("nn: MaxPool2D: %w", err)
	}
	return y, nil
}

// maxPoolOp is the Gorgonia op behind MaxPool2D: one input x. Kernel,
// padding and stride are its parameters (in its hash).
type maxPoolOp struct {
	kernel, pad, stride [2]int
	out                 outBuf // y, reused from run to run
}

var (
	_ G.SDOp            = (*maxPoolOp)(nil)
	_ G.ADOp            = (*maxPoolOp)(nil)
	_ G.UsePreallocDoer = (*maxPoolOp)(nil)
)

// geometry checks x's shape against the op's parameters.
func (op *maxPoolOp) geometry(xs tensor.Shape) (geom2d, error) {
	if xs.Dims() != 4 {
		return geom2d{}, fmt.Errorf("nn: MaxPool2D: x has shape %v, want (batch, channels, height, width)", xs)
	}
	if xs[0] < 1 || xs[1] < 1 || xs[2] < 1 || xs[3] < 1 {
		return geom2d{}, fmt.Errorf("nn: MaxPool2D: x has shape %v, want every size ≥ 1 (batch, channels, height, width)", xs)
	}
	if op.kernel[0] < 1 || op.kernel[1] < 1 {
		return geom2d{}, fmt.Errorf("nn: MaxPool2D: kernel = %v, want ≥ 1", op.kernel)
	}
	if op.pad[0] >= op.kernel[0] || op.pad[1] >= op.kernel[1] {
		return geom2d{}, fmt.Errorf("nn: MaxPool2D: pad = %v, want < kernel %v", op.pad, op.kernel)
	}
	return windowGeometry("MaxPool2D", "kernel", xs, op.kernel[0], op.kernel[1], op.pad, op.stride)
}

// Arity is 1: x.
func (*maxPoolOp) Arity() int { return 1 }

// Type is 4-D a → 4-D a.
func (*maxPoolOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}

// InferShape returns (n, c, oh, ow) after checking x.
func (op *maxPoolOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: MaxPool2D: got %d inputs, want 1 (x)", len(inputs))
	}
	xs, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("nn: MaxPool2D: x has no shape (%T)", inputs[0])
	}
	g, err := op.geometry(xs)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{xs[0], xs[1], g.oh, g.ow}, nil
}

func (*maxPoolOp) ReturnsPtr() bool     { return false }
func (*maxPoolOp) CallsExtern() bool    { return false }
func (*maxPoolOp) OverwritesInput() int { return -1 }

// WriteHash writes the name, kernel, padding and stride.
func (op *maxPoolOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.maxpool2d{kernel=%v, pad=%v, stride=%v}", op.kernel, op.pad, op.stride)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *maxPoolOp) Hashcode() uint32 { return opHash(op) }

func (op *maxPoolOp) String() string {
	return fmt.Sprintf("nn.MaxPool2D{kernel=%v, pad=%v, stride=%v}", op.kernel, op.pad, op.stride)
}

// Do returns y in the op's own output tensor (see outBuf).
func (op *maxPoolOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes y into prealloc if it is a dense tensor of y's
// dtype and shape, else into the op's own output tensor (outBuf).
func (op *maxPoolOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: MaxPool2D: got %d values, want 1 (x)", len(inputs))
	}
	x, err := denseInput("MaxPool2D", "x", inputs[0], tensor.Dtype{})
	if err != nil {
		return nil, err
	}
	g, err := op.geometry(x.Shape())
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	y := op.out.get(prealloc, x.Dtype(), tensor.Shape{xs[0], xs[1], g.oh, g.ow})
	if x.Dtype() == tensor.Float32 {
		maxPoolForward(y.Float32s(), x.Float32s(), xs[0]*xs[1], g)
	} else {
		maxPoolForward(y.Float64s(), x.Float64s(), xs[0]*xs[1], g)
	}
	return y, nil
}

// DiffWRT: x is differentiable.
func (*maxPoolOp) DiffWRT(inputs int) []bool { return []bool{true} }

// SymDiff returns ∂L/∂x = maxPoolDiffOp(x, ∂L/∂y).
func (op *maxPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 1 {
		return nil, fmt.Errorf("nn: MaxPool2D: SymDiff got %d inputs, want 1 (x)", len(inputs))
	}
	dx, err := G.ApplyOp(&maxPoolDiffOp{fwd: op}, inputs[0], grad)
	if err != nil {
		return nil, fmt.Errorf("nn: MaxPool2D: SymDiff: %w", err)
	}
	return G.Nodes{dx}, nil
}

// DoDiff (LispMachine) adds ∂L/∂x into x's gradient in place.
func (op *maxPoolOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 1 {
		return fmt.Errorf("nn: MaxPool2D: DoDiff got %d inputs, want 1 (x)", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: MaxPool2D: gradient of the output: %w", err)
	}
	d, err := (&maxPoolDiffOp{fwd: op}).Do(inputs[0].Value(), g)
	if err != nil {
		return err
	}
	return accumulateGrad("MaxPool2D", "x", inputs[0], d)
}

// maxPoolDiffOp is the backward op of maxPoolOp: from x and g = ∂L/∂y it
// computes ∂L/∂x (maxPoolBackward).
type maxPoolDiffOp struct {
	fwd *maxPoolOp
	out outBuf // ∂L/∂x, reused from run to run
}

var _ G.UsePreallocDoer = (*maxPoolDiffOp)(nil)

// Arity is 2: x and g.
func (*maxPoolDiffOp) Arity() int { return 2 }

// Type is 4-D a → 4-D a → 4-D a.
func (*maxPoolDiffOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// InferShape returns x's shape after checking that g has y's.
func (op *maxPoolDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	xs, gs, err := twoShapes("MaxPool2D gradient", "x", "g", inputs)
	if err != nil {
		return nil, err
	}
	ys, err := op.fwd.InferShape(xs)
	if err != nil {
		return nil, err
	}
	if !gs.Eq(ys) {
		return nil, fmt.Errorf("nn: MaxPool2D gradient: g has shape %v, want the output's %v", gs, ys)
	}
	return xs.Clone(), nil
}

func (*maxPoolDiffOp) ReturnsPtr() bool     { return false }
func (*maxPoolDiffOp) CallsExtern() bool    { return false }
func (*maxPoolDiffOp) OverwritesInput() int { return -1 }

// WriteHash writes the name and the forward op's parameters.
func (op *maxPoolDiffOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.maxpool2ddiff{kernel=%v, pad=%v, stride=%v}", op.fwd.kernel, op.fwd.pad, op.fwd.stride)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *maxPoolDiffOp) Hashcode() uint32 { return opHash(op) }

func (op *maxPoolDiffOp) String() string {
	return fmt.Sprintf("nn.MaxPool2DDiff{kernel=%v, pad=%v, stride=%v}", op.fwd.kernel, op.fwd.pad, op.fwd.stride)
}

// Do returns ∂L/∂x in the op's own output tensor (see outBuf).
func (op *maxPoolDiffOp) Do(inputs ...G.Value) (G.Value, error) {
	return op.UsePreallocDo(nil, inputs...)
}

// UsePreallocDo writes ∂L/∂x into prealloc if it is a dense tensor of x's
// dtype and shape, else into the op's own output tensor (outBuf).
func (op *maxPoolDiffOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nn: MaxPool2D gradient: got %d values, want 2 (x, g)", len(inputs))
	}
	x, g, err := twoDense("MaxPool2D gradient", "x", "g", inputs[0], inputs[1])
	if err != nil {
		return nil, err
	}
	geo, err := op.fwd.geometry(x.Shape())
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	if want := (tensor.Shape{xs[0], xs[1], geo.oh, geo.ow}); !g.Shape().Eq(want) {
		return nil, fmt.Errorf("nn: MaxPool2D gradient: g has shape %v, want the output's %v", g.Shape(), want)
	}
	dx := op.out.get(prealloc, x.Dtype(), xs)
	if x.Dtype() == tensor.Float32 {
		maxPoolBackward(dx.Float32s(), x.Float32s(), g.Float32s(), xs[0]*xs[1], geo)
	} else {
		maxPoolBackward(dx.Float64s(), x.Float64s(), g.Float64s(), xs[0]*xs[1], geo)
	}
	return dx, nil
}

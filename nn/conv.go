package nn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D adds the 2-D convolution (a cross-correlation, as in PyTorch and
// Gorgonia) of x, shape (n, c, h, w), with the weights w, shape
// (o, c, kh, kw), zero padding pad = (ph, pw) on each side and stride
// stride = (sh, sw), float32 or float64:
//
//	y[b, k, oy, ox] = Σ_{ch, i, j} w[k, ch, i, j] · x[b, ch, oy·sh − ph + i, ox·sw − pw + j]
//
// y has shape (n, o, oh, ow) with oh = (h + 2·ph − kh)/sh + 1 and
// ow = (w + 2·pw − kw)/sw + 1 (dilation 1, no bias). It computes what
// G.Conv2d(x, w, (kh, kw), pad, stride, (1, 1)) computes, without its
// transposes, on chunks of images (at least one image each):
//
//   - 3×3, stride 1, padding 1, at least 8 input channels and a cgo BLAS:
//     Winograd's F(2×2, 3×3) (conv_winograd.go), 16 gemms on transformed
//     2×2 tiles for y, ∂L/∂x and ∂L/∂w, 2.25× fewer flops, on chunks of
//     about 128 tiles;
//   - other stride-1, "same" padding (kh = 2·ph + 1, kw = 2·pw + 1), at least 8
//     input channels and a cgo BLAS (OpenBLAS after accel.Setup): the chunk
//     is copied once into a zero-padded layout in which each of the kh·kw
//     window taps is a constant shift of the columns, and Y = Σ_t W_t·P_t is
//     kh·kw gemms (conv_shift.go); the gradients likewise, dW_t = dY·P_tᵀ
//     and dP_t += W_tᵀ·dY;
//   - otherwise: an im2col of the chunk into a reused column matrix and one
//     gemm, Y = W·col(x), dW = Σ dY·col(x)ᵀ, dX = col2im(Wᵀ·dY);
//
// the last two on chunks of about 1,600 output positions. Whichever the
// path, the working memory beyond inputs and outputs is a few MB per
// running goroutine whatever the batch size, and the outputs land in NCHW
// directly (Winograd's output transform writes the pixels) or by block
// copies.
//
// Errors (never panics) name the argument: x or w nil, not 4-D, of another
// dtype than float32/float64 or of different dtypes; zero channels or an
// empty image; w's input channels ≠ x's channels; a negative padding, a
// stride < 1, or a kernel larger than the padded image.
func Conv2D(x, w *G.Node, pad, stride [2]int) (*G.Node, error) {
	return convLayer(x, w, pad, stride, false)
}

// convLayer is Conv2D; with data = true x is taken as the model's input
// data, whose gradient nobody asks for: the op then declares x not
// differentiable and the backward pass skips ∂L/∂x (as linearLayer does).
func convLayer(x, w *G.Node, pad, stride [2]int, data bool) (*G.Node, error) {
	if x == nil || w == nil {
		return nil, fmt.Errorf("nn: Conv2D: x or w is nil")
	}
	if x.Dtype() != w.Dtype() {
		return nil, fmt.Errorf("nn: Conv2D: w has dtype %v, x %v", w.Dtype(), x.Dtype())
	}
	if err := checkDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: Conv2D: x: %w", err)
	}
	op := &convOp{pad: pad, stride: stride, data: data}
	if _, _, err := op.geometry(x.Shape(), w.Shape()); err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(op, x, w)
	if err != nil {
		return nil, fmt.Errorf("nn: Conv2D: %w", err)
	}
	return y, nil
}

// convOp is the Gorgonia op behind Conv2D: inputs x (n, c, h, w) and
// w (o, c, kh, kw). Padding and stride are its parameters (in its hash);
// data marks x as input data without a gradient (convLayer).
type convOp struct {
	pad, stride [2]int
	data        bool
	out         outBuf // y, reused from run to run
}

var (
	_ G.SDOp            = (*convOp)(nil)
	_ G.ADOp            = (*convOp)(nil)
	_ G.UsePreallocDoer = (*convOp)(nil)
)

// geometry checks the shapes of x and w against the op's padding and
// stride and returns the window geometry and the number of output channels.
func (op *convOp) geometry(xs, ws tensor.Shape) (geom2d, int, error) {
	if xs.Dims() != 4 {
		return geom2d{}, 0, fmt.Errorf("nn: Conv2D: x has shape %v, want (batch, channels, height, width)", xs)
	}
	if ws.Dims() != 4 {
		return geom2d{}, 0, fmt.Errorf("nn: Conv2D: w has shape %v, want (out channels, in channels, kh, kw)", ws)
	}
	if xs[0] < 1 || xs[1] < 1 || xs[2] < 1 || xs[3] < 1 {
		return geom2d{}, 0, fmt.Errorf("nn: Conv2D: x has shape %v, want every size ≥ 1 (batch, channels, height, width)", xs)
	}
	if ws[0] < 1 || ws[2] < 1 || ws[3] < 1 {
		return geom2d{}, 0, fmt.Errorf("nn: Conv2D: w has shape %v, want every size ≥ 1", ws)
	}
	if ws[1] != xs[1] {
		return geom2d{}, 0, fmt.Errorf("nn: Conv2D: w has %d input channels (shape %v), x has %d (shape %v)", ws[1], ws, xs[1], xs)
	}
	g, err := windowGeometry("Conv2D", "w", xs, ws[2], ws[3], op.pad, op.stride)
	return g, ws[0], err
}

// windowGeometry checks padding, stride and a kh×kw window (named by arg)
// against the image of x (n, c, h, w) and returns the geometry.
func windowGeometry(what, arg string, xs tensor.Shape, kh, kw int, pad, stride [2]int) (geom2d, error) {
	if pad[0] < 0 || pad[1] < 0 {
		return geom2d{}, fmt.Errorf("nn: %s: pad = %v, want ≥ 0", what, pad)
	}
	if stride[0] < 1 || stride[1] < 1 {
		return geom2d{}, fmt.Errorf("nn: %s: stride = %v, want ≥ 1", what, stride)
	}
	if h, w := xs[2]+2*pad[0], xs[3]+2*pad[1]; kh > h || kw > w {
		return geom2d{}, fmt.Errorf("nn: %s: %s: kernel %d×%d larger than the padded input %d×%d of x", what, arg, kh, kw, h, w)
	}
	return newGeom2d(xs[1], xs[2], xs[3], kh, kw, pad[0], pad[1], stride[0], stride[1]), nil
}

// Arity is 2: x and w.
func (*convOp) Arity() int { return 2 }

// Type is 4-D a → 4-D a → 4-D a.
func (*convOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// InferShape returns (n, o, oh, ow) after checking x and w.
func (op *convOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	xs, ws, err := twoShapes("Conv2D", "x", "w", inputs)
	if err != nil {
		return nil, err
	}
	g, o, err := op.geometry(xs, ws)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{xs[0], o, g.oh, g.ow}, nil
}

func (*convOp) ReturnsPtr() bool     { return false }
func (*convOp) CallsExtern() bool    { return false }
func (*convOp) OverwritesInput() int { return -1 }

// WriteHash writes the name, padding, stride and data flag.
func (op *convOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.conv2d{pad=%v, stride=%v, data=%v}", op.pad, op.stride, op.data)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *convOp) Hashcode() uint32 { return opHash(op) }

func (op *convOp) String() string {
	return fmt.Sprintf("nn.Conv2D{pad=%v, stride=%v, data=%v}", op.pad, op.stride, op.data)
}

// Do returns y in the op's own output tensor (see outBuf).
func (op *convOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes y into prealloc if it is a dense tensor of y's
// dtype and shape, else into the op's own output tensor (outBuf).
func (op *convOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nn: Conv2D: got %d values, want 2 (x, w)", len(inputs))
	}
	x, w, err := twoDense("Conv2D", "x", "w", inputs[0], inputs[1])
	if err != nil {
		return nil, err
	}
	g, o, err := op.geometry(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	y := op.out.get(prealloc, x.Dtype(), tensor.Shape{n, o, g.oh, g.ow})
	if x.Dtype() == tensor.Float32 {
		kernelsFor[float32](g).forward(y.Float32s(), x.Float32s(), w.Float32s(), n, o, g)
	} else {
		kernelsFor[float64](g).forward(y.Float64s(), x.Float64s(), w.Float64s(), n, o, g)
	}
	return y, nil
}

// DiffWRT: x (unless it is data) and w are differentiable.
func (op *convOp) DiffWRT(inputs int) []bool { return []bool{!op.data, true} }

// SymDiff returns ∂L/∂x (nil for data) and ∂L/∂w, each a convDiffOp on
// (x, w, ∂L/∂y).
func (op *convOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nn: Conv2D: SymDiff got %d inputs, want 2 (x, w)", len(inputs))
	}
	out := make(G.Nodes, 2)
	for wrt := range out {
		if wrt == 0 && op.data {
			continue
		}
		d, err := G.ApplyOp(&convDiffOp{fwd: op, wrt: wrt}, inputs[0], inputs[1], grad)
		if err != nil {
			return nil, fmt.Errorf("nn: Conv2D: SymDiff (%s): %w", convArg[wrt], err)
		}
		out[wrt] = d
	}
	return out, nil
}

// convArg names the inputs of convOp.
var convArg = [2]string{"x", "w"}

// DoDiff (LispMachine) adds ∂L/∂x and ∂L/∂w into the inputs' gradients in
// place (never replacing or aliasing them).
func (op *convOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 2 {
		return fmt.Errorf("nn: Conv2D: DoDiff got %d inputs, want 2 (x, w)", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: Conv2D: gradient of the output: %w", err)
	}
	for wrt, in := range inputs {
		if wrt == 0 && op.data {
			continue
		}
		d, err := (&convDiffOp{fwd: op, wrt: wrt}).Do(inputs[0].Value(), inputs[1].Value(), g)
		if err != nil {
			return err
		}
		if err := accumulateGrad("Conv2D", convArg[wrt], in, d); err != nil {
			return err
		}
	}
	return nil
}

// convDiffOp is the backward op of convOp: from x, w and g = ∂L/∂y it
// computes ∂L/∂x (wrt 0, convKernels.gradX: reads w and g) or ∂L/∂w (wrt 1,
// convKernels.gradW: reads x and g).
type convDiffOp struct {
	fwd *convOp
	wrt int
	out outBuf // the gradient, reused from run to run
}

var _ G.UsePreallocDoer = (*convDiffOp)(nil)

// Arity is 3: x, w, g.
func (*convDiffOp) Arity() int { return 3 }

// Type is 4-D a → 4-D a → 4-D a → 4-D a.
func (*convDiffOp) Type() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t, t)
}

// InferShape returns x's shape (wrt 0) or w's (wrt 1) after checking that
// g has the forward output's shape.
func (op *convDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: Conv2D gradient: got %d inputs, want 3 (x, w, g)", len(inputs))
	}
	ys, err := op.fwd.InferShape(inputs[0], inputs[1])
	if err != nil {
		return nil, err
	}
	gs, ok := inputs[2].(tensor.Shape)
	if !ok || !gs.Eq(ys) {
		return nil, fmt.Errorf("nn: Conv2D gradient: g has shape %v, want the output's %v", inputs[2], ys)
	}
	return inputs[op.wrt].(tensor.Shape).Clone(), nil
}

func (*convDiffOp) ReturnsPtr() bool     { return false }
func (*convDiffOp) CallsExtern() bool    { return false }
func (*convDiffOp) OverwritesInput() int { return -1 }

// WriteHash writes the name, wrt, padding and stride.
func (op *convDiffOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.conv2ddiff{wrt=%d, pad=%v, stride=%v}", op.wrt, op.fwd.pad, op.fwd.stride)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *convDiffOp) Hashcode() uint32 { return opHash(op) }

func (op *convDiffOp) String() string {
	return fmt.Sprintf("nn.Conv2DDiff{wrt=%s, pad=%v, stride=%v}", convArg[op.wrt], op.fwd.pad, op.fwd.stride)
}

// Do returns the gradient in the op's own output tensor (see outBuf).
func (op *convDiffOp) Do(inputs ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, inputs...) }

// UsePreallocDo writes the gradient into prealloc if it is a dense tensor
// of the gradient's dtype and shape, else into the op's own output tensor.
func (op *convDiffOp) UsePreallocDo(prealloc G.Value, inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: Conv2D gradient: got %d values, want 3 (x, w, g)", len(inputs))
	}
	x, w, err := twoDense("Conv2D gradient", "x", "w", inputs[0], inputs[1])
	if err != nil {
		return nil, err
	}
	g, err := denseInput("Conv2D gradient", "g", inputs[2], x.Dtype())
	if err != nil {
		return nil, err
	}
	geo, o, err := op.fwd.geometry(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	if want := (tensor.Shape{n, o, geo.oh, geo.ow}); !g.Shape().Eq(want) {
		return nil, fmt.Errorf("nn: Conv2D gradient: g has shape %v, want the output's %v", g.Shape(), want)
	}
	if op.wrt == 0 {
		dx := op.out.get(prealloc, x.Dtype(), x.Shape())
		if x.Dtype() == tensor.Float32 {
			kernelsFor[float32](geo).gradX(dx.Float32s(), w.Float32s(), g.Float32s(), n, o, geo)
		} else {
			kernelsFor[float64](geo).gradX(dx.Float64s(), w.Float64s(), g.Float64s(), n, o, geo)
		}
		return dx, nil
	}
	dw := op.out.get(prealloc, x.Dtype(), w.Shape())
	if x.Dtype() == tensor.Float32 {
		kernelsFor[float32](geo).gradW(dw.Float32s(), x.Float32s(), g.Float32s(), n, o, geo)
	} else {
		kernelsFor[float64](geo).gradW(dw.Float64s(), x.Float64s(), g.Float64s(), n, o, geo)
	}
	return dw, nil
}

// twoShapes unpacks the shapes of a two-input op's arguments a and b.
func twoShapes(what, a, b string, inputs []G.DimSizer) (tensor.Shape, tensor.Shape, error) {
	if len(inputs) != 2 {
		return nil, nil, fmt.Errorf("nn: %s: got %d inputs, want 2 (%s, %s)", what, len(inputs), a, b)
	}
	as, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, nil, fmt.Errorf("nn: %s: %s has no shape (%T)", what, a, inputs[0])
	}
	bs, ok := inputs[1].(tensor.Shape)
	if !ok {
		return nil, nil, fmt.Errorf("nn: %s: %s has no shape (%T)", what, b, inputs[1])
	}
	return as, bs, nil
}

// twoDense checks and unpacks two dense values of one float dtype.
func twoDense(what, a, b string, va, vb G.Value) (*tensor.Dense, *tensor.Dense, error) {
	da, err := denseInput(what, a, va, tensor.Dtype{})
	if err != nil {
		return nil, nil, err
	}
	db, err := denseInput(what, b, vb, da.Dtype())
	if err != nil {
		return nil, nil, err
	}
	return da, db, nil
}

// denseInput checks that v is a float32 or float64 dense tensor, of dtype
// dt unless dt is the zero Dtype, and returns it, materialised into
// row-major order if it is a view that needs an iterator.
func denseInput(what, name string, v G.Value, dt tensor.Dtype) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d == nil {
		return nil, fmt.Errorf("nn: %s: %s is a %T, want a *tensor.Dense", what, name, v)
	}
	if err := checkDtype(d.Dtype()); err != nil {
		return nil, fmt.Errorf("nn: %s: %s: %w", what, name, err)
	}
	if dt != (tensor.Dtype{}) && d.Dtype() != dt {
		return nil, fmt.Errorf("nn: %s: %s has dtype %v, want %v", what, name, d.Dtype(), dt)
	}
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	return d, nil
}

// accumulateGrad adds d into the gradient of node in (LispMachine DoDiff),
// in place.
func accumulateGrad(what, name string, in *G.Node, d G.Value) error {
	ig, err := in.Grad()
	if err != nil {
		return fmt.Errorf("nn: %s: gradient of %s: %w", what, name, err)
	}
	acc, ok := ig.(tensor.Tensor)
	if !ok {
		return fmt.Errorf("nn: %s: gradient of %s is a %T, want a tensor", what, name, ig)
	}
	if _, err := tensor.Add(acc, d, tensor.UseUnsafe()); err != nil {
		return fmt.Errorf("nn: %s: accumulating the gradient of %s: %w", what, name, err)
	}
	return nil
}

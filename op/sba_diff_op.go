package op

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sbaDiffOp is the backward op of sbaOp: from the forward output y and the
// incoming gradient g (both of x's shape) it computes, row by row,
//
//	dx = Jᵀg,   (Jᵀg)_i = (g_i − mean_{j∈A} g_j) / τ  for i ∈ A,  0 otherwise,
//
// with A = {i : 0 < y_i < 1} the active set of the row (ProjectVJP), or of
// the column with columns set. It needs neither x nor k, costs O(rows × n)
// and allocates only dx (the column layout borrows pooled scratch). τ and
// the layout are part of the hash, as in the forward op.
//
// With reg = Entropic it computes the entropic projection's product
// (ProjectEntropicVJP), dx = (1/τ)(d ⊙ g − d·(dᵀg)/Σd), d = y ⊙ (1 − y).
type sbaDiffOp struct {
	tau     float64
	columns bool
	reg     hypersimplex.Regularizer
}

var _ G.Op = (*sbaDiffOp)(nil)

// Arity is 2: the forward output y and the incoming gradient g.
func (op *sbaDiffOp) Arity() int { return 2 }

// Type is a → a → a.
func (op *sbaDiffOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape checks that y is a vector or a matrix and g has its shape.
func (op *sbaDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 2 (y, g)", op, len(inputs))
	}
	ys, ok1 := inputs[0].(tensor.Shape)
	gs, ok2 := inputs[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("op: %v: cannot infer shapes from %T and %T", op, inputs[0], inputs[1])
	}
	if _, _, err := linesOf(ys, op.columns); err != nil {
		return nil, err
	}
	if !ys.Eq(gs) {
		return nil, fmt.Errorf("op: %v: gradient has shape %v, want the output's shape %v", op, gs, ys)
	}
	return ys.Clone(), nil
}

// Do computes dx = Jᵀg line by line, in parallel when large enough.
func (op *sbaDiffOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 2 (y, g)", op, len(inputs))
	}
	y, ok1 := inputs[0].(tensor.Tensor)
	g, ok2 := inputs[1].(tensor.Tensor)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("op: %v: inputs are %T and %T, want tensors", op, inputs[0], inputs[1])
	}
	if !y.Shape().Eq(g.Shape()) || y.Dtype() != g.Dtype() {
		return nil, fmt.Errorf("op: %v: gradient is %v %v, want the output's %v %v", op, g.Shape(), g.Dtype(), y.Shape(), y.Dtype())
	}
	switch y.Dtype() {
	case tensor.Float32:
		return doVJP[float32](op, y, g, parallelMinElems)
	case tensor.Float64:
		return doVJP[float64](op, y, g, parallelMinElems)
	}
	return nil, fmt.Errorf("op: %v: dtype %v, want float32 or float64", op, y.Dtype())
}

// doVJP is Do for one dtype, lines in parallel when the matrix has at least
// minElems entries. Columns are handled as the rows of pooled transposed
// copies of y and g; the product overwrites g's copy and is transposed into dx.
func doVJP[T float32 | float64](op *sbaDiffOp, yt, gt tensor.Tensor, minElems int) (G.Value, error) {
	lines, n, err := linesOf(yt.Shape(), op.columns)
	if err != nil {
		return nil, err
	}
	y, err := tensorData[T](yt, "y")
	if err != nil {
		return nil, err
	}
	g, err := tensorData[T](gt, "gradient")
	if err != nil {
		return nil, err
	}
	dxt, dx := newOutput[T](yt.Shape())
	out := dx
	if op.columns {
		ybuf, gbuf := borrowScratch[T](len(y)), borrowScratch[T](len(g))
		defer returnScratch(ybuf)
		defer returnScratch(gbuf)
		transposeInto(*ybuf, y, n, lines)
		transposeInto(*gbuf, g, n, lines)
		y, g, out = *ybuf, *gbuf, *gbuf
	}
	t := T(op.tau)
	err = forEachRowBlock(lines, n, minElems, func(lo, hi int) error {
		for l := lo; l < hi; l++ {
			if err := vjpLine(op.reg, out[l*n:(l+1)*n], y[l*n:(l+1)*n], g[l*n:(l+1)*n], t); err != nil {
				return lineError("SoftBinaryArgmax gradient", lines, l, op.columns, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if op.columns {
		transposeInto(dx, out, lines, n)
	}
	return dxt, nil
}

// ReturnsPtr is false: the output is a new tensor.
func (op *sbaDiffOp) ReturnsPtr() bool { return false }

// CallsExtern is false: pure Go.
func (op *sbaDiffOp) CallsExtern() bool { return false }

// OverwritesInput is -1: no input is overwritten.
func (op *sbaDiffOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name, τ, layout and regularizer.
func (op *sbaDiffOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "SoftBinaryArgmaxVJP{tau=%v,columns=%v,reg=%v}", op.tau, op.columns, op.reg)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *sbaDiffOp) Hashcode() uint32 { return hashOf(op) }

// String names the op (Entropic… for the entropic regularizer), τ and the
// column layout if set.
func (op *sbaDiffOp) String() string {
	return fmt.Sprintf("%sSoftBinaryArgmax%sVJP{τ=%v}", regPrefix(op.reg), layoutSuffix(op.columns), op.tau)
}

package op

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// sbaOp is the Gorgonia op y = SoftBinaryArgmax(x, k; τ): every row of x (a
// vector, or a matrix of rows × n) is projected onto the hypersimplex
// Δ(n, k_row) by Project, with k a scalar (the same for every row) or a
// vector with one entry per row. k is an input, not a parameter of the op,
// so one compiled graph serves batches whose k differs; it is not
// differentiated. τ is a parameter of the op and part of its hash.
//
// With columns set, x must be a matrix (n × C) and its columns are
// projected instead (k scalar or one per column): the HyperSimplex loss's
// class columns of batch-major logits, without transposes in the graph.
//
// The backward pass is the separate op sbaDiffOp (symbolic, for Grad and
// the TapeMachine) or DoDiff (the LispMachine); both compute Jᵀg from the
// output y alone, without x or k.
//
// reg chooses the projection (Euclidean, or Entropic for
// EntropicSoftBinaryArgmax); it is part of the hash too.
type sbaOp struct {
	tau     float64
	columns bool // project the columns of a matrix instead of its rows
	reg     hypersimplex.Regularizer
}

var (
	_ G.Op   = (*sbaOp)(nil)
	_ G.SDOp = (*sbaOp)(nil)
	_ G.ADOp = (*sbaOp)(nil)
)

// Arity is 2: x and k.
func (op *sbaOp) Arity() int { return 2 }

// Type is x → k → x: the output has x's type; k's dtype is checked by the
// constructor (x's dtype) and its shape by InferShape (scalar or vector),
// since a scalar k and a matrix x do not share a type. (Gorgonia's type
// inference reserves the variable 'b' for the result, so it is not used.)
func (op *sbaOp) Type() hm.Type {
	x, k := hm.TypeVariable('x'), hm.TypeVariable('k')
	return hm.NewFnType(x, k, x)
}

// InferShape returns x's shape after checking that x is a vector or a
// matrix and that k is a scalar or a vector with one entry per row of x.
func (op *sbaOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 2 (x, k)", op, len(inputs))
	}
	xs, ok := inputs[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("op: %v: cannot infer the shape of x from %T", op, inputs[0])
	}
	lines, _, err := linesOf(xs, op.columns)
	if err != nil {
		return nil, err
	}
	ks, ok := inputs[1].(tensor.Shape)
	if !ok {
		// A DimSizer that is not a shape (Gorgonia's SizeOf) is a scalar.
		ks = tensor.ScalarShape()
	}
	if err := checkKShape(ks, lines, op.columns); err != nil {
		return nil, err
	}
	return xs.Clone(), nil
}

// Do projects the rows (columns) of x. It allocates the output and nothing
// else (the column layout borrows a pooled scratch matrix); the kernels
// validate the values (NaN or ±Inf in x, k outside [0, n]) and the first
// failing row's error is returned.
func (op *sbaOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 2 (x, k)", op, len(inputs))
	}
	x, ok := inputs[0].(tensor.Tensor)
	if !ok {
		return nil, fmt.Errorf("op: %v: x is a %T, want a tensor", op, inputs[0])
	}
	switch x.Dtype() {
	case tensor.Float32:
		return doProject[float32](op, x, inputs[1], parallelMinElems)
	case tensor.Float64:
		return doProject[float64](op, x, inputs[1], parallelMinElems)
	}
	return nil, fmt.Errorf("op: %v: x has dtype %v, want float32 or float64", op, x.Dtype())
}

// doProject is Do for one dtype: y_l = Project(x_l; k_l, τ) for every line
// l (row, or column with op.columns), lines in parallel when the matrix has
// at least minElems entries. Columns are projected as the rows of a pooled
// transposed copy, projected in place and transposed into y.
func doProject[T float32 | float64](op *sbaOp, xt tensor.Tensor, kv G.Value, minElems int) (G.Value, error) {
	lines, n, err := linesOf(xt.Shape(), op.columns)
	if err != nil {
		return nil, err
	}
	x, err := tensorData[T](xt, "x")
	if err != nil {
		return nil, err
	}
	k, err := kOf[T](kv, lines, op.columns)
	if err != nil {
		return nil, err
	}
	yt, y := newOutput[T](xt.Shape())
	src, dst := x, y
	if op.columns {
		buf := borrowScratch[T](len(x))
		defer returnScratch(buf)
		transposeInto(*buf, x, n, lines)
		src, dst = *buf, *buf
	}
	t := T(op.tau)
	err = forEachRowBlock(lines, n, minElems, func(lo, hi int) error {
		for l := lo; l < hi; l++ {
			if err := projectLine(op.reg, dst[l*n:(l+1)*n], src[l*n:(l+1)*n], k.at(l), t); err != nil {
				return lineError("SoftBinaryArgmax", lines, l, op.columns, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if op.columns {
		transposeInto(y, dst, lines, n)
	}
	return yt, nil
}

// ReturnsPtr is false: the output is a new tensor.
func (op *sbaOp) ReturnsPtr() bool { return false }

// CallsExtern is false: pure Go.
func (op *sbaOp) CallsExtern() bool { return false }

// OverwritesInput is -1: no input is overwritten.
func (op *sbaOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name, τ, layout and regularizer, so ops with
// different τ are never merged into one node.
func (op *sbaOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "SoftBinaryArgmax{tau=%v,columns=%v,reg=%v}", op.tau, op.columns, op.reg)
}

// Hashcode is the FNV-1a hash of WriteHash.
func (op *sbaOp) Hashcode() uint32 { return hashOf(op) }

// String names the op (Entropic… for the entropic regularizer), τ and the
// column layout if set.
func (op *sbaOp) String() string {
	return fmt.Sprintf("%sSoftBinaryArgmax%s{τ=%v}", regPrefix(op.reg), layoutSuffix(op.columns), op.tau)
}

// regPrefix is "Entropic" for the entropic regularizer, "" otherwise.
func regPrefix(r hypersimplex.Regularizer) string {
	if r == hypersimplex.Entropic {
		return "Entropic"
	}
	return ""
}

// layoutSuffix is "Columns" in the column layout, "" otherwise.
func layoutSuffix(columns bool) string {
	if columns {
		return "Columns"
	}
	return ""
}

// DiffWRT says that the output is differentiated with respect to x only.
func (op *sbaOp) DiffWRT(inputs int) []bool {
	if inputs != 2 {
		return nil
	}
	return []bool{true, false}
}

// SymDiff returns the node Jᵀ·grad for x (computed by sbaDiffOp from the
// output and grad) and nil for k.
func (op *sbaOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("op: %v: SymDiff got %d inputs, want 2 (x, k)", op, len(inputs))
	}
	dx, err := G.ApplyOp(op.diffOp(), output, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, nil}, nil
}

// DoDiff (LispMachine) adds Jᵀ·(output's gradient) into x's gradient in
// place; the gradient tensor is never replaced or aliased. k gets nothing.
func (op *sbaOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 2 {
		return fmt.Errorf("op: %v: DoDiff got %d inputs, want 2 (x, k)", op, len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("op: %v: gradient of the output: %w", op, err)
	}
	xGrad, err := inputs[0].Grad()
	if err != nil {
		return fmt.Errorf("op: %v: gradient of x: %w", op, err)
	}
	dx, err := op.diffOp().Do(output.Value(), g)
	if err != nil {
		return err
	}
	acc, ok := xGrad.(tensor.Tensor)
	if !ok {
		return fmt.Errorf("op: %v: gradient of x is a %T, want a tensor", op, xGrad)
	}
	if _, err := tensor.Add(acc, dx, tensor.UseUnsafe()); err != nil {
		return fmt.Errorf("op: %v: accumulating the gradient of x: %w", op, err)
	}
	return nil
}

// diffOp is the backward op matching op.
func (op *sbaOp) diffOp() *sbaDiffOp {
	return &sbaDiffOp{tau: op.tau, columns: op.columns, reg: op.reg}
}

// linesOf reads the number of lines projected and their length n from a
// shape: the rows of a vector (one row) or a matrix (rows × n), or with
// columns the columns of a matrix (n × C gives C lines of n).
func linesOf(s tensor.Shape, columns bool) (lines, n int, err error) {
	switch {
	case columns && s.Dims() == 2:
		return s[1], s[0], nil
	case columns:
		return 0, 0, argErr(ErrShape, "SoftBinaryArgmax", "x", s, "x has shape %v, want a matrix (n × C) whose columns are projected", s)
	case s.Dims() == 1:
		return 1, s[0], nil
	case s.Dims() == 2:
		return s[0], s[1], nil
	}
	return 0, 0, argErr(ErrShape, "SoftBinaryArgmax", "x", s, "x has shape %v, want a vector or a matrix (rows × n)", s)
}

// checkKShape accepts a scalar k or a vector with one entry per line.
func checkKShape(s tensor.Shape, lines int, columns bool) error {
	switch {
	case s.IsScalar():
		return nil
	case s.Dims() == 1 && s[0] == lines:
		return nil
	}
	return argErr(ErrShape, "SoftBinaryArgmax", "k", s, "k has shape %v, want a scalar or a vector of %d entries (one per %s of x)", s, lines, lineName(columns))
}

// lineName is "row", or "column" in the column layout.
func lineName(columns bool) string {
	if columns {
		return "column"
	}
	return "row"
}

// kArg is k as read from its value: one scalar, or one entry per row.
type kArg[T float32 | float64] struct {
	scalar T
	perRow []T
}

func (k kArg[T]) at(row int) T {
	if k.perRow != nil {
		return k.perRow[row]
	}
	return k.scalar
}

// kOf reads k (a Gorgonia scalar, or a scalar or vector tensor) for a
// matrix of the given number of lines, checking its dtype and length.
func kOf[T float32 | float64](v G.Value, lines int, columns bool) (kArg[T], error) {
	if v == nil {
		return kArg[T]{}, argErr(ErrValue, "SoftBinaryArgmax", "k", nil, "k has no value")
	}
	if t, ok := v.(tensor.Tensor); ok && !t.Shape().IsScalar() {
		if err := checkKShape(t.Shape(), lines, columns); err != nil {
			return kArg[T]{}, err
		}
		d, err := tensorData[T](t, "k")
		return kArg[T]{perRow: d}, err
	}
	if v.Dtype() != dtypeOf[T]() {
		return kArg[T]{}, argErr(ErrDtype, "SoftBinaryArgmax", "k", v.Dtype(), "k has dtype %v, want %v like x", v.Dtype(), dtypeOf[T]())
	}
	switch s := v.(type) { // the usual scalar values, read without boxing
	case *G.F32:
		return kArg[T]{scalar: T(*s)}, nil
	case *G.F64:
		return kArg[T]{scalar: T(*s)}, nil
	}
	s, ok := v.Data().(T)
	if !ok {
		return kArg[T]{}, argErr(ErrValue, "SoftBinaryArgmax", "k", v, "k is a %T, want a %v scalar or vector", v, dtypeOf[T]())
	}
	return kArg[T]{scalar: s}, nil
}

// dtypeOf is the tensor dtype of T.
func dtypeOf[T float32 | float64]() tensor.Dtype {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return tensor.Float32
	}
	return tensor.Float64
}

// tensorData returns the elements of t in row-major order as a []T, reading
// in place (without allocating) unless t is a view that needs an iterator
// (then a copy).
func tensorData[T float32 | float64](t tensor.Tensor, name string) ([]T, error) {
	d, ok := t.(*tensor.Dense)
	if !ok {
		return nil, argErr(ErrValue, "SoftBinaryArgmax", name, t, "%s is a %T, want a dense tensor", name, t)
	}
	if d.Dtype() != dtypeOf[T]() {
		return nil, argErr(ErrDtype, "SoftBinaryArgmax", name, d.Dtype(), "%s has dtype %v, want %v", name, d.Dtype(), dtypeOf[T]())
	}
	if d.RequiresIterator() {
		d = d.Materialize().(*tensor.Dense)
	}
	var data []T
	switch dtypeOf[T]() {
	case tensor.Float32:
		data, _ = any(d.Float32s()).([]T)
	default:
		data, _ = any(d.Float64s()).([]T)
	}
	size := d.Shape().TotalSize()
	if len(data) < size {
		return nil, argErr(ErrShape, "SoftBinaryArgmax", name, d.Shape(), "%s holds %d values, its shape %v needs %d", name, len(data), d.Shape(), size)
	}
	return data[:size], nil
}

// newOutput allocates the zeroed output tensor of the given dtype and shape
// and returns it with its backing slice.
func newOutput[T float32 | float64](shape tensor.Shape) (*tensor.Dense, []T) {
	data := make([]T, shape.TotalSize())
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)), data
}

// lineError names the failing row (column) of a matrix input in front of
// a kernel's error, e.g. "op: SoftBinaryArgmax: row 1 of 2: x[3] = NaN is
// not finite".
func lineError(what string, lines, line int, columns bool, err error) error {
	prefix := "op: " + what + ": "
	if lines > 1 || columns {
		prefix += fmt.Sprintf("%s %d of %d: ", lineName(columns), line, lines)
	}
	return &prefixedError{prefix: prefix, err: err}
}

// hashOf is the FNV-1a hash of what op.WriteHash writes.
func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

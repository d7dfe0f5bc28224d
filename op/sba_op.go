package op

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
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
// The backward pass is the separate op sbaDiffOp (symbolic, for Grad and
// the TapeMachine) or DoDiff (the LispMachine); both compute Jᵀg from the
// output y alone, without x or k.
type sbaOp struct {
	tau float64
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
	rows, _, err := rowsOf(xs)
	if err != nil {
		return nil, err
	}
	ks, ok := inputs[1].(tensor.Shape)
	if !ok {
		// A DimSizer that is not a shape (Gorgonia's SizeOf) is a scalar.
		ks = tensor.ScalarShape()
	}
	if err := checkKShape(ks, rows); err != nil {
		return nil, err
	}
	return xs.Clone(), nil
}

// Do projects the rows of x. It allocates the output and nothing else; the
// kernels validate the values (NaN or ±Inf in x, k outside [0, n]) and the
// first failing row's error is returned.
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
		return doProjectRows[float32](op.tau, x, inputs[1], parallelMinElems)
	case tensor.Float64:
		return doProjectRows[float64](op.tau, x, inputs[1], parallelMinElems)
	}
	return nil, fmt.Errorf("op: %v: x has dtype %v, want float32 or float64", op, x.Dtype())
}

// doProjectRows is Do for one dtype: y[r] = Project(x[r]; k_r, τ) for every
// row r, rows in parallel when rows × n ≥ minElems.
func doProjectRows[T float32 | float64](tau float64, xt tensor.Tensor, kv G.Value, minElems int) (G.Value, error) {
	rows, n, err := rowsOf(xt.Shape())
	if err != nil {
		return nil, err
	}
	x, err := tensorData[T](xt, "x")
	if err != nil {
		return nil, err
	}
	k, err := kOf[T](kv, rows)
	if err != nil {
		return nil, err
	}
	yt := tensor.New(tensor.Of(xt.Dtype()), tensor.WithShape(xt.Shape().Clone()...))
	y := yt.Data().([]T)
	t := T(tau)
	err = forEachRowBlock(rows, n, minElems, func(lo, hi int) error {
		for r := lo; r < hi; r++ {
			if err := Project(y[r*n:(r+1)*n], x[r*n:(r+1)*n], k.at(r), t); err != nil {
				return rowError("SoftBinaryArgmax", rows, r, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return yt, nil
}

// ReturnsPtr is false: the output is a new tensor.
func (op *sbaOp) ReturnsPtr() bool { return false }

// CallsExtern is false: pure Go.
func (op *sbaOp) CallsExtern() bool { return false }

// OverwritesInput is -1: no input is overwritten.
func (op *sbaOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and τ, so ops with different τ are never
// merged into one node.
func (op *sbaOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "SoftBinaryArgmax{tau=%v}", op.tau) }

// Hashcode is the FNV-1a hash of WriteHash.
func (op *sbaOp) Hashcode() uint32 { return hashOf(op) }

// String names the op and τ.
func (op *sbaOp) String() string { return fmt.Sprintf("SoftBinaryArgmax{τ=%v}", op.tau) }

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
	dx, err := G.ApplyOp(&sbaDiffOp{tau: op.tau}, output, grad)
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
	dx, err := (&sbaDiffOp{tau: op.tau}).Do(output.Value(), g)
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

// rowsOf reads a vector (one row of n) or a matrix (rows × n) shape.
func rowsOf(s tensor.Shape) (rows, n int, err error) {
	switch s.Dims() {
	case 1:
		return 1, s[0], nil
	case 2:
		return s[0], s[1], nil
	}
	return 0, 0, fmt.Errorf("op: SoftBinaryArgmax: x has shape %v, want a vector or a matrix (rows × n)", s)
}

// checkKShape accepts a scalar k or a vector with one entry per row.
func checkKShape(s tensor.Shape, rows int) error {
	switch {
	case s.IsScalar():
		return nil
	case s.Dims() == 1 && s[0] == rows:
		return nil
	}
	return fmt.Errorf("op: SoftBinaryArgmax: k has shape %v, want a scalar or a vector of %d entries (one per row of x)", s, rows)
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
// matrix of the given number of rows, checking its dtype and length.
func kOf[T float32 | float64](v G.Value, rows int) (kArg[T], error) {
	if t, ok := v.(tensor.Tensor); ok && !t.Shape().IsScalar() {
		if err := checkKShape(t.Shape(), rows); err != nil {
			return kArg[T]{}, err
		}
		d, err := tensorData[T](t, "k")
		return kArg[T]{perRow: d}, err
	}
	if v == nil {
		return kArg[T]{}, fmt.Errorf("op: SoftBinaryArgmax: k has no value")
	}
	s, ok := v.Data().(T)
	if !ok {
		return kArg[T]{}, fmt.Errorf("op: SoftBinaryArgmax: k has dtype %v, want %T like x", v.Dtype(), s)
	}
	return kArg[T]{scalar: s}, nil
}

// tensorData returns the elements of t in row-major order as a []T, reading
// in place unless t is a view that needs an iterator (then a copy).
func tensorData[T float32 | float64](t tensor.Tensor, name string) ([]T, error) {
	if d, ok := t.(*tensor.Dense); ok && d.RequiresIterator() {
		t = d.Materialize()
	}
	data, ok := t.Data().([]T)
	if !ok {
		var zero T
		return nil, fmt.Errorf("op: SoftBinaryArgmax: %s has dtype %v, want %T", name, t.Dtype(), zero)
	}
	size := t.Shape().TotalSize()
	if len(data) < size {
		return nil, fmt.Errorf("op: SoftBinaryArgmax: %s holds %d values, its shape %v needs %d", name, len(data), t.Shape(), size)
	}
	return data[:size], nil
}

// rowError names the failing row of a matrix input (not of a vector).
func rowError(what string, rows, row int, err error) error {
	if rows == 1 {
		return fmt.Errorf("op: %s: %w", what, err)
	}
	return fmt.Errorf("op: %s: row %d of %d: %w", what, row, rows, err)
}

// hashOf is the FNV-1a hash of what op.WriteHash writes.
func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

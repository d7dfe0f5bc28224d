package op

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/hypersimplex/hsloss/op/hypersimplex"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SoftBinaryArgmax adds the node y = SBA_k(x; τ) to x's graph: every row of
// x (a vector of n, or a matrix of rows × n) is projected onto the
// hypersimplex Δ(n, k_row),
//
//	y_row = argmin_{y ∈ [0,1]^n, Σ y = k_row} ‖y − x_row/τ‖²   (Project),
//
// a soft, differentiable top-k indicator of the row (the hard one,
// BinaryArgmax, is the limit τ → 0).
//
// k is a scalar node (the same k for every row) or a vector node with one
// entry per row, of x's dtype (float32 or float64). It is an input of the
// node, not a constant, so one compiled graph serves batches whose k
// differs; it is not differentiated. Each k_row must lie in [0, n].
//
// Gradients flow to x through both of Gorgonia's machines: Grad and the
// TapeMachine use a separate backward node computing Jᵀg from y (O(n) per
// row, no sort); the LispMachine uses the op's DoDiff. Rows are projected
// in parallel when rows × n is large.
//
// Errors: tau not finite, below 2⁻¹⁰²² (the smallest normal float64), or 0
// or +Inf once rounded to x's dtype, x not a
// float vector or matrix, k of another dtype, shape or length here; NaN or
// ±Inf in x and k outside [0, n] when the graph runs (an error from the
// machine's RunAll).
func SoftBinaryArgmax(x, k *G.Node, tau float64) (*G.Node, error) {
	return applySBA(x, k, tau, false, hypersimplex.Euclidean)
}

// applySBA checks the arguments and adds the op projecting the rows of x,
// or with columns the columns of the matrix x (one k per column), with the
// regularizer reg.
func applySBA(x, k *G.Node, tau float64, columns bool, reg hypersimplex.Regularizer) (*G.Node, error) {
	if x == nil || k == nil {
		return nil, argErr(ErrNil, "SoftBinaryArgmax", "x, k", nil, "x and k must be non-nil nodes")
	}
	dt := x.Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, argErr(ErrDtype, "SoftBinaryArgmax", "x", dt, "x has dtype %v, want float32 or float64", dt)
	}
	if err := checkTemperature("SoftBinaryArgmax", tau, dt); err != nil {
		return nil, err
	}
	if k.Dtype() != dt {
		return nil, argErr(ErrDtype, "SoftBinaryArgmax", "k", k.Dtype(), "k has dtype %v, want x's dtype %v", k.Dtype(), dt)
	}
	lines, _, err := linesOf(x.Shape(), columns)
	if err != nil {
		return nil, err
	}
	if err := checkKShape(k.Shape(), lines, columns); err != nil {
		return nil, err
	}
	y, err := G.ApplyOp(&sbaOp{tau: tau, columns: columns, reg: reg}, x, k)
	if err != nil {
		return nil, fmt.Errorf("op: SoftBinaryArgmax(x %v, k %v): %w", x.Shape(), k.Shape(), err)
	}
	return y, nil
}

// checkTemperature reports, while fn builds its graph, a τ that the
// kernels would reject when it runs in dtype dt: one hypersimplex.CheckTau
// rejects, or one that float32 rounds to 0 or +Inf. The error is an
// *ArgError of kind ErrTau, which also wraps the kernels' own
// *hypersimplex.ArgError when CheckTau rejected it.
func checkTemperature(fn string, tau float64, dt tensor.Dtype) error {
	if err := hypersimplex.CheckTau(tau); err != nil {
		return &ArgError{Func: fn, Arg: "tau", Value: tau, Err: errors.Join(ErrTau, err), msg: strings.TrimPrefix(err.Error(), "hypersimplex: ")}
	}
	if t := float32(tau); dt == tensor.Float32 && (t == 0 || math.IsInf(float64(t), 0)) {
		return argErr(ErrTau, fn, "tau", tau, "tau = %v is %v in float32, want a finite value > 0", tau, t)
	}
	return nil
}

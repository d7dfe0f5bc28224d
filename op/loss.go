package op

import (
	"fmt"
	"math"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// HyperSimplexLoss adds the multiclass HyperSimplex loss of Gomez, Wang and
// Tang (arXiv 2602.23336) to the graph of logits (n × C, batch-major: one row
// per sample) and one-hot targets T (n × C, same dtype). Every class column
// is projected over the batch,
//
//	p_c = SBA_{k_c}(X[:,c]; τ) = Π_{Δ(n, k_c)}(X[:,c]/τ),
//	L   = s · Σ_c ‖p_c − T[:,c]‖²,
//
// with k_c from opts.KPolicy (KBatch: column sums of T, computed in the
// graph for every batch; KPrior: π_c·n; KFraction: f·n; KFractionFloor:
// ⌊f·n⌋, the reference code's rounding) and the scale s from
// opts.Reduction: ½/n (ReduceBatchMean, the default), ½ (ReduceSum) or
// 1/(n·C) (ReduceEntryMean, the public reference code's mean over all
// entries); the options are those of package hypersimplex. The gradient is
// ∇_X L = 2s · Jᵀ(p − T) column by column, so the reduction scales it by
// the same factor as the loss.
//
// In the graph the columns of the logits are projected directly by the
// SoftBinaryArgmax op in its column layout (no transposed copies in the
// graph) with a k vector of length C. The result is a scalar node of the
// logits' dtype; both Gorgonia machines differentiate it.
//
// The class offsets: each column is projected on its own and the
// projection is shift-invariant, so the loss is blind to a constant added
// to one class's logits. It never trains the offsets between classes (an
// output layer's bias gets exactly zero gradient), while the argmax over
// classes that predicts at test time depends on them. Train them with
// HyperSimplexLossWithOffsets (the drop-in loss), or fit them after
// training (nn.FitClassOffsets) and predict with argmax(Z + b).
func HyperSimplexLoss(logits, targets *G.Node, opts hypersimplex.LossOptions) (*G.Node, error) {
	if err := checkLossInputs("HyperSimplexLoss", logits, targets, 2, "targets"); err != nil {
		return nil, err
	}
	n, classes := logits.Shape()[0], logits.Shape()[1]
	if err := opts.Validate(classes); err != nil {
		return nil, &prefixedError{prefix: "op: HyperSimplexLoss: ", err: err}
	}
	k, err := lossK(targets, n, classes, opts)
	if err != nil {
		return nil, fmt.Errorf("op: HyperSimplexLoss: k: %w", err)
	}
	return squaredErrorLoss(logits, targets, k, true, opts, opts.Reduction.Scale(n, classes))
}

// BinaryHyperSimplexLoss adds the binary HyperSimplex loss to the graph of
// logits x and 0/1 labels t, vectors of length n (the batch) of one dtype:
//
//	p = SBA_k(x; τ),   L = s · ‖p − t‖²,
//
// with k = Σ_i t_i (KBatch, computed in the graph), π·n (KPrior, Prior
// holding the one positive rate π), f·n (KFraction) or ⌊f·n⌋
// (KFractionFloor), and s = ½/n (ReduceBatchMean, default), ½ (ReduceSum)
// or 1/n (ReduceEntryMean). The gradient is 2s · Jᵀ(p − t), scaled like
// the loss.
func BinaryHyperSimplexLoss(logits, labels *G.Node, opts hypersimplex.LossOptions) (*G.Node, error) {
	if err := checkLossInputs("BinaryHyperSimplexLoss", logits, labels, 1, "labels"); err != nil {
		return nil, err
	}
	n := logits.Shape()[0]
	if err := opts.Validate(1); err != nil {
		return nil, &prefixedError{prefix: "op: BinaryHyperSimplexLoss: ", err: err}
	}
	k, err := lossK(labels, n, 1, opts)
	if err != nil {
		return nil, fmt.Errorf("op: BinaryHyperSimplexLoss: k: %w", err)
	}
	return squaredErrorLoss(logits, labels, k, false, opts, opts.Reduction.Scale(n, 1))
}

// squaredErrorLoss adds s · Σ (SBA_k(x; τ) − t)² with x and t of one shape,
// projecting the rows of x, or its columns if columns is set.
func squaredErrorLoss(x, t, k *G.Node, columns bool, opts hypersimplex.LossOptions, s float64) (*G.Node, error) {
	p, err := applySBA(x, k, opts.Tau, columns, opts.Regularizer)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(p, t)
	if err != nil {
		return nil, fmt.Errorf("op: loss: p − t: %w", err)
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, fmt.Errorf("op: loss: (p − t)²: %w", err)
	}
	sum, err := G.Sum(sq)
	if err != nil {
		return nil, fmt.Errorf("op: loss: Σ (p − t)²: %w", err)
	}
	scale, err := scalarConstant(x.Dtype(), s)
	if err != nil {
		return nil, err
	}
	loss, err := G.Mul(sum, scale)
	if err != nil {
		return nil, fmt.Errorf("op: loss: scaling: %w", err)
	}
	return loss, nil
}

// lossK builds the k node for the policy: for classes > 1 a vector of length
// C (hypersimplex.KBatch: column sums of the n × C targets; hypersimplex.KPrior: π_c·n; hypersimplex.KFraction: f·n
// and hypersimplex.KFractionFloor: ⌊f·n⌋ as a scalar), for the binary loss a scalar.
func lossK(targets *G.Node, n, classes int, opts hypersimplex.LossOptions) (*G.Node, error) {
	dt := targets.Dtype()
	switch opts.KPolicy {
	case hypersimplex.KBatch:
		if classes == 1 {
			return G.Sum(targets)
		}
		return G.Sum(targets, 0)
	case hypersimplex.KPrior:
		if classes == 1 {
			return scalarConstant(dt, opts.Prior[0]*float64(n))
		}
		k := make([]float64, classes)
		for c, p := range opts.Prior {
			k[c] = p * float64(n)
		}
		return vectorConstant(dt, k)
	case hypersimplex.KFraction:
		return scalarConstant(dt, opts.Fraction*float64(n))
	case hypersimplex.KFractionFloor:
		return scalarConstant(dt, math.Floor(opts.Fraction*float64(n)))
	}
	return nil, fmt.Errorf("KPolicy = %v unknown", opts.KPolicy)
}

// checkLossInputs checks, for the loss fn, that logits and targets (named
// tname) are non-nil float32 or float64 nodes of one dtype and one
// non-empty shape of the given rank.
func checkLossInputs(fn string, logits, targets *G.Node, rank int, tname string) error {
	if logits == nil || targets == nil {
		return argErr(ErrNil, fn, "logits, "+tname, nil, "logits and %s must be non-nil nodes", tname)
	}
	want := "a vector (n)"
	if rank == 2 {
		want = "a matrix (n × C)"
	}
	if logits.Dims() != rank {
		return argErr(ErrShape, fn, "logits", logits.Shape(), "logits has shape %v, want %s", logits.Shape(), want)
	}
	if !logits.Shape().Eq(targets.Shape()) {
		return argErr(ErrShape, fn, tname, targets.Shape(), "%s has shape %v, want the logits' shape %v", tname, targets.Shape(), logits.Shape())
	}
	if logits.Shape().TotalSize() == 0 {
		return argErr(ErrShape, fn, "logits", logits.Shape(), "logits has shape %v, want a non-empty batch", logits.Shape())
	}
	dt := logits.Dtype()
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return argErr(ErrDtype, fn, "logits", dt, "logits have dtype %v, want float32 or float64", dt)
	}
	if targets.Dtype() != dt {
		return argErr(ErrDtype, fn, tname, targets.Dtype(), "%s have dtype %v, want the logits' dtype %v", tname, targets.Dtype(), dt)
	}
	return nil
}

// scalarConstant is a constant scalar node of dtype dt.
func scalarConstant(dt tensor.Dtype, v float64) (*G.Node, error) {
	switch dt {
	case tensor.Float32:
		return G.NewConstant(float32(v)), nil
	case tensor.Float64:
		return G.NewConstant(v), nil
	}
	return nil, fmt.Errorf("dtype %v, want float32 or float64", dt)
}

// vectorConstant is a constant vector node of dtype dt.
func vectorConstant(dt tensor.Dtype, v []float64) (*G.Node, error) {
	switch dt {
	case tensor.Float32:
		v32 := make([]float32, len(v))
		for i, x := range v {
			v32[i] = float32(x)
		}
		return G.NewConstant(tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v32))), nil
	case tensor.Float64:
		return G.NewConstant(tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))), nil
	}
	return nil, fmt.Errorf("dtype %v, want float32 or float64", dt)
}

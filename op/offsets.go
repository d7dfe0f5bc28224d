package op

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ClassOffsetLoss adds the loss that trains the class offsets b which the
// multiclass HyperSimplex loss cannot train: the cross-entropy of the
// logits Z (n × C, batch-major; they include b, typically as the output
// layer's bias) against the targets T (n × C, one-hot or soft), with its
// gradient sent to b alone:
//
//	L = −(1/n) Σ_i Σ_c T[i,c] · log softmax(Z[i,:])_c,
//	∂L/∂b_c = (1/n) Σ_i (softmax(Z[i,:])_c − T[i,c]),   ∂L/∂Z := 0.
//
// It is the cross-entropy of softmax(Z̄ + b) with Z̄ = Z − b held fixed:
// the criterion nn.FitClassOffsets minimises after training, minimised
// here one optimiser step at a time in the training graph. offsets is the
// node of b, a vector (C) or a row (1 × C) of the logits' dtype; its value
// is not read. The result is a scalar node; both Gorgonia machines
// differentiate it. NaN or ±Inf logits are an error when the graph runs.
func ClassOffsetLoss(logits, targets, offsets *G.Node) (*G.Node, error) {
	const fn = "ClassOffsetLoss"
	if err := checkLossInputs(fn, logits, targets, 2, "targets"); err != nil {
		return nil, err
	}
	if err := checkOffsets(fn, logits, offsets); err != nil {
		return nil, err
	}
	loss, err := G.ApplyOp(classOffsetOp{}, logits, targets, offsets)
	if err != nil {
		return nil, fmt.Errorf("op: %s: %w", fn, err)
	}
	return loss, nil
}

// HyperSimplexLossWithOffsets is HyperSimplexLoss made a drop-in
// classification loss: it adds ClassOffsetLoss, so that the class offsets
// b the logits include (the output layer's bias) are trained too and the
// plain argmax of the logits predicts well,
//
//	L = HyperSimplexLoss(Z, T) + ClassOffsetLoss(Z, T, b).
//
// The network's gradient is the HyperSimplex loss's alone (the second term
// sends nothing to Z), and b's is the cross-entropy's alone (the first is
// blind to b: each class column is projected on its own and the projection
// is shift-invariant). Give b a learning rate of its own, larger than the
// network's: an optimiser like Adam moves b by at most its learning rate per
// step, and few large batches leave it far from its optimum (docs/results.md
// measures 100 times the network's rate against the same).
func HyperSimplexLossWithOffsets(logits, targets, offsets *G.Node, opts hypersimplex.LossOptions) (*G.Node, error) {
	const fn = "HyperSimplexLossWithOffsets"
	hs, err := HyperSimplexLoss(logits, targets, opts)
	if err != nil {
		return nil, err
	}
	off, err := ClassOffsetLoss(logits, targets, offsets)
	if err != nil {
		return nil, err
	}
	loss, err := G.Add(hs, off)
	if err != nil {
		return nil, fmt.Errorf("op: %s: sum: %w", fn, err)
	}
	return loss, nil
}

// checkOffsets checks that offsets is a vector (C) or a row (1 × C) of the
// logits' dtype, C the logits' columns.
func checkOffsets(fn string, logits, offsets *G.Node) error {
	if offsets == nil {
		return argErr(ErrNil, fn, "offsets", nil, "offsets must be a non-nil node")
	}
	classes := logits.Shape()[1]
	s := offsets.Shape()
	if !(s.Dims() == 1 && s[0] == classes) && !(s.Dims() == 2 && s[0] == 1 && s[1] == classes) {
		return argErr(ErrShape, fn, "offsets", s, "offsets has shape %v, want (%d) or (1, %d), one per class", s, classes, classes)
	}
	if offsets.Dtype() != logits.Dtype() {
		return argErr(ErrDtype, fn, "offsets", offsets.Dtype(), "offsets have dtype %v, want the logits' dtype %v", offsets.Dtype(), logits.Dtype())
	}
	return nil
}

// classOffsetOp is the op of ClassOffsetLoss: (Z, T, b) → L, differentiated
// with respect to b only, by classOffsetDiffOp.
type classOffsetOp struct{}

var (
	_ G.Op   = classOffsetOp{}
	_ G.SDOp = classOffsetOp{}
	_ G.ADOp = classOffsetOp{}
)

// Arity is 3: the logits, the targets and the offsets.
func (classOffsetOp) Arity() int { return 3 }

// Type is matrix a → matrix a → o → a: a scalar of the logits' dtype.
func (classOffsetOp) Type() hm.Type {
	a, o := hm.TypeVariable('a'), hm.TypeVariable('o')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, o, a)
}

// InferShape returns the scalar shape (the constructor checked the inputs).
func (classOffsetOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

// Do returns the mean cross-entropy of the logits' softmax.
func (op classOffsetOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 3 (logits, targets, offsets)", op, len(inputs))
	}
	loss, err := offsetCrossEntropy(inputs[0], inputs[1], nil)
	if err != nil {
		return nil, err
	}
	if inputs[0].Dtype() == tensor.Float32 {
		return G.NewF32(float32(loss)), nil
	}
	return G.NewF64(loss), nil
}

func (classOffsetOp) ReturnsPtr() bool         { return false }
func (classOffsetOp) CallsExtern() bool        { return false }
func (classOffsetOp) OverwritesInput() int     { return -1 }
func (op classOffsetOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op classOffsetOp) Hashcode() uint32      { return hashOf(op) }
func (classOffsetOp) String() string           { return "ClassOffsetLoss" }

// DiffWRT says that only the offsets are differentiated.
func (classOffsetOp) DiffWRT(inputs int) []bool {
	if inputs != 3 {
		return nil
	}
	return []bool{false, false, true}
}

// SymDiff returns nil for the logits and the targets and, for the offsets,
// the node of grad · (1/n) Σ_i (softmax(Z_i) − T_i).
func (op classOffsetOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("op: %v: SymDiff got %d inputs, want 3", op, len(inputs))
	}
	db, err := G.ApplyOp(classOffsetDiffOp{}, inputs[0], inputs[1], inputs[2], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{nil, nil, db}, nil
}

// DoDiff (LispMachine) adds the offsets' gradient into theirs in place.
func (op classOffsetOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 3 {
		return fmt.Errorf("op: %v: DoDiff got %d inputs, want 3", op, len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("op: %v: gradient of the output: %w", op, err)
	}
	bGrad, err := inputs[2].Grad()
	if err != nil {
		return fmt.Errorf("op: %v: gradient of the offsets: %w", op, err)
	}
	db, err := classOffsetDiffOp{}.Do(inputs[0].Value(), inputs[1].Value(), inputs[2].Value(), g)
	if err != nil {
		return err
	}
	acc, ok := bGrad.(tensor.Tensor)
	if !ok {
		return fmt.Errorf("op: %v: gradient of the offsets is a %T, want a tensor", op, bGrad)
	}
	if _, err := tensor.Add(acc, db, tensor.UseUnsafe()); err != nil {
		return fmt.Errorf("op: %v: accumulating the gradient of the offsets: %w", op, err)
	}
	return nil
}

// classOffsetDiffOp computes the offsets' gradient of classOffsetOp,
// (Z, T, b, g) → g · (1/n) Σ_i (softmax(Z_i) − T_i), in b's shape.
type classOffsetDiffOp struct{}

var _ G.Op = classOffsetDiffOp{}

// Arity is 4: the logits, the targets, the offsets (for their shape) and
// the incoming scalar gradient.
func (classOffsetDiffOp) Arity() int { return 4 }

// Type is matrix a → matrix a → o → a → o.
func (classOffsetDiffOp) Type() hm.Type {
	a, o := hm.TypeVariable('a'), hm.TypeVariable('o')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, o, a, o)
}

// InferShape returns the offsets' shape.
func (op classOffsetDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 4 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 4", op, len(inputs))
	}
	s, ok := inputs[2].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("op: %v: cannot infer the offsets' shape from %T", op, inputs[2])
	}
	return s.Clone(), nil
}

// Do computes the gradient into a new tensor of the offsets' shape.
func (op classOffsetDiffOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 4 {
		return nil, fmt.Errorf("op: %v: got %d inputs, want 4", op, len(inputs))
	}
	classes := inputs[0].Shape()[1]
	g := make([]float64, classes)
	if _, err := offsetCrossEntropy(inputs[0], inputs[1], g); err != nil {
		return nil, err
	}
	scale, err := scalarValue(inputs[3])
	if err != nil {
		return nil, fmt.Errorf("op: %v: %w", op, err)
	}
	shape := inputs[2].Shape().Clone()
	if inputs[0].Dtype() == tensor.Float32 {
		out := make([]float32, classes)
		for c, v := range g {
			out[c] = float32(scale * v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out)), nil
	}
	for c := range g {
		g[c] *= scale
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(g)), nil
}

func (classOffsetDiffOp) ReturnsPtr() bool         { return false }
func (classOffsetDiffOp) CallsExtern() bool        { return false }
func (classOffsetDiffOp) OverwritesInput() int     { return -1 }
func (op classOffsetDiffOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op classOffsetDiffOp) Hashcode() uint32      { return hashOf(op) }
func (classOffsetDiffOp) String() string           { return "ClassOffsetLossGrad" }

// scalarValue reads a float32 or float64 scalar value.
func scalarValue(v G.Value) (float64, error) {
	switch d := v.Data().(type) {
	case float32:
		return float64(d), nil
	case float64:
		return d, nil
	case []float32:
		if len(d) == 1 {
			return float64(d[0]), nil
		}
	case []float64:
		if len(d) == 1 {
			return d[0], nil
		}
	}
	return 0, fmt.Errorf("gradient %v is not a float scalar", v)
}

// offsetCrossEntropy returns −(1/n) Σ_i Σ_c T[i,c] log softmax(Z[i,:])_c
// for the n × C values z and t and, if g is not nil (len C), sets
// g_c = (1/n) Σ_i (softmax(Z[i,:])_c − T[i,c]). Sums are in float64; each
// row's softmax subtracts the row's maximum.
func offsetCrossEntropy(zv, tv G.Value, g []float64) (float64, error) {
	switch zv.Dtype() {
	case tensor.Float32:
		z, err := tensorData[float32](zv.(tensor.Tensor), "logits")
		if err != nil {
			return 0, err
		}
		t, err := tensorData[float32](tv.(tensor.Tensor), "targets")
		if err != nil {
			return 0, err
		}
		return offsetCrossEntropyOf(z, t, zv.Shape()[1], g)
	case tensor.Float64:
		z, err := tensorData[float64](zv.(tensor.Tensor), "logits")
		if err != nil {
			return 0, err
		}
		t, err := tensorData[float64](tv.(tensor.Tensor), "targets")
		if err != nil {
			return 0, err
		}
		return offsetCrossEntropyOf(z, t, zv.Shape()[1], g)
	}
	return 0, argErr(ErrDtype, "ClassOffsetLoss", "logits", zv.Dtype(), "logits have dtype %v, want float32 or float64", zv.Dtype())
}

// offsetCrossEntropyOf is offsetCrossEntropy on slices of rows of classes
// values.
func offsetCrossEntropyOf[T float32 | float64](z, t []T, classes int, g []float64) (float64, error) {
	n := len(z) / classes
	clear(g)
	loss := 0.0
	for i := 0; i < n; i++ {
		row, tr := z[i*classes:(i+1)*classes], t[i*classes:(i+1)*classes]
		m := math.Inf(-1)
		for c, v := range row {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return 0, argErr(hypersimplex.ErrNotFinite, "ClassOffsetLoss", "logits", f, "logits[%d, %d] = %v is not finite", i, c, f)
			}
			m = max(m, f)
		}
		sum := 0.0
		for _, v := range row {
			sum += math.Exp(float64(v) - m)
		}
		logSum := math.Log(sum)
		for c, v := range row {
			logP := float64(v) - m - logSum
			loss -= float64(tr[c]) * logP
			if g != nil {
				g[c] += math.Exp(logP) - float64(tr[c])
			}
		}
	}
	for c := range g {
		g[c] /= float64(n)
	}
	return loss / float64(n), nil
}

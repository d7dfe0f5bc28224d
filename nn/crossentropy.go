package nn

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// crossEntropyOp is the ce head's loss as one op: from logits X and
// targets T (both n × C, one dtype) the batch-mean softmax cross-entropy
//
//	L = −(1/n) Σ_i Σ_c T[i,c] · (X[i,c] − lse_i),   lse_i = max_c X[i,c] + log Σ_c exp(X[i,c] − max_c X[i,c]),
//
// a scalar, sums in float64. Its gradient with respect to X (T is a
// constant target: no gradient) is
//
//	∂L/∂X[i,c] = (softmax(X[i,:])_c · Σ_c' T[i,c'] − T[i,c]) / n,
//
// (softmax − T)/n for one-hot rows, written into an op-owned tensor. It
// replaces G.LogSoftMax, ⊙, Sum and a scaling, whose values Gorgonia
// allocated on every run (4 MB per step for the MLP at batch 8192).
type crossEntropyOp struct{}

var (
	_ G.SDOp = crossEntropyOp{}
	_ G.ADOp = crossEntropyOp{}
)

// Arity is 2: X and T.
func (crossEntropyOp) Arity() int { return 2 }

// Type is matrix a → matrix a → a.
func (crossEntropyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(t, t, a)
}

// InferShape returns the scalar shape after checking that X and T are
// n × C matrices of one shape.
func (crossEntropyOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf("cross-entropy", []string{"logits", "targets"}, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkCEShapes(s[0], s[1]); err != nil {
		return nil, err
	}
	return tensor.ScalarShape(), nil
}

// checkCEShapes checks logits and targets: n × C, n, C ≥ 1, equal.
func checkCEShapes(x, t tensor.Shape) error {
	if x.Dims() != 2 || x[0] < 1 || x[1] < 1 {
		return fmt.Errorf("nn: cross-entropy: logits have shape %v, want (batch ≥ 1, classes ≥ 1)", x)
	}
	if !t.Eq(x) {
		return fmt.Errorf("nn: cross-entropy: targets have shape %v, want the logits' %v", t, x)
	}
	return nil
}

func (crossEntropyOp) ReturnsPtr() bool     { return false }
func (crossEntropyOp) CallsExtern() bool    { return false }
func (crossEntropyOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name (it has no parameters).
func (crossEntropyOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.crossentropy") }

// Hashcode is the FNV-1a hash of WriteHash.
func (op crossEntropyOp) Hashcode() uint32 { return opHash(op) }

func (crossEntropyOp) String() string { return "nn.CrossEntropy" }

// Do returns L as a scalar of the logits' dtype.
func (crossEntropyOp) Do(inputs ...G.Value) (G.Value, error) {
	d, err := denseInputs("cross-entropy", []string{"logits", "targets"}, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkCEShapes(d[0].Shape(), d[1].Shape()); err != nil {
		return nil, err
	}
	n, c := d[0].Shape()[0], d[0].Shape()[1]
	if d[0].Dtype() == tensor.Float32 {
		return G.NewF32(float32(crossEntropy(d[0].Float32s(), d[1].Float32s(), n, c))), nil
	}
	return G.NewF64(crossEntropy(d[0].Float64s(), d[1].Float64s(), n, c)), nil
}

// DiffWRT: X is differentiable, T is not.
func (crossEntropyOp) DiffWRT(inputs int) []bool { return []bool{true, false} }

// SymDiff returns ∂L/∂X = crossEntropyDiffOp(X, T, ∂·/∂L) and nil for T.
func (crossEntropyOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("nn: cross-entropy: SymDiff got %d inputs, want 2 (logits, targets)", len(inputs))
	}
	dx, err := G.ApplyOp(&crossEntropyDiffOp{}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, fmt.Errorf("nn: cross-entropy: SymDiff: %w", err)
	}
	return G.Nodes{dx, nil}, nil
}

// DoDiff (LispMachine) adds ∂L/∂X into the logits' gradient in place.
func (crossEntropyOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 2 {
		return fmt.Errorf("nn: cross-entropy: DoDiff got %d inputs, want 2 (logits, targets)", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: cross-entropy: gradient of the output: %w", err)
	}
	d, err := (&crossEntropyDiffOp{}).Do(inputs[0].Value(), inputs[1].Value(), g)
	if err != nil {
		return err
	}
	return accumulateGrad("cross-entropy", "logits", inputs[0], d)
}

// crossEntropyDiffOp is the backward op of crossEntropyOp: from X, T and
// the scalar upstream gradient g it computes g·∂L/∂X.
type crossEntropyDiffOp struct {
	out outBuf // ∂L/∂X, reused from run to run
}

// Arity is 3: X, T, g.
func (*crossEntropyDiffOp) Arity() int { return 3 }

// Type is matrix a → matrix a → a → matrix a.
func (*crossEntropyDiffOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(t, t, a, t)
}

// InferShape returns the logits' shape.
func (*crossEntropyDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf("cross-entropy gradient", []string{"logits", "targets", "g"}, inputs)
	if err != nil {
		return nil, err
	}
	if err := checkCEShapes(s[0], s[1]); err != nil {
		return nil, err
	}
	return s[0].Clone(), nil
}

func (*crossEntropyDiffOp) ReturnsPtr() bool     { return false }
func (*crossEntropyDiffOp) CallsExtern() bool    { return false }
func (*crossEntropyDiffOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name.
func (*crossEntropyDiffOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "nn.crossentropydiff") }

// Hashcode is the FNV-1a hash of WriteHash.
func (op *crossEntropyDiffOp) Hashcode() uint32 { return opHash(op) }

func (*crossEntropyDiffOp) String() string { return "nn.CrossEntropyDiff" }

// Do returns g·∂L/∂X in the op's own output tensor.
func (op *crossEntropyDiffOp) Do(inputs ...G.Value) (G.Value, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: cross-entropy gradient: got %d values, want 3 (logits, targets, g)", len(inputs))
	}
	d, err := denseInputs("cross-entropy gradient", []string{"logits", "targets"}, inputs[:2])
	if err != nil {
		return nil, err
	}
	x, t := d[0], d[1]
	if err := checkCEShapes(x.Shape(), t.Shape()); err != nil {
		return nil, err
	}
	var g float64
	switch v := inputs[2].Data().(type) {
	case float32:
		g = float64(v)
	case float64:
		g = v
	case []float32:
		if len(v) != 1 {
			return nil, fmt.Errorf("nn: cross-entropy gradient: g has %d values, want a scalar", len(v))
		}
		g = float64(v[0])
	case []float64:
		if len(v) != 1 {
			return nil, fmt.Errorf("nn: cross-entropy gradient: g has %d values, want a scalar", len(v))
		}
		g = v[0]
	default:
		return nil, fmt.Errorf("nn: cross-entropy gradient: g is a %T, want a float scalar", inputs[2])
	}
	n, c := x.Shape()[0], x.Shape()[1]
	dx := op.out.get(nil, x.Dtype(), x.Shape())
	if x.Dtype() == tensor.Float32 {
		crossEntropyGrad(dx.Float32s(), x.Float32s(), t.Float32s(), n, c, g)
	} else {
		crossEntropyGrad(dx.Float64s(), x.Float64s(), t.Float64s(), n, c, g)
	}
	return dx, nil
}

// logSumExp returns max(row) + log Σ exp(row − max(row)), in float64.
func logSumExp[T float](row []T) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = max(m, float64(v))
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// crossEntropy returns −(1/n) Σ_i Σ_c t[i,c]·(x[i,c] − lse_i) for n rows
// of c values.
func crossEntropy[T float](x, t []T, n, c int) float64 {
	total := 0.0
	for i := 0; i < n; i++ {
		row, tr := x[i*c:(i+1)*c], t[i*c:(i+1)*c]
		lse := logSumExp(row)
		for k, tv := range tr {
			if tv != 0 {
				total += float64(tv) * (float64(row[k]) - lse)
			}
		}
	}
	return -total / float64(n)
}

// crossEntropyGrad sets dx = g·(softmax(x)·Σ_c t − t)/n row by row.
func crossEntropyGrad[T float](dx, x, t []T, n, c int, g float64) {
	scale := g / float64(n)
	for i := 0; i < n; i++ {
		row, tr, dr := x[i*c:(i+1)*c], t[i*c:(i+1)*c], dx[i*c:(i+1)*c]
		lse := logSumExp(row)
		ts := 0.0
		for _, tv := range tr {
			ts += float64(tv)
		}
		for k, v := range row {
			dr[k] = T(scale * (math.Exp(float64(v)-lse)*ts - float64(tr[k])))
		}
	}
}

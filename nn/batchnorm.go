package nn

import (
	"fmt"
	"hash"
	"math"
	"sync"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Batch-norm defaults, as PyTorch's BatchNorm2d.
const (
	DefaultBatchNormMomentum = 0.1
	DefaultBatchNormEpsilon  = 1e-5
)

// BatchNormStats holds the running per-channel mean and variance of one
// batch-norm layer. It lives outside any graph, so the training graph
// updates it and an evaluation graph (any batch size) reads it. Gorgonia's
// own BatchNormOp cannot do this: it keeps the statistics inside the op of
// one graph, and every VM constructor resets them (SetTraining(true)).
//
// Update after each training batch with batch mean μ_B and unbiased batch
// variance σ²_B (m/(m−1) times the biased one, m = batch·spatial entries):
//
//	mean ← (1 − momentum)·mean + momentum·μ_B
//	var  ← (1 − momentum)·var  + momentum·σ²_B
//
// Initial values: mean 0, variance 1.
type BatchNormStats struct {
	momentum, epsilon float64

	mu       sync.Mutex
	mean     []float64
	variance []float64
}

// NewBatchNormStats returns fresh statistics for channels channels.
// momentum must be in (0, 1], epsilon > 0.
func NewBatchNormStats(channels int, momentum, epsilon float64) (*BatchNormStats, error) {
	if channels < 1 {
		return nil, fmt.Errorf("nn: NewBatchNormStats: channels = %d, want ≥ 1", channels)
	}
	if !(momentum > 0 && momentum <= 1) {
		return nil, fmt.Errorf("nn: NewBatchNormStats: momentum = %v, want in (0, 1]", momentum)
	}
	if !(epsilon > 0) || math.IsInf(epsilon, 0) {
		return nil, fmt.Errorf("nn: NewBatchNormStats: epsilon = %v, want a finite value > 0", epsilon)
	}
	s := &BatchNormStats{momentum: momentum, epsilon: epsilon,
		mean: make([]float64, channels), variance: make([]float64, channels)}
	for i := range s.variance {
		s.variance[i] = 1
	}
	return s, nil
}

// Channels returns the number of channels.
func (s *BatchNormStats) Channels() int { return len(s.mean) }

// Snapshot returns copies of the running mean and variance.
func (s *BatchNormStats) Snapshot() (mean, variance []float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]float64(nil), s.mean...), append([]float64(nil), s.variance...)
}

// update folds one batch's mean and biased variance over m entries into
// the running statistics.
func (s *BatchNormStats) update(mean, variance []float64, m int) {
	unbias := 1.0
	if m > 1 {
		unbias = float64(m) / float64(m-1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.mean {
		s.mean[ch] = (1-s.momentum)*s.mean[ch] + s.momentum*mean[ch]
		s.variance[ch] = (1-s.momentum)*s.variance[ch] + s.momentum*variance[ch]*unbias
	}
}

// read copies the running statistics into mean and variance.
func (s *BatchNormStats) read(mean, variance []float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	copy(mean, s.mean)
	copy(variance, s.variance)
}

// BatchNorm adds y = γ·(x − μ)/√(σ² + ε) + β per channel, with x of shape
// (batch, C) or (batch, C, H, W) and γ, β vectors of length C.
//
// training = true: μ and σ² are the batch's own mean and biased variance
// over the batch and spatial axes, the gradient flows through them, and
// each run of the graph folds them into stats. training = false: μ and σ²
// are stats' running values at run time (so a separate evaluation graph of
// any batch size uses what training accumulated), and stats is not
// changed.
func BatchNorm(x, gamma, beta *G.Node, stats *BatchNormStats, training bool) (*G.Node, error) {
	return batchNorm("BatchNorm", x, gamma, beta, stats, training, false)
}

// BatchNormReLU adds max(BatchNorm(x, γ, β), 0), i.e. ReLU(BatchNorm(...))
// with ReLU′(0) = 0, as one op: the ReLU is applied as the normalised
// values are written, and its gradient mask 1[z > 0] is recomputed from x
// inside the batch norm's gradient passes (bit-identical to the forward z),
// which saves a pass over the activations each way and their extra copy.
func BatchNormReLU(x, gamma, beta *G.Node, stats *BatchNormStats, training bool) (*G.Node, error) {
	return batchNorm("BatchNormReLU", x, gamma, beta, stats, training, true)
}

// batchNorm checks the arguments of BatchNorm (fn names it in errors) and
// applies the op.
func batchNorm(fn string, x, gamma, beta *G.Node, stats *BatchNormStats, training, relu bool) (*G.Node, error) {
	if x == nil || gamma == nil || beta == nil || stats == nil {
		return nil, fmt.Errorf("nn: %s: nil argument", fn)
	}
	if d := x.Dims(); (d != 2 && d != 4) || x.Shape().TotalSize() == 0 {
		return nil, fmt.Errorf("nn: %s: x has shape %v, want (batch, C) or (batch, C, H, W), all ≥ 1", fn, x.Shape())
	}
	if x.Shape()[1] != stats.Channels() {
		return nil, fmt.Errorf("nn: %s: x has %d channels, stats %d", fn, x.Shape()[1], stats.Channels())
	}
	op := &batchNormOp{stats: stats, training: training, relu: relu, dims: x.Dims()}
	y, err := G.ApplyOp(op, x, gamma, beta)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: %w", fn, err)
	}
	return y, nil
}

// batchNormOp is the Gorgonia op behind BatchNorm and BatchNormReLU:
// inputs x, γ, β.
type batchNormOp struct {
	stats    *BatchNormStats
	training bool
	relu     bool // a ReLU follows (BatchNormReLU)
	dims     int  // of x: 2 or 4

	// Per run: the mean and 1/√(σ² + ε) Do normalised by (variance is
	// its scratch), read by the gradient ops of the same run, with the
	// sums Σg and Σg·x̂; and the output tensor, reused from run to run.
	kern     bnRun
	variance []float64
	out      outBuf

	// run counts Do's runs. The first gradient op of a run computes the
	// sums that all three need and marks them with sumsRun; the others of
	// the same run reuse them (x and g, the same nodes for all three, do
	// not change within a run).
	run, sumsRun uint64
}

var (
	_ G.SDOp = (*batchNormOp)(nil)
	_ G.ADOp = (*batchNormOp)(nil)
)

func (op *batchNormOp) Arity() int { return 3 }

func (op *batchNormOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: op.dims, Of: a}
	v := G.TensorType{Dims: 1, Of: a}
	return hm.NewFnType(x, v, v, x)
}

func (op *batchNormOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: batchnorm: %d inputs, want 3", len(inputs))
	}
	shapes := make([]tensor.Shape, 3)
	for i, in := range inputs {
		s, ok := in.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("nn: batchnorm: input %d has no shape (%T)", i, in)
		}
		shapes[i] = s
	}
	return checkBatchNormShapes(shapes[0], shapes[1], shapes[2])
}

// checkBatchNormShapes verifies x (batch, C[, H, W]) and γ, β of shape (C)
// and returns x's shape.
func checkBatchNormShapes(x, gamma, beta tensor.Shape) (tensor.Shape, error) {
	if d := x.Dims(); d != 2 && d != 4 {
		return nil, fmt.Errorf("nn: batchnorm: x has shape %v, want (batch, C) or (batch, C, H, W)", x)
	}
	c := x[1]
	if gamma.TotalSize() != c || gamma.Dims() != 1 {
		return nil, fmt.Errorf("nn: batchnorm: γ has shape %v, want (%d)", gamma, c)
	}
	if beta.TotalSize() != c || beta.Dims() != 1 {
		return nil, fmt.Errorf("nn: batchnorm: β has shape %v, want (%d)", beta, c)
	}
	return x.Clone(), nil
}

func (op *batchNormOp) ReturnsPtr() bool     { return false }
func (op *batchNormOp) CallsExtern() bool    { return false }
func (op *batchNormOp) OverwritesInput() int { return -1 }

func (op *batchNormOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.batchnorm{training=%v, relu=%v, stats=%p}", op.training, op.relu, op.stats)
}

func (op *batchNormOp) Hashcode() uint32 { return opHash(op) }

func (op *batchNormOp) String() string {
	name := "BatchNorm"
	if op.relu {
		name = "BatchNormReLU"
	}
	return fmt.Sprintf("nn.%s{training=%v, momentum=%g, eps=%g}", name, op.training, op.stats.momentum, op.stats.epsilon)
}

// Do normalises x into the op's own output tensor (outBuf); in training
// mode it also updates the running statistics. It keeps the mean and
// 1/√(σ² + ε) it normalised by for the gradient ops of the same run. The
// passes run on channel blocks in parallel.
func (op *batchNormOp) Do(values ...G.Value) (G.Value, error) {
	x, gamma, beta, err := batchNormInputs(values)
	if err != nil {
		return nil, err
	}
	n, c, s := layout(x.Shape())
	k := &op.kern
	if len(k.mean) != c {
		k.mean, k.inv, op.variance = make([]float64, c), make([]float64, c), make([]float64, c)
		k.sumG, k.sumGX = make([]float64, c), make([]float64, c)
	}
	k.n, k.c, k.s, k.relu = n, c, s, op.relu
	op.run++
	op.statistics(x, k, op.variance)
	if op.training {
		op.stats.update(k.mean, op.variance, n*s)
	}
	invStdDev(k.inv, op.variance, op.stats.epsilon)
	y := op.out.get(nil, x.Dtype(), x.Shape())
	forEachBlock(c, n*c*s, func(_, c0, c1 int) {
		switch x.Dtype() {
		case tensor.Float32:
			bnApply(k, y.Float32s(), x.Float32s(), gamma.Float32s(), beta.Float32s(), c0, c1)
		default:
			bnApply(k, y.Float64s(), x.Float64s(), gamma.Float64s(), beta.Float64s(), c0, c1)
		}
	})
	return y, nil
}

// statistics fills k.mean and variance with what the op normalises by:
// the batch's moments in training mode, the running ones otherwise.
func (op *batchNormOp) statistics(x *tensor.Dense, k *bnRun, variance []float64) {
	if !op.training {
		op.stats.read(k.mean, variance)
		return
	}
	forEachBlock(k.c, k.n*k.c*k.s, func(_, c0, c1 int) {
		switch x.Dtype() {
		case tensor.Float32:
			batchMoments(k, x.Float32s(), variance, c0, c1)
		default:
			batchMoments(k, x.Float64s(), variance, c0, c1)
		}
	})
}

// DiffWRT: x, γ and β are all differentiable.
func (op *batchNormOp) DiffWRT(inputs int) []bool { return []bool{true, true, true} }

// SymDiff returns the gradient nodes of x, γ and β, each a batchNormDiffOp
// applied to (x, γ, β, upstream gradient).
func (op *batchNormOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 3 {
		return nil, fmt.Errorf("nn: batchnorm SymDiff: %d inputs, want 3", len(inputs))
	}
	out := make(G.Nodes, 3)
	for wrt := range out {
		d, err := G.ApplyOp(&batchNormDiffOp{fwd: op, wrt: wrt}, inputs[0], inputs[1], inputs[2], grad)
		if err != nil {
			return nil, fmt.Errorf("nn: batchnorm SymDiff (input %d): %w", wrt, err)
		}
		out[wrt] = d
	}
	return out, nil
}

// DoDiff (LispMachine) adds the gradients of x, γ and β into their
// gradient tensors in place (never replacing or aliasing them).
func (op *batchNormOp) DoDiff(ctx G.ExecutionContext, inputs G.Nodes, output *G.Node) error {
	if len(inputs) != 3 {
		return fmt.Errorf("nn: batchnorm DoDiff: %d inputs, want 3", len(inputs))
	}
	g, err := output.Grad()
	if err != nil {
		return fmt.Errorf("nn: batchnorm DoDiff: gradient of the output: %w", err)
	}
	for wrt, in := range inputs {
		d, err := (&batchNormDiffOp{fwd: op, wrt: wrt}).Do(inputs[0].Value(), inputs[1].Value(), inputs[2].Value(), g)
		if err != nil {
			return err
		}
		ig, err := in.Grad()
		if err != nil {
			return fmt.Errorf("nn: batchnorm DoDiff: gradient of input %d: %w", wrt, err)
		}
		acc, ok := ig.(tensor.Tensor)
		if !ok {
			return fmt.Errorf("nn: batchnorm DoDiff: gradient of input %d is a %T, want a tensor", wrt, ig)
		}
		if _, err := tensor.Add(acc, d, tensor.UseUnsafe()); err != nil {
			return fmt.Errorf("nn: batchnorm DoDiff: accumulating the gradient of input %d: %w", wrt, err)
		}
	}
	return nil
}

// batchNormDiffOp computes one of the gradients of batchNormOp (wrt 0: x,
// 1: γ, 2: β) from x, γ, β and the upstream gradient (β only for the
// ReLU's mask). It normalises by the statistics the forward op kept in
// the same run (see Do).
type batchNormDiffOp struct {
	fwd *batchNormOp
	wrt int
	out outBuf // the gradient, reused from run to run
}

func (op *batchNormDiffOp) Arity() int { return 4 }

func (op *batchNormDiffOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	x := G.TensorType{Dims: op.fwd.dims, Of: a}
	v := G.TensorType{Dims: 1, Of: a}
	if op.wrt == 0 {
		return hm.NewFnType(x, v, v, x, x)
	}
	return hm.NewFnType(x, v, v, x, v)
}

func (op *batchNormDiffOp) InferShape(inputs ...G.DimSizer) (tensor.Shape, error) {
	if len(inputs) != 4 {
		return nil, fmt.Errorf("nn: batchnorm diff: %d inputs, want 4", len(inputs))
	}
	x, ok1 := inputs[0].(tensor.Shape)
	gamma, ok2 := inputs[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("nn: batchnorm diff: inputs without shapes")
	}
	if op.wrt == 0 {
		return x.Clone(), nil
	}
	return gamma.Clone(), nil
}

func (op *batchNormDiffOp) ReturnsPtr() bool     { return false }
func (op *batchNormDiffOp) CallsExtern() bool    { return false }
func (op *batchNormDiffOp) OverwritesInput() int { return -1 }

func (op *batchNormDiffOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.batchnormdiff{wrt=%d, training=%v, relu=%v, stats=%p}", op.wrt, op.fwd.training, op.fwd.relu, op.fwd.stats)
}

func (op *batchNormDiffOp) Hashcode() uint32 { return opHash(op) }

func (op *batchNormDiffOp) String() string {
	return fmt.Sprintf("nn.BatchNormDiff{wrt=%d, training=%v, relu=%v}", op.wrt, op.fwd.training, op.fwd.relu)
}

// Do returns the gradient with respect to input op.wrt, in the op's own
// output tensor when run by a machine. It normalises by the mean and
// 1/√(σ² + ε) the forward op kept in this run (computing them again only
// when the forward has not run, or ran on another shape), and runs on
// channel blocks in parallel.
func (op *batchNormDiffOp) Do(values ...G.Value) (G.Value, error) {
	if len(values) != 4 {
		return nil, fmt.Errorf("nn: batchnorm diff: %d values, want 4", len(values))
	}
	x, gamma, beta, err := batchNormInputs(values[:3])
	if err != nil {
		return nil, err
	}
	g, ok := values[3].(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("nn: batchnorm diff: gradient is %T, want *tensor.Dense", values[3])
	}
	if g.Dtype() != x.Dtype() || !g.Shape().Eq(x.Shape()) {
		return nil, fmt.Errorf("nn: batchnorm diff: gradient %v %v, want x's %v %v", g.Dtype(), g.Shape(), x.Dtype(), x.Shape())
	}
	n, c, s := layout(x.Shape())
	fwd := op.fwd
	k := &fwd.kern
	sameShape := len(k.mean) == c && k.n == n && k.s == s
	cached := sameShape && fwd.sumsRun == fwd.run
	if !sameShape {
		// The forward has not run on this shape: compute its statistics
		// here, into a run of this op's own.
		k = &bnRun{n: n, c: c, s: s, relu: fwd.relu, mean: make([]float64, c), inv: make([]float64, c),
			sumG: make([]float64, c), sumGX: make([]float64, c)}
		variance := make([]float64, c)
		fwd.statistics(x, k, variance)
		invStdDev(k.inv, variance, fwd.stats.epsilon)
	}
	shape := tensor.Shape{c}
	if op.wrt == 0 {
		shape = x.Shape()
	}
	out := op.out.get(nil, x.Dtype(), shape)
	forEachBlock(c, n*c*s, func(_, c0, c1 int) {
		switch x.Dtype() {
		case tensor.Float32:
			bnGrad(k, op.wrt, out.Float32s(), x.Float32s(), g.Float32s(), gamma.Float32s(), beta.Float32s(), !cached, fwd.training, c0, c1)
		default:
			bnGrad(k, op.wrt, out.Float64s(), x.Float64s(), g.Float64s(), gamma.Float64s(), beta.Float64s(), !cached, fwd.training, c0, c1)
		}
	})
	if k == &fwd.kern {
		fwd.sumsRun = fwd.run
	}
	return out, nil
}

// bnGrad writes the gradient wrt (0: x, 1: γ, 2: β) of channels [c0, c1)
// into out, computing the sums first if sums is set.
func bnGrad[T float](k *bnRun, wrt int, out, x, g, gamma, beta []T, sums, batchStats bool, c0, c1 int) {
	if sums {
		bnSums(k, x, g, gamma, beta, c0, c1)
	}
	switch wrt {
	case 0:
		bnDx(k, out, x, g, gamma, beta, batchStats, c0, c1)
	case 1:
		for ch := c0; ch < c1; ch++ {
			out[ch] = T(k.sumGX[ch])
		}
	default:
		for ch := c0; ch < c1; ch++ {
			out[ch] = T(k.sumG[ch])
		}
	}
}

// batchNormInputs checks and unpacks x (2-D or 4-D), γ and β: dense
// values of one float dtype, γ and β of length C.
func batchNormInputs(values []G.Value) (x, gamma, beta *tensor.Dense, err error) {
	if len(values) != 3 {
		return nil, nil, nil, fmt.Errorf("nn: batchnorm: %d values, want 3", len(values))
	}
	var ds [3]*tensor.Dense
	for i, v := range values {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, nil, nil, fmt.Errorf("nn: batchnorm: input %d is %T, want *tensor.Dense", i, v)
		}
		if i > 0 && d.Dtype() != ds[0].Dtype() {
			return nil, nil, nil, fmt.Errorf("nn: batchnorm: input %d has dtype %v, x %v", i, d.Dtype(), ds[0].Dtype())
		}
		ds[i] = d
	}
	if err := checkDtype(ds[0].Dtype()); err != nil {
		return nil, nil, nil, fmt.Errorf("nn: batchnorm: %w", err)
	}
	if d := ds[0].Dims(); (d != 2 && d != 4) || ds[0].Shape().TotalSize() == 0 {
		return nil, nil, nil, fmt.Errorf("nn: batchnorm: x has shape %v, want 2-D or 4-D, all sizes ≥ 1", ds[0].Shape())
	}
	c := ds[0].Shape()[1]
	for i, name := range []string{"γ", "β"} {
		if ds[i+1].Shape().TotalSize() != c {
			return nil, nil, nil, fmt.Errorf("nn: batchnorm: %s has shape %v, want (%d)", name, ds[i+1].Shape(), c)
		}
	}
	return ds[0], ds[1], ds[2], nil
}

// layout returns batch n, channels c and spatial size s of x's shape.
func layout(shape tensor.Shape) (n, c, s int) {
	n, c = shape[0], shape[1]
	return n, c, shape.TotalSize() / (n * c)
}

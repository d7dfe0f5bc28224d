package op_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// hsCase is a multiclass (classes > 1) or binary (classes == 1, vectors)
// HyperSimplex loss problem with its float64 oracle.
type hsCase struct {
	dt         tensor.Dtype
	n, classes int
	opts       hypersimplex.LossOptions
	x, t       []float64 // n × C row-major (binary: n)
}

// k is the oracle's k_c per class for the options.
func (c hsCase) k() []float64 {
	k := make([]float64, c.classes)
	for cl := range k {
		switch c.opts.KPolicy {
		case hypersimplex.KBatch:
			for i := 0; i < c.n; i++ {
				k[cl] += c.t[i*c.classes+cl]
			}
		case hypersimplex.KPrior:
			k[cl] = c.opts.Prior[cl] * float64(c.n)
		case hypersimplex.KFraction:
			k[cl] = c.opts.Fraction * float64(c.n)
		case hypersimplex.KFractionFloor:
			k[cl] = math.Floor(c.opts.Fraction * float64(c.n))
		}
		if c.dt == tensor.Float32 {
			k[cl] = float64(float32(k[cl]))
		}
	}
	return k
}

// scale is the documented normalisation constant s in L = s·Σ(p − T)².
func (c hsCase) scale() float64 {
	switch c.opts.Reduction {
	case hypersimplex.ReduceSum:
		return 0.5
	case hypersimplex.ReduceEntryMean:
		return 1 / float64(c.n*c.classes)
	}
	return 0.5 / float64(c.n)
}

// oracle computes the loss directly with Project (ProjectEntropic for the
// entropic regularizer) on each class column.
func (c hsCase) oracle(tb testing.TB, x []float64) float64 {
	k := c.k()
	col, p := make([]float64, c.n), make([]float64, c.n)
	sum := 0.0
	for cl := 0; cl < c.classes; cl++ {
		for i := range col {
			col[i] = x[i*c.classes+cl]
		}
		if err := projectLineOracle(p, col, k[cl], c.opts.Tau, c.opts.Regularizer); err != nil {
			tb.Fatalf("oracle Project class %d: %v", cl, err)
		}
		for i := range p {
			d := p[i] - c.t[i*c.classes+cl]
			sum += d * d
		}
	}
	return c.scale() * sum
}

// build adds logits, targets and the loss node to a new graph.
func (c hsCase) build(tb testing.TB) (*G.ExprGraph, *G.Node, *G.Node) {
	tb.Helper()
	g := G.NewGraph()
	shape := []int{c.n, c.classes}
	if c.classes == 1 {
		shape = []int{c.n}
	}
	x := namedInput(g, c.dt, "logits", c.x, shape...)
	t := namedInput(g, c.dt, "targets", c.t, shape...)
	var loss *G.Node
	var err error
	if c.classes == 1 {
		loss, err = op.BinaryHyperSimplexLoss(x, t, c.opts)
	} else {
		loss, err = op.HyperSimplexLoss(x, t, c.opts)
	}
	if err != nil {
		tb.Fatal(err)
	}
	if !loss.IsScalar() || loss.Dtype() != c.dt {
		tb.Fatalf("loss node is %v %v, want a %v scalar", loss.Shape(), loss.Dtype(), c.dt)
	}
	return g, x, loss
}

func newHSCase(dt tensor.Dtype, n, classes int, opts hypersimplex.LossOptions, seed uint64) hsCase {
	rng := rand.New(rand.NewPCG(seed, 11))
	c := hsCase{dt: dt, n: n, classes: classes, opts: opts}
	c.x = roundToDtype(dt, gaussianFloats(rng, n*classes, 2))
	c.t = make([]float64, n*classes)
	for i := 0; i < n; i++ {
		if classes == 1 {
			c.t[i] = float64(rng.IntN(2))
		} else {
			c.t[i*classes+rng.IntN(classes)] = 1
		}
	}
	return c
}

// entropic returns o with the entropic regularizer.
func entropic(o hypersimplex.LossOptions) hypersimplex.LossOptions {
	o.Regularizer = hypersimplex.Entropic
	return o
}

func withOpts(p hypersimplex.KPolicy, m hypersimplex.Reduction, prior []float64, f float64) hypersimplex.LossOptions {
	o := hypersimplex.DefaultLossOptions()
	o.KPolicy, o.Reduction, o.Prior, o.Fraction = p, m, prior, f
	return o
}

// TestHyperSimplexLossValueAndGradient compares the loss node's value with
// the direct computation by the kernels, and its gradient (TapeMachine +
// Grad, and LispMachine) with central differences of that computation, for
// every k policy and normalisation, both dtypes, multiclass and binary,
// Euclidean and entropic.
func TestHyperSimplexLossValueAndGradient(t *testing.T) {
	type variant struct {
		name    string
		classes int
		opts    hypersimplex.LossOptions
	}
	variants := []variant{
		{"multiclass/batch/batch-mean", 4, withOpts(hypersimplex.KBatch, hypersimplex.ReduceBatchMean, nil, 0)},
		{"multiclass/batch/sum", 4, withOpts(hypersimplex.KBatch, hypersimplex.ReduceSum, nil, 0)},
		{"multiclass/prior/entry-mean", 4, withOpts(hypersimplex.KPrior, hypersimplex.ReduceEntryMean, []float64{0.1, 0.2, 0.3, 0.4}, 0)},
		{"multiclass/fraction/entry-mean", 4, withOpts(hypersimplex.KFraction, hypersimplex.ReduceEntryMean, nil, 0.5)},
		{"multiclass/reference", 4, hypersimplex.ReferenceLossOptions()},
		{"binary/batch/batch-mean", 1, withOpts(hypersimplex.KBatch, hypersimplex.ReduceBatchMean, nil, 0)},
		{"binary/prior/sum", 1, withOpts(hypersimplex.KPrior, hypersimplex.ReduceSum, []float64{0.3}, 0)},
		{"binary/fraction/entry-mean", 1, withOpts(hypersimplex.KFraction, hypersimplex.ReduceEntryMean, nil, 0.25)},
		{"binary/fraction-floor/sum", 1, withOpts(hypersimplex.KFractionFloor, hypersimplex.ReduceSum, nil, 0.3)},
		{"multiclass/batch/batch-mean/entropic", 4, entropic(withOpts(hypersimplex.KBatch, hypersimplex.ReduceBatchMean, nil, 0))},
		{"multiclass/reference/entropic", 4, entropic(hypersimplex.ReferenceLossOptions())},
		{"binary/fraction/sum/entropic", 1, entropic(withOpts(hypersimplex.KFraction, hypersimplex.ReduceSum, nil, 0.25))},
	}
	const n = 13
	for _, dt := range floatDtypes {
		for vi, v := range variants {
			c := newHSCase(dt, n, v.classes, v.opts, uint64(vi+1))
			wantLoss := c.oracle(t, c.x)
			wantGrad := centralDiffGradient(c.x, func(x []float64) float64 { return c.oracle(t, x) })
			t.Run(fmt.Sprintf("%v/%s/tape", dt, v.name), func(t *testing.T) {
				g, x, loss := c.build(t)
				gotLoss, grad := tapeRun(t, g, loss, x)
				assertClose(t, "loss", []float64{gotLoss}, []float64{wantLoss}, lossTolFor(dt))
				assertClose(t, "gradient", grad, wantGrad, gradTolFor(dt))
			})
			t.Run(fmt.Sprintf("%v/%s/lisp", dt, v.name), func(t *testing.T) {
				_, x, loss := c.build(t)
				m := G.NewLispMachine(x.Graph())
				defer m.Close()
				if err := m.RunAll(); err != nil {
					t.Fatal(err)
				}
				dx, err := x.Grad()
				if err != nil {
					t.Fatal(err)
				}
				assertClose(t, "loss", valueFloat64s(t, loss.Value()), []float64{wantLoss}, lossTolFor(dt))
				assertClose(t, "gradient", valueFloat64s(t, dx), wantGrad, gradTolFor(dt))
			})
		}
	}
}

// TestHyperSimplexLossKBatchFollowsTheBatch runs one compiled graph on two
// batches whose class counts differ: KBatch's k is computed in the graph.
func TestHyperSimplexLossKBatchFollowsTheBatch(t *testing.T) {
	c := newHSCase(tensor.Float64, 10, 3, hypersimplex.DefaultLossOptions(), 5)
	g, x, loss := c.build(t)
	grads, err := G.Grad(loss, x)
	if err != nil {
		t.Fatal(err)
	}
	targets := g.ByName("targets")[0]
	m := G.NewTapeMachine(g)
	defer m.Close()
	for run := 0; run < 2; run++ {
		if run == 1 {
			c2 := newHSCase(tensor.Float64, 10, 3, hypersimplex.DefaultLossOptions(), 77)
			c.t = c2.t
			if err := G.Let(targets, denseOf(tensor.Float64, c.t, 10, 3)); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		wantGrad := centralDiffGradient(c.x, func(x []float64) float64 { return c.oracle(t, x) })
		assertClose(t, fmt.Sprintf("run %d loss", run), valueFloat64s(t, loss.Value()), []float64{c.oracle(t, c.x)}, lossTol64)
		assertClose(t, fmt.Sprintf("run %d gradient", run), valueFloat64s(t, grads[0].Value()), wantGrad, gradTolGraph64)
		m.Reset()
	}
}

// TestHyperSimplexLossTrainsALinearModel is an end-to-end check: a linear
// classifier on separable synthetic data (class c has mean 3·e_c), trained
// with the loss through Grad, a TapeMachine and Adam, must lower the loss
// and classify the training batch well.
func TestHyperSimplexLossTrainsALinearModel(t *testing.T) {
	const (
		n, features, classes = 60, 4, 3
		steps                = 150
		minAccuracy          = 0.9 // the classes are 3σ apart
	)
	rng := rand.New(rand.NewPCG(21, 21))
	xs, onehot, labels := make([]float64, n*features), make([]float64, n*classes), make([]int, n)
	for i := 0; i < n; i++ {
		labels[i] = i % classes
		onehot[i*classes+labels[i]] = 1
		for f := 0; f < features; f++ {
			xs[i*features+f] = rng.NormFloat64()
		}
		xs[i*features+labels[i]] += 3
	}
	g := G.NewGraph()
	x := namedInput(g, tensor.Float64, "x", xs, n, features)
	targets := namedInput(g, tensor.Float64, "targets", onehot, n, classes)
	w := namedInput(g, tensor.Float64, "w", gaussianFloats(rng, features*classes, 0.01), features, classes)
	logits := G.Must(G.Mul(x, w))
	loss, err := op.HyperSimplexLoss(logits, targets, hypersimplex.DefaultLossOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g, G.BindDualValues(w))
	defer m.Close()
	solver := G.NewAdamSolver(G.WithLearnRate(0.05))
	var first, last float64
	for step := 0; step < steps; step++ {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		last = valueFloat64s(t, loss.Value())[0]
		if step == 0 {
			first = last
		}
		if err := solver.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
			t.Fatal(err)
		}
		m.Reset()
	}
	if !(last < first/2) {
		t.Fatalf("loss went from %v to %v in %d steps, want at least halved", first, last, steps)
	}
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	scores := valueFloat64s(t, logits.Value())
	correct := 0
	for i := 0; i < n; i++ {
		best := 0
		for c := 1; c < classes; c++ {
			if scores[i*classes+c] > scores[i*classes+best] {
				best = c
			}
		}
		if best == labels[i] {
			correct++
		}
	}
	acc := float64(correct) / n
	t.Logf("loss %.4f → %.4f, training accuracy %.3f", first, last, acc)
	if acc < minAccuracy {
		t.Fatalf("training accuracy %v, want ≥ %v", acc, minAccuracy)
	}
}

// TestHyperSimplexLossIgnoresClassOffsets pins a property the results rest
// on: each class column is projected on its own and the projection is
// shift-invariant, so adding a constant b_c to column c changes neither the
// loss nor its gradient, and every column of the gradient sums to zero over
// the batch. The loss therefore never trains the offsets between classes
// (an output layer's bias gets no gradient), which the argmax over classes
// at test time depends on. The same holds for the entropic projection.
func TestHyperSimplexLossIgnoresClassOffsets(t *testing.T) {
	const n, classes = 17, 5
	offsets := []float64{3, -2, 0.5, 7, -4}
	for _, dt := range floatDtypes {
		for _, policy := range []hypersimplex.KPolicy{hypersimplex.KBatch, hypersimplex.KFraction} {
			for _, reg := range []hypersimplex.Regularizer{hypersimplex.Euclidean, hypersimplex.Entropic} {
				t.Run(fmt.Sprintf("%v/%v/%v", dt, policy, reg), func(t *testing.T) {
					opts := withOpts(policy, hypersimplex.ReduceBatchMean, nil, 0.5)
					opts.Regularizer = reg
					c := newHSCase(dt, n, classes, opts, 5)
					g, x, loss := c.build(t)
					wantLoss, wantGrad := tapeRun(t, g, loss, x)

					shifted := c
					shifted.x = make([]float64, len(c.x))
					for i, v := range c.x {
						shifted.x[i] = v + offsets[i%classes]
					}
					shifted.x = roundToDtype(dt, shifted.x)
					g2, x2, loss2 := shifted.build(t)
					gotLoss, gotGrad := tapeRun(t, g2, loss2, x2)
					assertClose(t, "loss with offsets", []float64{gotLoss}, []float64{wantLoss}, lossTolFor(dt))
					assertClose(t, "gradient with offsets", gotGrad, wantGrad, gradTolFor(dt))

					colSums := make([]float64, classes)
					for i, v := range wantGrad {
						colSums[i%classes] += v
					}
					assertClose(t, "column sums of the gradient", colSums, make([]float64, classes), gradTolFor(dt))
					if nonzero := slices.ContainsFunc(wantGrad, func(v float64) bool { return v != 0 }); !nonzero {
						t.Fatal("gradient is identically zero: the case does not exercise the loss")
					}
				})
			}
		}
	}
}

// TestReferenceLossOptionsRoundKDown checks the reference code's HS loss at
// odd batch sizes, where its k = ⌊n/2⌋ differs from f·n: the loss node
// equals the kernels' projection with k = (n−1)/2 averaged over the n·C
// entries, and differs from the unrounded KFraction loss. At n = 1
// the reference's k is 0, so p = 0 and the loss is 1/C exactly.
func TestReferenceLossOptionsRoundKDown(t *testing.T) {
	const classes = 3
	for _, n := range []int{1, 3, 5, 127} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			c := newHSCase(tensor.Float64, n, classes, hypersimplex.ReferenceLossOptions(), uint64(n))
			g, x, loss := c.build(t)
			got, _ := tapeRun(t, g, loss, x)

			k := float64(n / 2)
			col, p := make([]float64, n), make([]float64, n)
			want := 0.0
			for cl := 0; cl < classes; cl++ {
				for i := range col {
					col[i] = c.x[i*classes+cl]
				}
				if err := hypersimplex.Project(p, col, k, 1.5); err != nil {
					t.Fatal(err)
				}
				for i := range p {
					d := p[i] - c.t[i*classes+cl]
					want += d * d
				}
			}
			want /= float64(n * classes)
			assertClose(t, "loss with k = ⌊n/2⌋", []float64{got}, []float64{want}, lossTolFor(tensor.Float64))
			if n == 1 && got != 1.0/classes {
				t.Fatalf("n = 1: loss %v, want 1/C = %v (k = 0, p = 0)", got, 1.0/classes)
			}

			unrounded := c
			unrounded.opts.KPolicy = hypersimplex.KFraction
			g2, x2, loss2 := unrounded.build(t)
			if other, _ := tapeRun(t, g2, loss2, x2); math.Abs(other-got) < 1e-6 {
				t.Fatalf("KFraction loss %v equals the rounded one %v at odd n: the case does not test the rounding", other, got)
			}
		})
	}
}

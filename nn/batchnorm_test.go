package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// bnGraph is one graph computing L = Σ R ⊙ BatchNorm(x; γ, β) for a fixed
// weight tensor R, with the gradients of L.
type bnGraph struct {
	g              *G.ExprGraph
	x, gamma, beta *G.Node
	y, loss        *G.Node
	vm             G.VM
}

// bnLayer is nn.BatchNorm's signature, shared by nn.BatchNormReLU.
type bnLayer func(x, gamma, beta *G.Node, stats *nn.BatchNormStats, training bool) (*G.Node, error)

// bnLayers are the batch-norm ops that the same tests check, and the
// composition nn.BatchNormReLU stands for.
var bnLayers = []struct {
	name  string
	layer bnLayer
}{
	{"BatchNorm", nn.BatchNorm},
	{"BatchNormReLU", nn.BatchNormReLU},
	{"ReLU∘BatchNorm", func(x, gamma, beta *G.Node, stats *nn.BatchNormStats, training bool) (*G.Node, error) {
		y, err := nn.BatchNorm(x, gamma, beta, stats, training)
		if err != nil {
			return nil, err
		}
		return nn.ReLU(y)
	}},
}

// newBNGraph builds a bnGraph for x of the given shape (channels =
// shape[1]) with nn.BatchNorm.
func newBNGraph(t *testing.T, dt tensor.Dtype, shape tensor.Shape, gamma, beta []float64, stats *nn.BatchNormStats, training bool, seed uint64) *bnGraph {
	return newLayerGraph(t, nn.BatchNorm, dt, shape, gamma, beta, stats, training, seed)
}

// newLayerGraph builds a bnGraph with the given layer in BatchNorm's place.
func newLayerGraph(t *testing.T, layer bnLayer, dt tensor.Dtype, shape tensor.Shape, gamma, beta []float64, stats *nn.BatchNormStats, training bool, seed uint64) *bnGraph {
	t.Helper()
	c := shape[1]
	b := &bnGraph{g: G.NewGraph()}
	b.x = G.NewTensor(b.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(newDense(dt, shape, make([]float64, shape.TotalSize()))))
	b.gamma = G.NewVector(b.g, dt, G.WithShape(c), G.WithName("gamma"), G.WithValue(newDense(dt, tensor.Shape{c}, gamma)))
	b.beta = G.NewVector(b.g, dt, G.WithShape(c), G.WithName("beta"), G.WithValue(newDense(dt, tensor.Shape{c}, beta)))
	r := G.NewTensor(b.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("r"),
		G.WithValue(newDense(dt, shape, randomValues(shape.TotalSize(), seed))))
	var err error
	if b.y, err = layer(b.x, b.gamma, b.beta, stats, training); err != nil {
		t.Fatal(err)
	}
	weighted, err := G.HadamardProd(b.y, r)
	if err != nil {
		t.Fatal(err)
	}
	if b.loss, err = G.Sum(weighted); err != nil {
		t.Fatal(err)
	}
	if _, err := G.Grad(b.loss, b.x, b.gamma, b.beta); err != nil {
		t.Fatal(err)
	}
	b.vm = G.NewTapeMachine(b.g, G.BindDualValues(b.x, b.gamma, b.beta))
	t.Cleanup(func() { b.vm.Close() })
	return b
}

// run feeds x and runs the graph once.
func (b *bnGraph) run(t *testing.T, x []float64) {
	t.Helper()
	if err := G.Let(b.x, newDense(b.x.Dtype(), b.x.Shape(), x)); err != nil {
		t.Fatal(err)
	}
	if err := b.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	b.vm.Reset()
}

// randomValues returns n seeded values in [−2, 2).
func randomValues(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n)
	for i := range v {
		v[i] = 4*rng.Float64() - 2
	}
	return v
}

// bnReference normalises x (layout batch, c, s) with the given per-channel
// mean and variance: γ(x − μ)/√(σ²+ε) + β.
func bnReference(x []float64, n, c, s int, mean, variance, gamma, beta []float64, eps float64) []float64 {
	y := make([]float64, len(x))
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for k := 0; k < s; k++ {
				i := (b*c+ch)*s + k
				y[i] = gamma[ch]*(x[i]-mean[ch])/math.Sqrt(variance[ch]+eps) + beta[ch]
			}
		}
	}
	return y
}

// channelMoments returns the mean and the biased variance of each channel.
func channelMoments(x []float64, n, c, s int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	m := float64(n * s)
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for k := 0; k < s; k++ {
				mean[ch] += x[(b*c+ch)*s+k] / m
			}
		}
	}
	for b := 0; b < n; b++ {
		for ch := 0; ch < c; ch++ {
			for k := 0; k < s; k++ {
				d := x[(b*c+ch)*s+k] - mean[ch]
				variance[ch] += d * d / m
			}
		}
	}
	return mean, variance
}

// TestBatchNormRunningStatsReachEvalGraph trains a batch-norm layer on three
// batches of 6 in one graph, checks the running statistics against the
// moving averages computed here, and checks that a separate evaluation graph
// with batch size 2 normalises with exactly those statistics.
func TestBatchNormRunningStatsReachEvalGraph(t *testing.T) {
	const momentum, eps = 0.25, 1e-3
	gamma, beta := []float64{1.5, 0.5}, []float64{-0.25, 2}
	for _, dims := range []tensor.Shape{{6, 2, 2, 3}, {6, 2}} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprint(dims)+"/"+dt.String(), func(t *testing.T) {
				stats, err := nn.NewBatchNormStats(2, momentum, eps)
				if err != nil {
					t.Fatal(err)
				}
				n, c, s := dims[0], dims[1], dims.TotalSize()/(dims[0]*dims[1])
				train := newBNGraph(t, dt, dims, gamma, beta, stats, true, 1)
				wantMean, wantVar := []float64{0, 0}, []float64{1, 1}
				for step := 0; step < 3; step++ {
					x := randomValues(dims.TotalSize(), uint64(10+step))
					for i := range x {
						x[i] = x[i]*float64(1+i%2) + float64(step) // shift the statistics between batches
					}
					if dt == tensor.Float32 { // the reference sees the rounded inputs
						for i := range x {
							x[i] = float64(float32(x[i]))
						}
					}
					train.run(t, x)
					mu, v := channelMoments(x, n, c, s)
					m := float64(n * s)
					for ch := range mu {
						wantMean[ch] = (1-momentum)*wantMean[ch] + momentum*mu[ch]
						wantVar[ch] = (1-momentum)*wantVar[ch] + momentum*v[ch]*m/(m-1)
					}
					// training output uses the batch's own statistics
					want := bnReference(x, n, c, s, mu, v, gamma, beta, eps)
					got := floats(t, train.y.Value())
					for i := range want {
						if !closeTo(got[i], want[i], 10*tolFor(dt)) {
							t.Fatalf("step %d: training y[%d] = %v, want %v", step, i, got[i], want[i])
						}
					}
				}
				gotMean, gotVar := stats.Snapshot()
				for ch := range wantMean {
					if !closeTo(gotMean[ch], wantMean[ch], tolFor(dt)) || !closeTo(gotVar[ch], wantVar[ch], tolFor(dt)) {
						t.Errorf("channel %d: running (%v, %v), want (%v, %v)", ch, gotMean[ch], gotVar[ch], wantMean[ch], wantVar[ch])
					}
				}

				// Evaluation graph, another batch size, built after training.
				evalShape := append(tensor.Shape{2}, dims[1:]...)
				eval := newBNGraph(t, dt, evalShape, gamma, beta, stats, false, 2)
				x := randomValues(evalShape.TotalSize(), 99)
				if dt == tensor.Float32 {
					for i := range x {
						x[i] = float64(float32(x[i]))
					}
				}
				eval.run(t, x)
				want := bnReference(x, 2, c, s, wantMean, wantVar, gamma, beta, eps)
				got := floats(t, eval.y.Value())
				for i := range want {
					if !closeTo(got[i], want[i], 10*tolFor(dt)) {
						t.Errorf("eval y[%d] = %v, want %v", i, got[i], want[i])
					}
				}
				afterMean, afterVar := stats.Snapshot()
				for ch := range afterMean {
					if afterMean[ch] != gotMean[ch] || afterVar[ch] != gotVar[ch] {
						t.Errorf("evaluation changed the running statistics of channel %d", ch)
					}
				}
			})
		}
	}
}

// TestBatchNormGradientFiniteDifferences checks the gradients of x, γ and β
// in both modes against central differences (float64).
func TestBatchNormGradientFiniteDifferences(t *testing.T) {
	const h, tol = 1e-6, 1e-6
	for _, l := range bnLayers[:2] {
		for _, training := range []bool{true, false} {
			for _, dims := range []tensor.Shape{{3, 2, 2, 2}, {4, 3}} {
				name := fmt.Sprint(l.name, "/", dims, "/eval")
				if training {
					name = fmt.Sprint(l.name, "/", dims, "/train")
				}
				t.Run(name, func(t *testing.T) {
					testBNFiniteDifferences(t, l.layer, dims, training, h, tol)
				})
			}
		}
	}
}

// testBNFiniteDifferences compares the gradients of x, γ and β of one
// layer with central differences of step h.
func testBNFiniteDifferences(t *testing.T, layer bnLayer, dims tensor.Shape, training bool, h, tol float64) {
	t.Helper()
	stats, _ := nn.NewBatchNormStats(dims[1], 0.1, 1e-5)
	gamma := randomValues(dims[1], 5)
	beta := randomValues(dims[1], 6)
	b := newLayerGraph(t, layer, tensor.Float64, dims, gamma, beta, stats, training, 3)
	x := randomValues(dims.TotalSize(), 4)
	b.run(t, x) // gradients accumulate over runs: read them after exactly one
	grads := map[string][]float64{}
	for _, n := range []*G.Node{b.x, b.gamma, b.beta} {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads[n.Name()] = floats(t, gv)
	}
	b.run(t, x)
	lossAt := func() float64 {
		if err := b.vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		v := b.loss.Value().Data().(float64)
		b.vm.Reset()
		return v
	}
	for _, n := range []*G.Node{b.x, b.gamma, b.beta} {
		data := n.Value().Data().([]float64)
		for i := range data {
			fd := centralDifference(&data[i], h, lossAt)
			if got := grads[n.Name()][i]; !closeTo(got, fd, tol) {
				t.Errorf("d/d%s[%d] = %.9g, finite difference %.9g", n.Name(), i, got, fd)
			}
		}
	}
}

func TestBatchNormErrors(t *testing.T) {
	if _, err := nn.NewBatchNormStats(0, 0.1, 1e-5); err == nil {
		t.Error("0 channels accepted")
	}
	for _, m := range []float64{0, -0.1, 1.5, math.NaN()} {
		if _, err := nn.NewBatchNormStats(2, m, 1e-5); err == nil {
			t.Errorf("momentum %v accepted", m)
		}
	}
	for _, e := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := nn.NewBatchNormStats(2, 0.1, e); err == nil {
			t.Errorf("epsilon %v accepted", e)
		}
	}
	stats, _ := nn.NewBatchNormStats(3, 0.1, 1e-5)
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 2, 2), G.WithName("x"))
	x3 := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 2), G.WithName("x3"))
	x2c := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x2c"))
	gamma := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("g"))
	beta := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("b"))
	short := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("short"))
	noBatch := G.NewMatrix(g, tensor.Float64, G.WithShape(0, 3), G.WithName("noBatch"))
	noPixels := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 0, 2), G.WithName("noPixels"))
	cases := []struct {
		name           string
		x, gamma, beta *G.Node
		stats          *nn.BatchNormStats
	}{
		{"3-D x", x3, gamma, beta, stats},
		{"channel mismatch", x2c, gamma, beta, stats},
		{"short γ", x, short, beta, stats},
		{"short β", x, gamma, short, stats},
		{"nil stats", x, gamma, beta, nil},
		{"nil x", nil, gamma, beta, stats},
		{"batch 0", noBatch, gamma, beta, stats},
		{"no pixels", noPixels, gamma, beta, stats},
	}
	for _, c := range cases {
		for _, l := range bnLayers[:2] {
			t.Run(l.name+"/"+c.name, func(t *testing.T) {
				if _, err := l.layer(c.x, c.gamma, c.beta, c.stats, true); err == nil {
					t.Error("accepted, want an error")
				}
			})
		}
	}
}

// TestBatchNormLispMachine checks that the LispMachine (which differentiates
// with DoDiff) gives the TapeMachine's gradients, in both modes, for
// BatchNorm and BatchNormReLU.
func TestBatchNormLispMachine(t *testing.T) {
	for _, l := range bnLayers[:2] {
		t.Run(l.name, func(t *testing.T) { testBNLispMachine(t, l.layer) })
	}
}

func testBNLispMachine(t *testing.T, layer bnLayer) {
	shape := tensor.Shape{3, 2, 2, 2}
	gamma, beta := randomValues(2, 5), randomValues(2, 6)
	x := randomValues(shape.TotalSize(), 4)
	for _, training := range []bool{true, false} {
		stats, _ := nn.NewBatchNormStats(2, 0.1, 1e-5)
		tape := newLayerGraph(t, layer, tensor.Float64, shape, gamma, beta, stats, training, 3)
		tape.run(t, x)

		g := G.NewGraph()
		xn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(shape...), G.WithName("x"), G.WithValue(newDense(tensor.Float64, shape, x)))
		gn := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("gamma"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2}, gamma)))
		bn := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("beta"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2}, beta)))
		r := G.NewTensor(g, tensor.Float64, 4, G.WithShape(shape...), G.WithName("r"), G.WithValue(newDense(tensor.Float64, shape, randomValues(shape.TotalSize(), 3))))
		y, err := layer(xn, gn, bn, stats, training)
		if err != nil {
			t.Fatal(err)
		}
		G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
		m := G.NewLispMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Close()
		for _, pair := range [][2]*G.Node{{tape.x, xn}, {tape.gamma, gn}, {tape.beta, bn}} {
			want, err := pair[0].Grad()
			if err != nil {
				t.Fatal(err)
			}
			got, err := pair[1].Grad()
			if err != nil {
				t.Fatal(err)
			}
			w, gt := floats(t, want), floats(t, got)
			for i := range w {
				if !closeTo(gt[i], w[i], tolF64) {
					t.Errorf("training=%v: lisp d/d%s[%d] = %v, tape %v", training, pair[1].Name(), i, gt[i], w[i])
				}
			}
		}
	}
}

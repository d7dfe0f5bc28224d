package nn_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// cnnReference computes the CNN's evaluation-mode forward pass directly in
// float64 loops (naive 3×3 convolution with zero padding, batch norm with
// the given running statistics, ReLU, 2×2 max pooling, two linear layers).
func cnnReference(t *testing.T, ps []nn.Param, stats []*nn.BatchNormStats, x []float64, n int, shape [3]int) []float64 {
	t.Helper()
	const eps = nn.DefaultBatchNormEpsilon
	c, h, w := shape[0], shape[1], shape[2]
	act := x
	for b := 0; b < 4; b++ {
		wt := floats(t, ps[3*b].Value)
		gamma, beta := floats(t, ps[3*b+1].Value), floats(t, ps[3*b+2].Value)
		out := ps[3*b].Value.Shape()[0]
		mean, variance := stats[b].Snapshot()
		next := make([]float64, n*out*h*w)
		for s := 0; s < n; s++ {
			for o := 0; o < out; o++ {
				for i := 0; i < h; i++ {
					for j := 0; j < w; j++ {
						sum := 0.0
						for ci := 0; ci < c; ci++ {
							for di := -1; di <= 1; di++ {
								for dj := -1; dj <= 1; dj++ {
									ii, jj := i+di, j+dj
									if ii < 0 || ii >= h || jj < 0 || jj >= w {
										continue
									}
									sum += act[((s*c+ci)*h+ii)*w+jj] * wt[((o*c+ci)*3+di+1)*3+dj+1]
								}
							}
						}
						v := gamma[o]*(sum-mean[o])/math.Sqrt(variance[o]+eps) + beta[o]
						next[((s*out+o)*h+i)*w+j] = math.Max(v, 0)
					}
				}
			}
		}
		act, c = next, out
		if b == 1 || b == 3 {
			ph, pw := h/2, w/2
			pooled := make([]float64, n*c*ph*pw)
			for s := 0; s < n*c; s++ {
				for i := 0; i < ph; i++ {
					for j := 0; j < pw; j++ {
						m := math.Inf(-1)
						for di := 0; di < 2; di++ {
							for dj := 0; dj < 2; dj++ {
								m = math.Max(m, act[(s*h+2*i+di)*w+2*j+dj])
							}
						}
						pooled[(s*ph+i)*pw+j] = m
					}
				}
			}
			act, h, w = pooled, ph, pw
		}
	}
	// the flattened NCHW map feeds the same two layers as an MLP
	return mlpReference(t, ps[12:], act, n)
}

// tinyCNN is a small CNN with odd spatial sizes (flattening after 5×6 → 1×1)
// that keeps the tests fast.
func tinyCNN(t *testing.T) (*nn.CNN, [3]int) {
	t.Helper()
	shape := [3]int{2, 5, 6}
	arch, err := nn.NewCNNSized(shape, 3, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	return arch, shape
}

// TestCNNEvalUsesRunningStatistics trains the tiny CNN's batch norms on two
// batches of 4 in a training graph, then checks an evaluation graph of
// batch size 3 against the direct computation with the running statistics.
func TestCNNEvalUsesRunningStatistics(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			arch, shape := tinyCNN(t)
			features := shape[0] * shape[1] * shape[2]
			ps, err := arch.Init(dt, 5)
			if err != nil {
				t.Fatal(err)
			}
			g := G.NewGraph()
			params := mustBind(t, g, ps)
			x := G.NewMatrix(g, dt, G.WithShape(4, features), G.WithName("x"),
				G.WithValue(newDense(dt, tensor.Shape{4, features}, make([]float64, 4*features))))
			_, err = arch.Forward(x, params, true)
			if err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			for step := 0; step < 2; step++ {
				if err := G.Let(x, newDense(dt, tensor.Shape{4, features}, randomValues(4*features, uint64(step+20)))); err != nil {
					t.Fatal(err)
				}
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
			}
			stats, err := arch.RunningStats(params)
			if err != nil {
				t.Fatal(err)
			}
			mean, variance := stats[0].Snapshot()
			if mean[0] == 0 || variance[0] == 1 {
				t.Fatalf("training did not update the running statistics: mean %v variance %v", mean, variance)
			}

			eg := G.NewGraph()
			evalParams := mustBind(t, eg, ps)
			evalStats, err := arch.RunningStats(evalParams)
			if err != nil {
				t.Fatal(err)
			}
			for i := range stats {
				if evalStats[i] != stats[i] {
					t.Fatalf("evaluation graph got other running statistics for block %d", i)
				}
			}
			xs := randomValues(3*features, 77)
			if dt == tensor.Float32 {
				for i := range xs {
					xs[i] = float64(float32(xs[i]))
				}
			}
			ex := G.NewMatrix(eg, dt, G.WithShape(3, features), G.WithName("x"),
				G.WithValue(newDense(dt, tensor.Shape{3, features}, xs)))
			logits, err := arch.Forward(ex, evalParams, false)
			if err != nil {
				t.Fatal(err)
			}
			evm := G.NewTapeMachine(eg)
			defer evm.Close()
			if err := evm.RunAll(); err != nil {
				t.Fatal(err)
			}
			want := cnnReference(t, ps, stats, xs, 3, shape)
			got := floats(t, logits.Value())
			if len(got) != 3*3 {
				t.Fatalf("eval logits have %d entries, want 9", len(got))
			}
			for i := range want {
				if !closeTo(got[i], want[i], 100*tolFor(dt)) {
					t.Errorf("eval logit %d = %.9g, want %.9g", i, got[i], want[i])
				}
			}
			if m, v := stats[0].Snapshot(); m[0] != mean[0] || v[0] != variance[0] {
				t.Error("evaluation (and building its VM) changed the running statistics")
			}
		})
	}
}

// TestCNNGradientFiniteDifferences checks the gradient of the cross-entropy
// of the tiny CNN (training mode) with respect to a sample of every
// parameter against central differences (float64).
func TestCNNGradientFiniteDifferences(t *testing.T) {
	const h, tol, n = 1e-6, 1e-5, 3
	arch, shape := tinyCNN(t)
	features := shape[0] * shape[1] * shape[2]
	ps, err := arch.Init(tensor.Float64, 11)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps { // non-trivial γ and β
		if ps[i].Value.Dims() == 1 {
			v := ps[i].Value.Data().([]float64)
			for j := range v {
				v[j] += 0.3 * float64(j+1)
			}
		}
	}
	params, loss, vm := ceGraph(t, arch, ps, tensor.Float64, randomValues(n*features, 12), []int{0, 2, 1}, 3)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	vm.Reset()
	grads := make([][]float64, len(params))
	for i, p := range params {
		gv, err := p.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads[i] = floats(t, gv)
	}
	lossAt := func() float64 {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		v := loss.Value().Data().(float64)
		vm.Reset()
		return v
	}
	checked := 0
	for i, p := range ps {
		data := p.Value.Data().([]float64)
		stride := max(1, len(data)/5) // a few entries of every parameter
		for j := 0; j < len(data); j += stride {
			if fd := centralDifference(&data[j], h, lossAt); !closeTo(grads[i][j], fd, tol) {
				t.Errorf("d/d%s[%d] = %.9g, finite difference %.9g", p.Name, j, grads[i][j], fd)
			}
			checked++
		}
	}
	if checked < 2*len(ps) {
		t.Fatalf("checked only %d entries", checked)
	}
}

func TestCNNShapes(t *testing.T) {
	cases := []struct {
		shape [3]int
		flat  int
	}{
		{[3]int{1, 28, 28}, 7 * 7 * 64},
		{[3]int{3, 32, 32}, 8 * 8 * 64},
	}
	for _, c := range cases {
		arch, err := nn.NewCNN(c.shape, 10)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(arch.Name(), func(t *testing.T) {
			ps, err := arch.Init(tensor.Float32, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 16 {
				t.Fatalf("got %d params, want 16", len(ps))
			}
			if got := ps[0].Value.Shape(); !got.Eq(tensor.Shape{64, c.shape[0], 3, 3}) {
				t.Errorf("conv0.W shape %v", got)
			}
			if got := ps[12].Value.Shape(); !got.Eq(tensor.Shape{c.flat, 512}) {
				t.Errorf("fc0.W shape %v, want (%d, 512)", got, c.flat)
			}
			if got := ps[14].Value.Shape(); !got.Eq(tensor.Shape{512, 10}) {
				t.Errorf("fc1.W shape %v, want (512, 10)", got)
			}
			features := c.shape[0] * c.shape[1] * c.shape[2]
			const n = 2
			g := G.NewGraph()
			x := G.NewMatrix(g, tensor.Float32, G.WithShape(n, features), G.WithName("x"),
				G.WithValue(newDense(tensor.Float32, tensor.Shape{n, features}, randomValues(n*features, 3))))
			logits, err := arch.Forward(x, mustBind(t, g, ps), true)
			if err != nil {
				t.Fatal(err)
			}
			if !logits.Shape().Eq(tensor.Shape{n, 10}) {
				t.Errorf("logits shape %v, want (2, 10)", logits.Shape())
			}
			if testing.Short() {
				return // running the full-size CNN takes a moment
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			for i, v := range floats(t, logits.Value()) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("logit %d = %v", i, v)
				}
			}
		})
	}
}

func TestNewCNNErrors(t *testing.T) {
	cases := []struct {
		name                      string
		shape                     [3]int
		classes, channels, hidden int
	}{
		{"zero channels in", [3]int{0, 28, 28}, 10, 64, 512},
		{"too small", [3]int{1, 3, 28}, 10, 64, 512},
		{"one class", [3]int{1, 28, 28}, 1, 64, 512},
		{"zero conv channels", [3]int{1, 28, 28}, 10, 0, 512},
		{"zero hidden", [3]int{1, 28, 28}, 10, 64, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := nn.NewCNNSized(c.shape, c.classes, c.channels, c.hidden); err == nil {
				t.Error("accepted, want an error")
			}
		})
	}
	arch, _ := nn.NewCNN([3]int{1, 8, 8}, 2)
	ps, _ := arch.Init(tensor.Float64, 1)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 63), G.WithName("x"))
	if _, err := arch.Forward(x, mustBind(t, g, ps), true); err == nil {
		t.Error("63 features accepted by a 1×8×8 CNN")
	}
}

// TestCNNSkipsInputGradient checks that the training graph differentiates
// every convolution but the first with respect to its input (the first
// one's input is the data, whose gradient nobody asks for), and fuses each
// block's batch norm and ReLU.
func TestCNNSkipsInputGradient(t *testing.T) {
	arch, shape := tinyCNN(t)
	ps, err := arch.Init(tensor.Float64, 1)
	if err != nil {
		t.Fatal(err)
	}
	params, _, vm := ceGraph(t, arch, ps, tensor.Float64, randomValues(2*shape[0]*shape[1]*shape[2], 2), []int{0, 1}, 3)
	defer vm.Close()
	count := map[string]int{}
	for _, n := range params[0].Graph().AllNodes() {
		if n.Op() == nil {
			continue
		}
		s := n.Op().String()
		for _, prefix := range []string{"nn.Conv2DDiff{wrt=x", "nn.Conv2DDiff{wrt=w", "nn.BatchNormReLU{", "nn.BatchNorm{"} {
			if strings.HasPrefix(s, prefix) {
				count[prefix]++
			}
		}
	}
	want := map[string]int{"nn.Conv2DDiff{wrt=x": 3, "nn.Conv2DDiff{wrt=w": 4, "nn.BatchNormReLU{": 4}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%d ops %s…, want %d", count[k], k, v)
		}
	}
	if count["nn.BatchNorm{"] != 0 {
		t.Errorf("%d unfused batch norms", count["nn.BatchNorm{"])
	}
}

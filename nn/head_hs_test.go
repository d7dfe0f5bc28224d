package nn_test

import (
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"gorgonia.org/tensor"
)

// projectBisection projects z onto Δ(n, k) by bisection on the threshold μ
// of y_i = clip(z_i − μ, 0, 1) (Σ y_i decreases in μ): an algorithm
// independent of package op's.
func projectBisection(z []float64, k float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range z {
		lo, hi = math.Min(lo, v-1), math.Max(hi, v)
	}
	sum := func(mu float64) float64 {
		s := 0.0
		for _, v := range z {
			s += math.Min(1, math.Max(0, v-mu))
		}
		return s
	}
	for it := 0; it < 200; it++ {
		mid := (lo + hi) / 2
		if sum(mid) > k {
			lo = mid
		} else {
			hi = mid
		}
	}
	mu := (lo + hi) / 2
	y := make([]float64, len(z))
	for i, v := range z {
		y[i] = math.Min(1, math.Max(0, v-mu))
	}
	return y
}

// hsReference is the HyperSimplex loss L = s Σ_c ‖p_c − T[:,c]‖² and its
// gradient 2s·Jᵀ(p_c − T[:,c]) per class column, with the Jacobian of the
// spec: (Jᵀg)_i = (g_i − mean_{j∈A} g_j)/τ on the active set A
// (0 < p_i < 1), 0 elsewhere. k(c, T) gives k_c.
func hsReference(x []float64, labels []int, classes int, tau, s float64, k func(col []float64) float64) (float64, []float64) {
	n := len(labels)
	t := oneHot(labels, classes)
	grad := make([]float64, len(x))
	loss := 0.0
	const activeTol = 1e-9
	for c := 0; c < classes; c++ {
		z, tc := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			z[i], tc[i] = x[i*classes+c]/tau, t[i*classes+c]
		}
		p := projectBisection(z, k(tc))
		var active []int
		meanG := 0.0
		for i := range p {
			d := p[i] - tc[i]
			loss += s * d * d
			if p[i] > activeTol && p[i] < 1-activeTol {
				active = append(active, i)
				meanG += 2 * s * d
			}
		}
		if len(active) == 0 {
			continue
		}
		meanG /= float64(len(active))
		for _, i := range active {
			grad[i*classes+c] = (2*s*(p[i]-tc[i]) - meanG) / tau
		}
	}
	return loss, grad
}

// The batch the HS head is checked on: 6 samples, 3 classes (2, 3 and 1
// positives).
var (
	hsLogits = []float64{
		0.9, -0.2, 0.1,
		0.3, 0.8, -1.1,
		-0.4, 1.7, 0.2,
		1.2, 0.4, -0.3,
		0.0, 0.6, 0.5,
		-0.7, -0.1, 1.4,
	}
	hsLabels = []int{0, 1, 1, 0, 1, 2}
)

func TestHyperSimplexHead(t *testing.T) {
	const classes = 3
	n := float64(len(hsLabels))
	colSum := func(col []float64) float64 {
		s := 0.0
		for _, v := range col {
			s += v
		}
		return s
	}
	tests := []struct {
		name  string
		opts  hypersimplex.LossOptions
		scale float64
		k     func([]float64) float64
	}{
		{"default τ=1.5 batch-k batch-mean", hypersimplex.DefaultLossOptions(), 0.5 / n, colSum},
		{"τ=0.5 sum", hypersimplex.LossOptions{Tau: 0.5, KPolicy: hypersimplex.KBatch, Reduction: hypersimplex.ReduceSum}, 0.5, colSum},
		{"τ=1.5 fraction 0.5 entry-mean", hypersimplex.LossOptions{Tau: 1.5, KPolicy: hypersimplex.KFraction, Fraction: 0.5, Reduction: hypersimplex.ReduceEntryMean},
			1 / (n * classes), func([]float64) float64 { return 0.5 * n }},
	}
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(tc.name+"/"+dt.String(), func(t *testing.T) {
				opts := nn.DefaultHeadOptions()
				opts.HS = tc.opts
				head, err := nn.NewHead("hs", opts)
				if err != nil {
					t.Fatal(err)
				}
				wantLoss, wantGrad := hsReference(hsLogits, hsLabels, classes, tc.opts.Tau, tc.scale, tc.k)
				gotLoss, gotGrad := headValueGrad(t, head, dt, hsLogits, hsLabels, classes)
				tol := 10 * tolFor(dt)
				if !closeTo(gotLoss, wantLoss, tol) {
					t.Errorf("loss = %.12g, want %.12g", gotLoss, wantLoss)
				}
				nonzero := 0
				for i := range wantGrad {
					if !closeTo(gotGrad[i], wantGrad[i], tol) {
						t.Errorf("grad[%d] = %.12g, want %.12g", i, gotGrad[i], wantGrad[i])
					}
					if wantGrad[i] != 0 {
						nonzero++
					}
				}
				if nonzero == 0 {
					t.Fatal("the reference gradient is zero: the test batch checks nothing")
				}
			})
		}
	}
}

// TestHyperSimplexHeadFiniteDifferences checks the HS head's gradient
// against central differences of its loss (float64).
func TestHyperSimplexHeadFiniteDifferences(t *testing.T) {
	const classes, h, tol = 3, 1e-6, 1e-6
	head, err := nn.NewHead("hs", nn.DefaultHeadOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, grad := headValueGrad(t, head, tensor.Float64, hsLogits, hsLabels, classes)
	x := append([]float64(nil), hsLogits...)
	loss := func() float64 {
		v, _ := headValueGrad(t, head, tensor.Float64, x, hsLabels, classes)
		return v
	}
	for i := range x {
		if fd := centralDifference(&x[i], h, loss); !closeTo(grad[i], fd, tol) {
			t.Errorf("grad[%d] = %.10g, finite difference %.10g", i, grad[i], fd)
		}
	}
}

func TestHyperSimplexHeadErrors(t *testing.T) {
	for _, tau := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		opts := nn.DefaultHeadOptions()
		opts.HS.Tau = tau
		if _, err := nn.NewHead("hs", opts); err == nil {
			t.Errorf("τ = %v accepted", tau)
		}
	}
	opts := nn.DefaultHeadOptions()
	opts.HS.KPolicy = hypersimplex.KPrior
	opts.HS.Prior = []float64{0.5, 0.6}
	if _, err := nn.NewHead("hs", opts); err == nil {
		t.Error("priors summing to 1.1 accepted")
	}
}

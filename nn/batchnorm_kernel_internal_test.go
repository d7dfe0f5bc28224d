package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkBatchNormKernels times the batch-norm kernels on one layer of
// the CNN at batch 128 (128 × 64 × 14 × 14, float32) on one core.
func BenchmarkBatchNormKernels(b *testing.B) {
	const n, c, s = 128, 64, 14 * 14
	rng := rand.New(rand.NewPCG(7, 8))
	x, g, y := make([]float32, n*c*s), make([]float32, n*c*s), make([]float32, n*c*s)
	for i := range x {
		x[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	gamma, beta := make([]float32, c), make([]float32, c)
	for ch := range gamma {
		gamma[ch], beta[ch] = 1, 0.1
	}
	variance := make([]float64, c)
	for _, relu := range []bool{false, true} {
		r := newBNRun(n, c, s, relu)
		batchMoments(r, x, variance, 0, c)
		invStdDev(r.inv, variance, 1e-5)
		suffix := ""
		if relu {
			suffix = "-relu"
		}
		if !relu {
			b.Run("moments", func(b *testing.B) {
				for b.Loop() {
					batchMoments(r, x, variance, 0, c)
				}
			})
		}
		b.Run("apply"+suffix, func(b *testing.B) {
			for b.Loop() {
				bnApply(r, y, x, gamma, beta, 0, c)
			}
		})
		b.Run("sums"+suffix, func(b *testing.B) {
			for b.Loop() {
				bnSums(r, x, g, gamma, beta, 0, c)
			}
		})
		b.Run("dx"+suffix, func(b *testing.B) {
			for b.Loop() {
				bnDx(r, y, x, g, gamma, beta, true, 0, c)
			}
		})
	}
}

// newBNRun returns a bnRun for layout (n, c, s) with zeroed statistics.
func newBNRun(n, c, s int, relu bool) *bnRun {
	return &bnRun{n: n, c: c, s: s, relu: relu, mean: make([]float64, c), inv: make([]float64, c),
		sumG: make([]float64, c), sumGX: make([]float64, c)}
}

// TestBatchNormFloat32LargeMean runs the float32 kernels on channels whose
// mean is 10⁴ times their spread and checks y and ∂L/∂x against the
// float64 kernels on the same values: within 1e-5 (relative to y's unit
// scale and to ∂L/∂x's largest entry), which a = γ·inv applied to
// uncentred x would miss by two orders of magnitude.
func TestBatchNormFloat32LargeMean(t *testing.T) {
	const n, c, s = 8, 3, 50
	rng := rand.New(rand.NewPCG(9, 10))
	x32, g32 := make([]float32, n*c*s), make([]float32, n*c*s)
	x64, g64 := make([]float64, n*c*s), make([]float64, n*c*s)
	for i := range x32 {
		x32[i] = float32(1e4*float64(1+(i/s)%c) + rng.NormFloat64()) // channel (i/s) mod c
		g32[i] = float32(rng.NormFloat64())
		x64[i], g64[i] = float64(x32[i]), float64(g32[i])
	}
	gamma32, beta32 := []float32{1, 0.5, 2}, []float32{0, 1, -1}
	gamma64, beta64 := []float64{1, 0.5, 2}, []float64{0, 1, -1}
	type out struct{ y, dx []float64 }
	run := func(y, dx func() []float64, apply, grad func(r *bnRun)) out {
		r := newBNRun(n, c, s, false)
		variance := make([]float64, c)
		batchMoments(r, x64, variance, 0, c)
		invStdDev(r.inv, variance, 1e-5)
		apply(r)
		grad(r)
		return out{y(), dx()}
	}
	y32, dx32 := make([]float32, n*c*s), make([]float32, n*c*s)
	got := run(func() []float64 { return widen(y32) }, func() []float64 { return widen(dx32) },
		func(r *bnRun) { bnApply(r, y32, x32, gamma32, beta32, 0, c) },
		func(r *bnRun) {
			bnSums(r, x32, g32, gamma32, beta32, 0, c)
			bnDx(r, dx32, x32, g32, gamma32, beta32, true, 0, c)
		})
	y64, dx64 := make([]float64, n*c*s), make([]float64, n*c*s)
	want := run(func() []float64 { return y64 }, func() []float64 { return dx64 },
		func(r *bnRun) { bnApply(r, y64, x64, gamma64, beta64, 0, c) },
		func(r *bnRun) {
			bnSums(r, x64, g64, gamma64, beta64, 0, c)
			bnDx(r, dx64, x64, g64, gamma64, beta64, true, 0, c)
		})
	scale := 0.0
	for _, v := range want.dx {
		scale = max(scale, math.Abs(v))
	}
	for i := range want.y {
		if d := math.Abs(got.y[i] - want.y[i]); d > 1e-5 {
			t.Fatalf("y[%d] = %v, float64 %v (off by %.2g)", i, got.y[i], want.y[i], d)
		}
		if d := math.Abs(got.dx[i] - want.dx[i]); d > 1e-5*scale {
			t.Fatalf("dx[%d] = %v, float64 %v (off by %.2g of %.2g)", i, got.dx[i], want.dx[i], d, scale)
		}
	}
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

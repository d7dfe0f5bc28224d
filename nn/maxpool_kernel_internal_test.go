package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// poolArgmaxPlane applies poolArgmax's rule to every window of one plane:
// the reference the unrolled 2×2 kernels must agree with.
func poolArgmaxPlane(out, d, plane, gy []float64, g geom2d) {
	for oy := 0; oy < g.oh; oy++ {
		for ox := 0; ox < g.ow; ox++ {
			v := -math.MaxFloat64
			if a := poolArgmax(plane, oy, ox, g); a >= 0 {
				v = plane[a]
				d[a] += gy[oy*g.ow+ox]
			}
			out[oy*g.ow+ox] = v
		}
	}
}

// TestMaxPool2x2MatchesArgmaxRule checks the branch-free 2×2 kernels
// against poolArgmax on planes full of ties (values from a small set,
// zeros as after a ReLU), NaNs, infinities and −MaxFloat.
func TestMaxPool2x2MatchesArgmaxRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{0, 0, 1, 1, 2, -1, math.NaN(), math.Inf(1), math.Inf(-1), -math.MaxFloat64}
	for trial := 0; trial < 200; trial++ {
		h, w := 2*(1+rng.IntN(5))+rng.IntN(2), 2*(1+rng.IntN(5))+rng.IntN(2)
		g := newGeom2d(1, h, w, 2, 2, 0, 0, 2, 2)
		plane := make([]float64, h*w)
		for i := range plane {
			plane[i] = special[rng.IntN(len(special)-4*(trial%2))]
		}
		gy := randomSlice(rng, g.oh*g.ow)
		want, got := make([]float64, len(gy)), make([]float64, len(gy))
		wantD, gotD := make([]float64, len(plane)), make([]float64, len(plane))
		poolArgmaxPlane(want, wantD, plane, gy, g)
		maxPool2x2(got, plane, g)
		maxPool2x2Backward(gotD, plane, gy, g)
		for i := range want {
			if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Fatalf("plane %v (%dx%d): y[%d] = %v, want %v", plane, h, w, i, got[i], want[i])
			}
		}
		for i := range wantD {
			if gotD[i] != wantD[i] {
				t.Fatalf("plane %v (%dx%d): dx[%d] = %v, want %v", plane, h, w, i, gotD[i], wantD[i])
			}
		}
	}
}

// BenchmarkMaxPool2x2 times the 2×2 kernels forward and backward on one
// layer of the CNN at batch 32 (32·64 planes of 28×28) holding ReLU
// outputs (half zeros).
func BenchmarkMaxPool2x2(b *testing.B) {
	g := newGeom2d(1, 28, 28, 2, 2, 0, 0, 2, 2)
	planes := 32 * 64
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, planes*g.h*g.w)
	for i := range x {
		x[i] = max(float32(rng.NormFloat64()), 0)
	}
	y := make([]float32, planes*g.oh*g.ow)
	dx := make([]float32, len(x))
	b.Run("forward", func(b *testing.B) {
		for b.Loop() {
			maxPoolForward(y, x, planes, g)
		}
	})
	b.Run("backward", func(b *testing.B) {
		for b.Loop() {
			maxPoolBackward(dx, x, y, planes, g)
		}
	})
}

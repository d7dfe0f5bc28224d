package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestShiftConvMatchesColumnKernels checks the shifted convolution against
// the column-matrix kernels (themselves checked against Gorgonia's Conv2d)
// on random "same" geometries (channel counts on both sides of
// shiftMinChannels: the shifted kernels work for any c) and batch sizes
// that leave a short last chunk, in float64.
func TestShiftConvMatchesColumnKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 40; trial++ {
		ph, pw := rng.IntN(3), rng.IntN(3)
		c, o := 1+rng.IntN(12), 1+rng.IntN(6)
		h, w := 1+rng.IntN(16), 1+rng.IntN(16)
		n := 1 + rng.IntN(40)
		g := newGeom2d(c, h, w, 2*ph+1, 2*pw+1, ph, pw, 1, 1)
		t.Run(fmt.Sprintf("%d/n=%d,c=%d,o=%d,%dx%d,pad=%d,%d", trial, n, c, o, h, w, ph, pw), func(t *testing.T) {
			x := randomSlice(rng, n*g.inSize())
			wt := randomSlice(rng, o*g.rows)
			dy := randomSlice(rng, n*o*g.cols)
			want := make([]float64, n*o*g.cols)
			got := make([]float64, len(want))
			colConvForward(want, x, wt, n, o, g)
			shiftConvForward(got, x, wt, n, o, g)
			assertClose(t, "y", got, want)
			wantW := make([]float64, len(wt))
			gotW := make([]float64, len(wt))
			colConvGradW(wantW, x, dy, n, o, g)
			shiftConvGradW(gotW, x, dy, n, o, g)
			assertClose(t, "dw", gotW, wantW)
			wantX := make([]float64, len(x))
			gotX := make([]float64, len(x))
			colConvGradX(wantX, wt, dy, n, o, g)
			shiftConvGradX(gotX, wt, dy, n, o, g)
			assertClose(t, "dx", gotX, wantX)
		})
	}
}

func randomSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

func assertClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

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
			checkAgainstColumn(t, rng, shiftKernels[float64](), n, o, g)
		})
	}
}

// checkAgainstColumn runs the three kernels of k (forward, ∂L/∂w, ∂L/∂x)
// on n random images of geometry g with o output channels and compares
// them with the column-matrix kernels, to 1e-9 relative (float64).
func checkAgainstColumn(t *testing.T, rng *rand.Rand, k convKernels[float64], n, o int, g geom2d) {
	t.Helper()
	x := randomSlice(rng, n*g.inSize())
	wt := randomSlice(rng, o*g.rows)
	dy := randomSlice(rng, n*o*g.cols)
	col := columnKernels[float64]()
	want, got := make([]float64, n*o*g.cols), make([]float64, n*o*g.cols)
	col.forward(want, x, wt, n, o, g)
	k.forward(got, x, wt, n, o, g)
	assertClose(t, k.path+" y", got, want)
	wantW, gotW := make([]float64, len(wt)), make([]float64, len(wt))
	col.gradW(wantW, x, dy, n, o, g)
	k.gradW(gotW, x, dy, n, o, g)
	assertClose(t, k.path+" dw", gotW, wantW)
	wantX, gotX := make([]float64, len(x)), make([]float64, len(x))
	col.gradX(wantX, wt, dy, n, o, g)
	k.gradX(gotX, wt, dy, n, o, g)
	assertClose(t, k.path+" dx", gotX, wantX)
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

// FuzzShiftConv checks the shifted kernels against the column-matrix ones
// on fuzzed same-padded geometries (any channel count, batch sizes that cut
// chunks anywhere) and values.
func FuzzShiftConv(f *testing.F) {
	f.Add(uint8(2), uint8(8), uint8(3), uint8(7), uint8(5), uint8(1), uint8(1), uint64(1))
	f.Add(uint8(13), uint8(1), uint8(1), uint8(14), uint8(14), uint8(1), uint8(0), uint64(2))
	f.Add(uint8(1), uint8(3), uint8(2), uint8(1), uint8(1), uint8(2), uint8(2), uint64(3))
	f.Fuzz(func(t *testing.T, n, c, o, h, w, ph, pw uint8, seed uint64) {
		g := newGeom2d(1+int(c%12), 1+int(h%20), 1+int(w%20), 2*int(ph%3)+1, 2*int(pw%3)+1, int(ph%3), int(pw%3), 1, 1)
		rng := rand.New(rand.NewPCG(seed, 7))
		checkAgainstColumn(t, rng, shiftKernels[float64](), 1+int(n%40), 1+int(o%8), g)
	})
}

// TestShiftConvNoImages: with no images the weights' gradient is zero, as
// the column kernels give, and nothing is read or written out of range.
func TestShiftConvNoImages(t *testing.T) {
	g := newGeom2d(8, 5, 5, 3, 3, 1, 1, 1, 1)
	dw := []float64{1, 2, 3}
	dw = append(dw, make([]float64, 4*g.rows-3)...)
	shiftConvGradW(dw, nil, nil, 0, 4, g)
	for i, v := range dw {
		if v != 0 {
			t.Fatalf("dw[%d] = %v after no images, want 0", i, v)
		}
	}
	shiftConvForward(nil, nil, dw, 0, 4, g)
	shiftConvGradX(nil, dw, nil, 0, 4, g)
}

package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestWinogradMatchesColumnKernels checks the Winograd forward pass, ∂L/∂x
// and ∂L/∂w against the column-matrix kernels (themselves checked against
// Gorgonia's Conv2d) on random 3×3 same geometries, even and odd image
// sizes (a last row or column of tiles half outside), channel counts on
// both sides of shiftMinChannels (the kernels work for any), and batch
// sizes that leave a short last chunk, in float64.
func TestWinogradMatchesColumnKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 40; trial++ {
		c, o := 1+rng.IntN(12), 1+rng.IntN(10)
		h, w := 1+rng.IntN(17), 1+rng.IntN(17)
		n := 1 + rng.IntN(30)
		t.Run(fmt.Sprintf("%d/n=%d,c=%d,o=%d,%dx%d", trial, n, c, o, h, w), func(t *testing.T) {
			checkWinograd(t, rng, n, c, o, h, w)
		})
	}
}

// checkWinograd compares winogradForward, winogradGradX and
// winogradGradW with the column-matrix kernels on one geometry and random
// values.
func checkWinograd(t *testing.T, rng *rand.Rand, n, c, o, h, w int) {
	t.Helper()
	g := newGeom2d(c, h, w, 3, 3, 1, 1, 1, 1)
	x := randomSlice(rng, n*g.inSize())
	wt := randomSlice(rng, o*g.rows)
	dy := randomSlice(rng, n*o*g.cols)
	want, got := make([]float64, n*o*g.cols), make([]float64, n*o*g.cols)
	colConvForward(want, x, wt, n, o, g)
	winogradForward(got, x, wt, n, o, g)
	assertClose(t, "y", got, want)
	wantX, gotX := make([]float64, len(x)), make([]float64, len(x))
	colConvGradX(wantX, wt, dy, n, o, g)
	winogradGradX(gotX, wt, dy, n, o, g)
	assertClose(t, "dx", gotX, wantX)
	wantW, gotW := make([]float64, len(wt)), make([]float64, len(wt))
	colConvGradW(wantW, x, dy, n, o, g)
	winogradGradW(gotW, x, dy, n, o, g)
	assertClose(t, "dw", gotW, wantW)
}

// FuzzWinogradConv checks the Winograd kernels against the column-matrix
// ones on fuzzed 3×3 same geometries and values.
func FuzzWinogradConv(f *testing.F) {
	f.Add(uint8(2), uint8(8), uint8(3), uint8(7), uint8(5), uint64(1))
	f.Add(uint8(13), uint8(1), uint8(1), uint8(14), uint8(14), uint64(2))
	f.Add(uint8(1), uint8(3), uint8(2), uint8(1), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, n, c, o, h, w uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 9))
		checkWinograd(t, rng, 1+int(n%40), 1+int(c%12), 1+int(o%8), 1+int(h%20), 1+int(w%20))
	})
}

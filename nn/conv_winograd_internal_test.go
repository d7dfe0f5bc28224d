package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
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
			checkAgainstColumn(t, rng, winogradKernels[float64](), n, o, newGeom2d(c, h, w, 3, 3, 1, 1, 1, 1))
			checkWinograd32(t, rng, n, c, o, h, w)
		})
	}
}

// checkWinograd32 runs the float32 Winograd kernels (the vector loops in
// the GOEXPERIMENT=simd build) on values rounded to float32 and compares
// them with the float64 column-matrix kernels on the same values: within
// 1e-5 of each output's largest entry (the worst seen over
// TestWinogradMatchesColumnKernels' geometries, both builds: 4e-7; float32
// rounding of the transforms and of sums of up to n·h·w products stays
// near 2⁻²⁴·√terms of that scale).
func checkWinograd32(t *testing.T, rng *rand.Rand, n, c, o, h, w int) {
	t.Helper()
	g := newGeom2d(c, h, w, 3, 3, 1, 1, 1, 1)
	x64, w64, dy64 := randomSlice(rng, n*g.inSize()), randomSlice(rng, o*g.rows), randomSlice(rng, n*o*g.cols)
	x32, w32, dy32 := narrow(x64), narrow(w64), narrow(dy64)
	y, dx, dw := make([]float32, n*o*g.cols), make([]float32, len(x32)), make([]float32, len(w32))
	winogradForward(y, x32, w32, n, o, g)
	winogradGradX(dx, w32, dy32, n, o, g)
	winogradGradW(dw, x32, dy32, n, o, g)
	wantY, wantX, wantW := make([]float64, len(y)), make([]float64, len(dx)), make([]float64, len(dw))
	colConvForward(wantY, x64, w64, n, o, g)
	colConvGradX(wantX, w64, dy64, n, o, g)
	colConvGradW(wantW, x64, dy64, n, o, g)
	assertNear(t, "y", y, wantY, 1e-5)
	assertNear(t, "dx", dx, wantX, 1e-5)
	assertNear(t, "dw", dw, wantW, 1e-5)
}

// narrow rounds v to float32 in place and returns the float32 copy.
func narrow(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, f := range v {
		out[i] = float32(f)
		v[i] = float64(out[i])
	}
	return out
}

// assertNear fails if some |got − want| exceeds tol times want's largest
// magnitude.
func assertNear(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	scale := 0.0
	for _, v := range want {
		scale = max(scale, math.Abs(v))
	}
	worst := 0.0
	for i := range want {
		d := math.Abs(float64(got[i]) - want[i])
		worst = max(worst, d/max(scale, 1e-300))
		if d > tol*scale {
			t.Fatalf("%s[%d] = %v, float64 %v (off by %.2g of %.2g)", what, i, got[i], want[i], d, scale)
		}
	}
	if testing.Verbose() {
		t.Logf("%s: worst error %.2g of the scale", what, worst)
	}
}

// FuzzWinogradConv checks the Winograd kernels, float64 and float32,
// against the column-matrix ones on fuzzed 3×3 same geometries and values
// (`make fuzz` runs it in both builds).
func FuzzWinogradConv(f *testing.F) {
	f.Add(uint8(2), uint8(8), uint8(3), uint8(7), uint8(5), uint64(1))
	f.Add(uint8(13), uint8(1), uint8(1), uint8(14), uint8(14), uint64(2))
	f.Add(uint8(1), uint8(3), uint8(2), uint8(1), uint8(1), uint64(3))
	f.Fuzz(func(t *testing.T, n, c, o, h, w uint8, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 9))
		nb, nc, no, nh, nw := 1+int(n%40), 1+int(c%12), 1+int(o%8), 1+int(h%20), 1+int(w%20)
		checkAgainstColumn(t, rng, winogradKernels[float64](), nb, no, newGeom2d(nc, nh, nw, 3, 3, 1, 1, 1, 1))
		checkWinograd32(t, rng, nb, nc, no, nh, nw)
	})
}

// TestKernelsForPicksPaths checks which kernels kernelsFor picks: Winograd
// for 3×3, stride-1, padding-1 convolutions of at least shiftMinChannels
// channels, the shifted ones for the other same convolutions, the column
// matrix otherwise; with gonum's pure-Go BLAS (the build without -tags
// openblas) the column matrix always.
func TestKernelsForPicksPaths(t *testing.T) {
	accel.Setup()
	cgo := shiftable(newGeom2d(shiftMinChannels, 5, 5, 3, 3, 1, 1, 1, 1))
	t.Logf("cgo BLAS: %v", cgo)
	for _, c := range []struct {
		name string
		g    geom2d
		want string
	}{
		{"3×3 same, 8 channels, odd sizes", newGeom2d(8, 7, 9, 3, 3, 1, 1, 1, 1), "winograd"},
		{"5×3 same", newGeom2d(9, 7, 5, 5, 3, 2, 1, 1, 1), "shifted"},
		{"3×3 same, 1 channel", newGeom2d(1, 7, 7, 3, 3, 1, 1, 1, 1), "column"},
		{"3×3 stride 2", newGeom2d(8, 7, 7, 3, 3, 1, 1, 2, 2), "column"},
	} {
		want := c.want
		if !cgo {
			want = "column"
		}
		if got := kernelsFor[float32](c.g).path; got != want {
			t.Errorf("%s: kernelsFor picked the %s kernels, want %s", c.name, got, want)
		}
	}
}

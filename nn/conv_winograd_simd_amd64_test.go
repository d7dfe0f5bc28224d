//go:build goexperiment.simd && amd64

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestWinogradVectorLoopsMatchPortable runs the float32 Winograd forward
// pass, ∂L/∂x and ∂L/∂w with the vector transforms and with the portable ones,
// on even and odd image sizes from 1 to 33 (rows of tiles shorter and
// longer than 8, a last tile half outside): the results must be
// bit-identical (the same additions in the same order).
func TestWinogradVectorLoopsMatchPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("no AVX2")
	}
	defer func(saved bool) { useSIMD = saved }(useSIMD)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range [][2]int{{1, 1}, {2, 3}, {7, 7}, {14, 14}, {15, 16}, {17, 33}, {28, 28}, {33, 9}} {
		n, c, o := 1+rng.IntN(4), 1+rng.IntN(9), 1+rng.IntN(9)
		g := newGeom2d(c, size[0], size[1], 3, 3, 1, 1, 1, 1)
		t.Run(fmt.Sprintf("%dx%d/n=%d,c=%d,o=%d", size[0], size[1], n, c, o), func(t *testing.T) {
			x, w, dy := random32(rng, n*g.inSize()), random32(rng, o*g.rows), random32(rng, n*o*g.cols)
			run := func(vector bool) (y, dx, dw []float32) {
				useSIMD = vector
				y, dx, dw = make([]float32, n*o*g.cols), make([]float32, len(x)), make([]float32, len(w))
				winogradForward(y, x, w, n, o, g)
				winogradGradX(dx, w, dy, n, o, g)
				winogradGradW(dw, x, dy, n, o, g)
				return y, dx, dw
			}
			vy, vdx, vdw := run(true)
			py, pdx, pdw := run(false)
			for _, pair := range [][2][]float32{{vy, py}, {vdx, pdx}, {vdw, pdw}} {
				for i := range pair[1] {
					if math.Float32bits(pair[0][i]) != math.Float32bits(pair[1][i]) {
						t.Fatalf("entry %d = %v, portable %v", i, pair[0][i], pair[1][i])
					}
				}
			}
		})
	}
}

func random32(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

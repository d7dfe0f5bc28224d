//go:build goexperiment.simd && amd64

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestBatchNormVectorLoopsMatchPortable runs the float32 row kernels with
// the vector loops and with the portable loops only, on rows of lengths
// around the blocks of 8, with and without the ReLU, on values that include
// NaN, ±Inf, −0 and entries whose z is exactly ±0: y and ∂L/∂x must agree
// bit for bit (the same float32 operations in the same order), the float64
// sums within the rounding of their reordering.
func TestBatchNormVectorLoopsMatchPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("no AVX2")
	}
	defer func(saved bool) { useSIMD = saved }(useSIMD)
	r := rand.New(rand.NewPCG(41, 42))
	negZero := float32(math.Copysign(0, -1))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), negZero, 0, 0.25}
	for _, n := range []int{1, 7, 8, 9, 16, 31, 196, 784} {
		for _, relu := range []bool{false, true} {
			for _, p := range []bnChannel[float32]{{a: 1.5, mu1: 0.25, mu2: 1e-9, beta: -0.5}, {a: 1, beta: negZero}} {
				t.Run(fmt.Sprintf("n=%d/relu=%v/beta=%v", n, relu, p.beta), func(t *testing.T) {
					x, g := make([]float32, n), make([]float32, n)
					for i := range x {
						x[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
						if r.IntN(4) == 0 {
							x[i] = special[r.IntN(len(special))]
						}
						if r.IntN(8) == 0 {
							g[i] = special[r.IntN(len(special))]
						}
					}
					k := dxConsts[float32]{p: p, bx: -0.75, d: 0.125}
					run := func(vector bool) (y, dx []float32, s1, s2, m1, m2 float64) {
						useSIMD = vector
						y, dx = make([]float32, n), make([]float32, n)
						applyRow(y, x, p, relu)
						dxRow(dx, x, g, k, relu)
						s1, s2 = gradSums(x, g, 0.25, p, relu)
						m1, m2 = shiftedSums(x, 0.5)
						return
					}
					vy, vdx, vs1, vs2, vm1, vm2 := run(true)
					py, pdx, ps1, ps2, pm1, pm2 := run(false)
					for i := range py {
						if math.Float32bits(vy[i]) != math.Float32bits(py[i]) && !(isNaN32(vy[i]) && isNaN32(py[i])) {
							t.Fatalf("y[%d] (x %v) = %v, portable %v", i, x[i], vy[i], py[i])
						}
						if math.Float32bits(vdx[i]) != math.Float32bits(pdx[i]) && !(isNaN32(vdx[i]) && isNaN32(pdx[i])) {
							t.Fatalf("dx[%d] (x %v, g %v) = %v, portable %v", i, x[i], g[i], vdx[i], pdx[i])
						}
					}
					for _, s := range [][3]float64{{vs1, ps1, 0}, {vs2, ps2, 1}, {vm1, pm1, 2}, {vm2, pm2, 3}} {
						if !sameSum(s[0], s[1]) {
							t.Errorf("sum %v = %v, portable %v", s[2], s[0], s[1])
						}
					}
				})
			}
		}
	}
}

func isNaN32(v float32) bool { return v != v }

// sameSum reports whether two float64 sums of the same float32 terms in
// different orders agree: both NaN, equal infinities, or within 1e-12 of
// the larger.
func sameSum(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.IsNaN(a) == math.IsNaN(b) && (math.IsNaN(a) || a == b)
	}
	return math.Abs(a-b) <= 1e-12*max(1, math.Abs(a), math.Abs(b))
}

//go:build goexperiment.simd && amd64

package hypersimplex

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestVectorLoopsMatchPortable runs the kernels with the vector loops (with
// and without VCOMPRESSPD) and with the portable loops only, on float32 and
// float64 rows of lengths around the block sizes, and compares: the same
// active sets, outputs within the rounding of the reordered float64 sums,
// the same errors for a NaN inside a block.
func TestVectorLoopsMatchPortable(t *testing.T) {
	if !useSIMD {
		t.Skip("no AVX2")
	}
	saved, savedCompress := useSIMD, hasCompress
	defer func() { useSIMD, hasCompress = saved, savedCompress }()
	r := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{1, 7, 8, 9, 31, 128, 255, 257, 1000, 1029, 8192, 70001} {
		for _, compress := range []bool{true, false} {
			t.Run(fmt.Sprintf("n=%d/compress=%v", n, compress), func(t *testing.T) {
				x32, g32 := make([]float32, n), make([]float32, n)
				x64, g64 := make([]float64, n), make([]float64, n)
				for i := range x32 {
					x32[i], g32[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
					if i%5 == 0 {
						x32[i] = float32(r.IntN(3)) // ties
					}
					x64[i], g64[i] = float64(x32[i]), float64(g32[i])
				}
				k := float64(r.IntN(n+1)) + 0.5*r.Float64()
				k = min(k, float64(n))
				run := func(vector bool) ([]float32, []float32, []float64, []float64) {
					useSIMD, hasCompress = vector, compress && savedCompress
					y32, dx32 := make([]float32, n), make([]float32, n)
					y64, dx64 := make([]float64, n), make([]float64, n)
					must(t, Project(y32, x32, float32(k), 1.5))
					must(t, ProjectVJP(dx32, y32, g32, 1.5))
					must(t, Project(y64, x64, k, 1.5))
					must(t, ProjectVJP(dx64, y64, g64, 1.5))
					return y32, dx32, y64, dx64
				}
				vy32, vdx32, vy64, vdx64 := run(true)
				py32, pdx32, py64, pdx64 := run(false)
				closeTo(t, "y float32", vy32, py32, 1e-6)
				closeTo(t, "dx float32", vdx32, pdx32, 1e-5)
				closeTo(t, "y float64", vy64, py64, 1e-12)
				closeTo(t, "dx float64", vdx64, pdx64, 1e-12)
				if n >= 8 {
					x32[n/2] = float32(math.NaN())
					useSIMD = true
					err := Project(make([]float32, n), x32, float32(k)/2, 1.5)
					var ae *ArgError
					if !errors.As(err, &ae) || ae.Index != n/2 {
						t.Errorf("NaN at %d: got %v", n/2, err)
					}
				}
			})
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func closeTo[T Float](t *testing.T, what string, got, want []T, tol float64) {
	t.Helper()
	for i := range got {
		if (got[i] > 0 && got[i] < 1) != (want[i] > 0 && want[i] < 1) && what[0] == 'y' {
			t.Fatalf("%s[%d] = %v, portable %v: active sets differ", what, i, got[i], want[i])
		}
		if math.Abs(float64(got[i])-float64(want[i])) > tol {
			t.Fatalf("%s[%d] = %v, portable %v", what, i, got[i], want[i])
		}
	}
}

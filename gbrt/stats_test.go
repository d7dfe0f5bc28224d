package gbrt_test

import (
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
)

func TestPairedTTest(t *testing.T) {
	// differences 1, 2, 3: mean 2, sd 1, t = 2√3, 2 degrees of freedom,
	// p = 1 − t/√(t² + 2) = 1 − √(12/14) (Student's t with ν = 2 in closed form)
	r, err := gbrt.PairedTTest([]float64{2, 4, 6}, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if wantP := 1 - math.Sqrt(12.0/14); math.Abs(r.T-2*math.Sqrt(3)) > 1e-12 || math.Abs(r.P-wantP) > 1e-9 || r.MeanDiff != 2 {
		t.Errorf("t = %v, p = %v, mean %v; want %v, %v, 2", r.T, r.P, r.MeanDiff, 2*math.Sqrt(3), wantP)
	}
	if r, _ := gbrt.PairedTTest([]float64{1, 2}, []float64{1, 2}); r.P != 1 || r.T != 0 {
		t.Errorf("equal pairs: %+v, want t 0, p 1", r)
	}
	if r, _ := gbrt.PairedTTest([]float64{2, 3}, []float64{1, 2}); r.P != 0 || !math.IsInf(r.T, 1) {
		t.Errorf("equal differences: %+v, want t +Inf, p 0", r)
	}
	for _, c := range [][2][]float64{{{1}, {1}}, {{1, 2}, {1}}, {{1, math.NaN()}, {1, 2}}} {
		if _, err := gbrt.PairedTTest(c[0], c[1]); err == nil {
			t.Errorf("PairedTTest(%v, %v): no error", c[0], c[1])
		}
	}
}

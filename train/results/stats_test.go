package results_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

// statsTol bounds the error of closed-form statistics computed two ways.
const statsTol = 1e-12

func TestMeanSD(t *testing.T) {
	tests := []struct {
		name     string
		x        []float64
		mean, sd float64
	}{
		{"four", []float64{1, 2, 3, 4}, 2.5, math.Sqrt(5.0 / 3)},
		{"one", []float64{0.9}, 0.9, 0},
		{"constant", []float64{0.5, 0.5, 0.5}, 0.5, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, s := results.MeanSD(tc.x)
			if math.Abs(m-tc.mean) > statsTol || math.Abs(s-tc.sd) > statsTol {
				t.Errorf("MeanSD(%v) = %v, %v, want %v, %v", tc.x, m, s, tc.mean, tc.sd)
			}
		})
	}
	if m, s := results.MeanSD(nil); !math.IsNaN(m) || !math.IsNaN(s) {
		t.Errorf("MeanSD(nil) = %v, %v, want NaN, NaN", m, s)
	}
}

// tTwoSidedP is the two-sided p-value of Student's t for 1 and 2 degrees of
// freedom in closed form: df = 1 is the Cauchy distribution,
// p = 1 − (2/π)·atan|t|; df = 2 has CDF ½ + t/(2√(2+t²)), p = 1 − |t|/√(2+t²).
func tTwoSidedP(tstat float64, df int) float64 {
	a := math.Abs(tstat)
	switch df {
	case 1:
		return 1 - 2/math.Pi*math.Atan(a)
	case 2:
		return 1 - a/math.Sqrt(2+a*a)
	}
	panic("closed form only for df 1 and 2")
}

func TestPairedTTest(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		// Hand-computed mean and sd of the differences.
		mean, sd float64
	}{
		{"three pairs", []float64{0.90, 0.92, 0.94}, []float64{0.89, 0.90, 0.91}, 0.02, 0.01},
		{"two pairs", []float64{0.95, 0.97}, []float64{0.96, 0.95}, 0.005, math.Sqrt(0.00045)},
		{"negative", []float64{0.1, 0.2, 0.3}, []float64{0.3, 0.3, 0.3}, -0.1, 0.1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := results.PairedTTest(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			n := len(tc.a)
			wantT := tc.mean / (tc.sd / math.Sqrt(float64(n)))
			wantP := tTwoSidedP(wantT, n-1)
			const tol = 1e-9
			if got.N != n || got.DF != float64(n-1) {
				t.Errorf("N, DF = %d, %v, want %d, %d", got.N, got.DF, n, n-1)
			}
			if math.Abs(got.MeanDiff-tc.mean) > tol || math.Abs(got.SDDiff-tc.sd) > tol {
				t.Errorf("mean, sd of differences = %v, %v, want %v, %v", got.MeanDiff, got.SDDiff, tc.mean, tc.sd)
			}
			if math.Abs(got.T-wantT) > tol*math.Abs(wantT) || math.Abs(got.P-wantP) > tol {
				t.Errorf("t, p = %v, %v, want %v, %v", got.T, got.P, wantT, wantP)
			}
			if got.Note != "" {
				t.Errorf("Note = %q, want empty", got.Note)
			}
		})
	}
}

func TestPairedTTestDegenerate(t *testing.T) {
	got, err := results.PairedTTest([]float64{0.9, 0.8}, []float64{0.9, 0.8})
	if err != nil || got.T != 0 || got.P != 1 || got.Note == "" {
		t.Errorf("equal pairs: %+v, %v; want t 0, p 1 and a note", got, err)
	}
	got, err = results.PairedTTest([]float64{1, 2, 3}, []float64{0, 1, 2})
	if err != nil || !math.IsInf(got.T, 1) || got.P != 0 || got.Note == "" {
		t.Errorf("constant shift: %+v, %v; want t +Inf, p 0 and a note", got, err)
	}
	bad := []struct {
		name, want string
		a, b       []float64
	}{
		{"length", "len(a) = 2 differs from len(b) = 1", []float64{1, 2}, []float64{1}},
		{"one pair", "n = 1 pairs, need at least 2", []float64{1}, []float64{2}},
		{"none", "n = 0 pairs", nil, nil},
		{"NaN", "pair 1 = (NaN, 2) is not finite", []float64{1, math.NaN()}, []float64{1, 2}},
		{"Inf", "pair 0 = (1, +Inf) is not finite", []float64{1, 1}, []float64{math.Inf(1), 2}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := results.PairedTTest(tc.a, tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

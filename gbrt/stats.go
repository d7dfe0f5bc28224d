package gbrt

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// TTest is the result of a two-sided paired t-test (scipy's ttest_rel, as
// the reference code uses).
type TTest struct {
	N        int     // pairs
	MeanDiff float64 // mean of a_i − b_i
	SDDiff   float64 // sample standard deviation of the differences
	T, P     float64 // statistic (±Inf when every difference is equal and not 0) and two-sided p-value
}

// PairedTTest tests whether the mean of a_i − b_i is 0: t = mean/(sd/√n)
// with n − 1 degrees of freedom. All pairs equal gives t = 0, p = 1; equal
// non-zero differences give t = ±Inf, p = 0.
//
// Errors: lengths that differ, fewer than 2 pairs, a non-finite value.
func PairedTTest(a, b []float64) (TTest, error) {
	if len(a) != len(b) {
		return TTest{}, fmt.Errorf("gbrt: paired t-test: len(a) = %d differs from len(b) = %d", len(a), len(b))
	}
	n := len(a)
	if n < 2 {
		return TTest{N: n}, fmt.Errorf("gbrt: paired t-test: %d pairs, need at least 2", n)
	}
	d := make([]float64, n)
	for i := range a {
		if math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return TTest{N: n}, fmt.Errorf("gbrt: paired t-test: pair %d = (%v, %v) is not finite", i, a[i], b[i])
		}
		d[i] = a[i] - b[i]
	}
	mean, sd := stat.MeanStdDev(d, nil)
	r := TTest{N: n, MeanDiff: mean, SDDiff: sd}
	switch {
	case sd == 0 && mean == 0:
		r.T, r.P = 0, 1
	case sd == 0:
		r.T, r.P = math.Copysign(math.Inf(1), mean), 0
	default:
		r.T = mean / (sd / math.Sqrt(float64(n)))
		r.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Survival(math.Abs(r.T))
	}
	return r, nil
}

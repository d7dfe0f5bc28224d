package results

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MeanSD returns the sample mean and the sample standard deviation (divisor
// n−1) of x. The standard deviation of a single value is 0; the mean and the
// standard deviation of an empty slice are NaN.
func MeanSD(x []float64) (mean, sd float64) {
	switch len(x) {
	case 0:
		return math.NaN(), math.NaN()
	case 1:
		return x[0], 0
	}
	return stat.MeanStdDev(x, nil)
}

// TTest is the result of a paired two-sided t-test of a against b.
//
//	d_i = a_i − b_i,  t = mean(d) / (sd(d)/√n),  df = n − 1,
//	p = 2·(1 − F_df(|t|))   with F_df the Student's t CDF (gonum distuv).
//
// When every difference is the same (sd(d) = 0) the statistic is degenerate:
// if all differences are 0 the test reports t = 0, p = 1 (nothing differs);
// otherwise t = ±Inf, p = 0 (a constant non-zero shift). Note says which case
// applied.
type TTest struct {
	N        int     // number of pairs
	MeanDiff float64 // mean of a_i − b_i
	SDDiff   float64 // sample standard deviation of a_i − b_i
	T        float64 // t statistic
	DF       float64 // degrees of freedom, n − 1
	P        float64 // two-sided p-value
	Note     string  // "" or a description of a degenerate case
}

// PairedTTest runs a paired two-sided Student's t-test of a against b
// (a_i and b_i are measured on the same seed). It needs at least two pairs
// and finite values.
func PairedTTest(a, b []float64) (TTest, error) {
	if len(a) != len(b) {
		return TTest{}, fmt.Errorf("results: paired t-test: len(a) = %d differs from len(b) = %d", len(a), len(b))
	}
	n := len(a)
	if n < 2 {
		return TTest{N: n}, fmt.Errorf("results: paired t-test: n = %d pairs, need at least 2", n)
	}
	d := make([]float64, n)
	for i := range a {
		if math.IsNaN(a[i]) || math.IsInf(a[i], 0) || math.IsNaN(b[i]) || math.IsInf(b[i], 0) {
			return TTest{N: n}, fmt.Errorf("results: paired t-test: pair %d = (%v, %v) is not finite", i, a[i], b[i])
		}
		d[i] = a[i] - b[i]
	}
	mean, sd := stat.MeanStdDev(d, nil)
	r := TTest{N: n, MeanDiff: mean, SDDiff: sd, DF: float64(n - 1)}
	switch {
	case sd == 0 && mean == 0:
		r.T, r.P, r.Note = 0, 1, "all pairs equal"
	case sd == 0:
		r.T, r.P, r.Note = math.Copysign(math.Inf(1), mean), 0, "zero variance of the differences"
	default:
		r.T = mean / (sd / math.Sqrt(float64(n)))
		dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: r.DF}
		r.P = 2 * dist.Survival(math.Abs(r.T))
	}
	return r, nil
}

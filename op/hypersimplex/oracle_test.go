package hypersimplex_test

import (
	"math"
	"slices"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// sortProject is the O(n log n) reference for hypersimplex.Project: it sorts z = x/τ
// and scans the 2n breakpoints z_i (entry into the active set A) and z_i − 1
// (entry into the upper set U) downwards until g(μ) = Σ clip(z_i − μ, 0, 1)
// reaches k. z and s are scratch of len(x) (so benchmarks do not allocate).
func sortProject[T hypersimplex.Float](y, x []T, k, tau T, z, s []float64) {
	n := len(x)
	kk := float64(k)
	for i, v := range x {
		z[i] = float64(v) / float64(tau)
	}
	if kk <= 0 || kk >= float64(n) {
		for i := range y {
			y[i] = T(min(max(kk, 0), 1))
		}
		return
	}
	copy(s, z)
	slices.Sort(s)
	slices.Reverse(s)
	mu := scanBreakpoints(s, kk)
	for i, v := range z {
		y[i] = T(min(max(v-mu, 0), 1))
	}
}

// scanBreakpoints returns μ with Σ clip(s_i − μ, 0, 1) = k for s sorted in
// decreasing order and 0 < k < len(s).
func scanBreakpoints(s []float64, k float64) float64 {
	n := len(s)
	var nU, nA int
	var sumA float64
	p, q := 0, 0
	for q < n {
		t := s[q] - 1
		if p < n && s[p] > t {
			t = s[p]
		}
		// On (t, previous breakpoint) the sets are fixed and g is linear.
		if g := float64(nU) + sumA - float64(nA)*t; g >= k {
			if nA == 0 {
				return t
			}
			return (sumA + float64(nU) - k) / float64(nA)
		}
		for p < n && s[p] == t {
			nA++
			sumA += s[p]
			p++
		}
		for q < n && s[q]-1 == t {
			nA--
			sumA -= s[q]
			nU++
			q++
		}
	}
	return s[n-1] - 1
}

// bruteProject is the brute-force reference for n ≤ 8: it tries every
// assignment of the entries to U (y = 1), A (y = z − μ) and L (y = 0),
// solves Σ y = k for μ, keeps the feasible candidates and returns the one
// closest to z = x/τ. The KKT conditions guarantee the projection is one of
// them.
func bruteProject(x []float64, k, tau float64) []float64 {
	n := len(x)
	z := make([]float64, n)
	for i, v := range x {
		z[i] = v / tau
	}
	const feasTol = 1e-9
	best, bestDist := []float64(nil), math.Inf(1)
	y := make([]float64, n)
	state := make([]int, n) // 0: L, 1: A, 2: U
	total := 1
	for range n {
		total *= 3
	}
	for code := range total {
		c := code
		nU, nA, sumA := 0, 0, 0.0
		for i := range state {
			state[i] = c % 3
			c /= 3
			switch state[i] {
			case 1:
				nA++
				sumA += z[i]
			case 2:
				nU++
			}
		}
		mu := 0.0
		if nA > 0 {
			mu = (sumA + float64(nU) - k) / float64(nA)
		} else if math.Abs(float64(nU)-k) > feasTol {
			continue
		}
		ok := true
		for i := range y {
			switch state[i] {
			case 0:
				y[i] = 0
			case 1:
				y[i] = z[i] - mu
				ok = ok && y[i] >= -feasTol && y[i] <= 1+feasTol
			case 2:
				y[i] = 1
			}
		}
		if !ok {
			continue
		}
		d := 0.0
		for i := range y {
			d += (y[i] - z[i]) * (y[i] - z[i])
		}
		if d < bestDist {
			bestDist = d
			best = append(best[:0], y...)
		}
	}
	return best
}

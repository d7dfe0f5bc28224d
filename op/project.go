package op

import (
	"math"
	"sort"
)

// Project sets y = Π_{Δ(n,k)}(x/τ), the Euclidean projection of x/τ onto the
// hypersimplex Δ(n,k) = {y ∈ [0,1]^n : Σ y_i = k}, n = len(x):
//
//	y_i = clip(x_i/τ − μ, 0, 1),  μ such that Σ_i y_i = k.
//
// k may be fractional. y may alias x; otherwise x is left unchanged.
// It returns an error, leaving y unchanged, if len(y) != len(x), k is NaN or
// outside [0, n], τ is not finite and positive, or x holds a NaN or ±Inf.
func Project[T Float](y, x []T, k, tau T) error {
	if err := checkLen("y", len(y), "x", len(x)); err != nil {
		return err
	}
	n := len(x)
	if err := checkK(float64(k), n); err != nil {
		return err
	}
	if err := checkTau(float64(tau)); err != nil {
		return err
	}
	if err := checkFinite("x", x); err != nil {
		return err
	}
	kk := float64(k)
	switch {
	case kk == 0:
		fill(y, 0)
		return nil
	case kk == float64(n):
		fill(y, 1)
		return nil
	}
	// Provisional O(n log n) version: sort z = x/τ and scan the breakpoints.
	t := float64(tau)
	z := make([]float64, n)
	for i, v := range x {
		z[i] = float64(v) / t
	}
	s := append([]float64(nil), z...)
	sort.Sort(sort.Reverse(sort.Float64Slice(s)))
	mu := scanBreakpoints(s, kk)
	for i, v := range z {
		y[i] = T(math.Min(math.Max(v-mu, 0), 1))
	}
	return nil
}

// scanBreakpoints returns μ with Σ clip(s_i − μ, 0, 1) = k for s sorted in
// decreasing order and 0 < k < len(s), scanning the breakpoints s_i (entry
// into the active set) and s_i − 1 (entry into the upper set) downwards.
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
		// On (t, previous breakpoint) the sets are fixed: g is linear.
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

func fill[T Float](y []T, v T) {
	for i := range y {
		y[i] = v
	}
}

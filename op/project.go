package op

import "math"

// Project sets y = Π_{Δ(n,k)}(x/τ), the Euclidean projection of x/τ onto the
// hypersimplex Δ(n,k) = {y ∈ [0,1]^n : Σ y_i = k}, n = len(x):
//
//	y_i = clip(x_i/τ − μ, 0, 1),  μ such that Σ_i y_i = k.
//
// k may be fractional. y may alias x; otherwise x is left unchanged.
// It returns an error, leaving y unchanged, if len(y) != len(x), k is NaN or
// outside [0, n], τ is not a finite positive normal number, or x holds a NaN
// or ±Inf.
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
	kk := float64(k)
	if kk == 0 || kk == float64(n) {
		if err := checkFinite("x", x); err != nil {
			return err
		}
		fill(y, T(kk/float64(max(n, 1))))
		return nil
	}
	buf := getScratch(n)
	defer scratchPool.Put(buf)
	ref, rel, ok := solveProject(*buf, x, kk, float64(tau))
	if !ok {
		return checkFinite("x", x)
	}
	invTau := 1 / float64(tau)
	y = y[:len(x)] // lets the compiler drop bounds checks
	for i, v := range x {
		a := ((float64(v) - ref) - rel) * invTau
		y[i] = T(clip01(a))
	}
	return nil
}

// smallProject is the length up to which Project searches all entries
// directly instead of starting from pivots estimated on a sample.
const smallProject = 256

// solveProject returns the root ν = ref + rel of g(ν) = k for x (0 < k < n),
// using w (len n) as scratch, or ok = false if x holds a NaN or ±Inf.
func solveProject[T Float](w []float64, x []T, k, tau float64) (ref, rel float64, ok bool) {
	if len(x) > smallProject {
		s := newSearcher(k, tau)
		p1, p2 := samplePivots(w, x, k, tau)
		return bracketSearch(&s, w, x, p1, p2)
	}
	lowest, highest := math.Inf(1), math.Inf(-1)
	w = w[:len(x)]
	for i, v := range x {
		f := float64(v)
		if f-f != 0 {
			return 0, 0, false
		}
		w[i] = f
		lowest, highest = min(lowest, f), max(highest, f)
	}
	ref, rel = solveAll(w, k, tau, lowest, highest)
	return ref, rel, true
}

func fill[T Float](y []T, v T) {
	for i := range y {
		y[i] = v
	}
}

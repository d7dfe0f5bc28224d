package hypersimplex

import "math"

// Project sets y = Π_{Δ(n,k)}(x/τ), the Euclidean projection of x/τ onto the
// hypersimplex Δ(n,k) = {y ∈ [0,1]^n : Σ y_i = k}, n = len(x):
//
//	y_i = clip(x_i/τ − μ, 0, 1),  μ such that Σ_i y_i = k.
//
// k may be fractional. y may alias x; otherwise x is left unchanged.
// It returns an error, leaving y unchanged, if len(y) != len(x), k is NaN or
// outside [0, n], τ is not finite or is below 2⁻¹⁰²² (the smallest normal
// float64; float32 subnormals above it are fine), or x holds a NaN
// or ±Inf.
func Project[T Float](y, x []T, k, tau T) error {
	if err := checkLen("y", len(y), "x", len(x)); err != nil {
		return err
	}
	n := len(x)
	if err := checkK(float64(k), n); err != nil {
		return err
	}
	if err := CheckTau(float64(tau)); err != nil {
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
	if float64(tau) > maxSearchTau {
		return projectRescaled(y, x, *buf, kk, float64(tau))
	}
	ref, rel, ok := solveProject(*buf, x, kk, float64(tau))
	if !ok {
		return checkFinite("x", x)
	}
	writeClipped(y, x, ref, rel, 1/float64(tau))
	return nil
}

// maxSearchTau is the largest τ the search takes as it is. Its sums are
// bounded by about 3n·τ (the active entries lie within τ of the root), so
// with τ ≤ 2^960 none overflows for any n that fits in memory.
const maxSearchTau = 0x1p960

// rescale brings a larger τ below maxSearchTau, and x with it: the map
// depends on x/τ only, and multiplying by a power of two is exact (but for
// entries below 2^-894, whose x/τ < 2^-1854 is 0 in float64 anyway).
const rescale = 0x1p-128

// projectRescaled is Project for τ > maxSearchTau (float64 only): it solves
// on c·x with c·τ, c = rescale, using w and a second pooled buffer (len(x))
// as scratch.
func projectRescaled[T Float](y, x []T, w []float64, k, tau float64) error {
	buf := getScratch(len(x))
	defer scratchPool.Put(buf)
	xs := *buf
	for i, v := range x {
		xs[i] = float64(v) * rescale
	}
	tau *= rescale
	ref, rel, ok := solveProject(w, xs, k, tau)
	if !ok {
		return checkFinite("x", x)
	}
	writeClipped(y, xs, ref, rel, 1/tau)
	return nil
}

// writeClipped sets y_i = clip((x_i − ν)/τ, 0, 1) for the root ν = ref + rel
// and invTau = 1/τ, subtracting ref first so that no cancellation of large
// values spoils y.
func writeClipped[T, X Float](y []T, x []X, ref, rel, invTau float64) {
	y = y[:len(x)] // lets the compiler drop bounds checks
	done := 0
	if y32, ok := asFloat32(y); ok {
		if x32, ok := asFloat32(x); ok {
			done = writeClipped32(y32, x32, ref, rel, invTau)
		}
	}
	for i := done; i < len(x); i++ {
		a := ((float64(x[i]) - ref) - rel) * invTau
		y[i] = T(clip01(a))
	}
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

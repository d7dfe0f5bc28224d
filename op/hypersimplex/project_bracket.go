package hypersimplex

import "math"

// bracketPass classifies x against two points p1 < p2 in one pass, as
// partition would for the interval [p1, p2]: it counts the entries fixed at 1
// (x − τ ≥ p2), counts and sums x − p2 over the entries active on all of
// [p1, p2] (x ≥ p2, x − τ ≤ p1), and copies to w the entries with a
// breakpoint inside (p1, p2) (the rest are fixed at 0). No clip is evaluated
// per entry: g(p1) and g(p2) follow from these aggregates and the few copied
// entries (see bracketSearch). finite is false if x holds a NaN or ±Inf.
//
// The classes are disjoint as long as p2 − p1 > 2⁻⁵⁰·τ (bracketSearch
// makes sure): an entry both fixed at 1 (x − p2 ≥ τ) and active (x − p1 ≤
// τ) needs x − p1 and x − p2 to round to τ both, so p2 − p1 ≤ ulp(τ).
func bracketPass[T Float](w []float64, x []T, p1, p2, tau float64) (m, nU, nA int, sumA float64, finite bool) {
	done := 0
	if x32, ok := asFloat32(x); ok {
		m, nU, nA, sumA, done = bracketPass32(w, x32, p1, p2, tau)
	}
	var bad uint64
	for i := done; i < len(x); i++ {
		// Branch-free: the classes of random data are unpredictable.
		f := float64(x[i])
		bad |= expCarry(f)
		dl, dh := f-p1, f-p2
		l := b2i(dl <= 0)
		u := b2i(dh >= tau)
		a := b2i(dh >= 0) & b2i(dl <= tau)
		nU += u
		nA += a
		sumA += math.Float64frombits(math.Float64bits(dh) & -uint64(a))
		w[m] = f
		m += 1 - l - u - a
	}
	return m, nU, nA, sumA, bad>>63 == 0
}

// bracketSearch runs the search for n > smallProject: one pass over x
// against a bracket [p1, p2] (estimated on a sample by samplePivots) leaves
// only the entries with a breakpoint inside it; the search goes on over
// those. If the root is outside [p1, p2] (rare), a second pass over x starts
// from the side that holds it. It returns ok = false if x holds a NaN or ±Inf.
func bracketSearch[T Float](s *searcher, w []float64, x []T, p1, p2 point) (ref, rel float64, ok bool) {
	if math.IsInf(p1.s, 0) || math.IsInf(p2.s, 0) || !(p2.s-p1.s > 0x1p-50*s.tau) {
		// Unbounded, in the wrong order, or too close for bracketPass's
		// classes to be disjoint.
		return generalSearch(s, w, x, p1, p2)
	}
	m, nU, nA, sumA, finite := bracketPass(w, x, p1.s, p2.s, s.tau)
	if !finite {
		return 0, 0, false
	}
	// g(p) = nU + Σ_A (x − p)/τ + Σ_W clip((x − p)/τ, 0, 1).
	c1, c2, _ := clipSum2(w[:m], p1, p2, s.invTau)
	g1 := float64(nU) + (sumA+float64(nA)*(p2.s-p1.s))*s.invTau + c1
	g2 := float64(nU) + sumA*s.invTau + c2
	if g1 < s.k || g2 > s.k {
		return generalSearch(s, w, x, p1, p2)
	}
	s.lo, s.hi, s.gLo, s.gHi = p1, p2, g1, g2
	s.nU, s.nA, s.sumA, s.ref = nU, nA, sumA, p2.s
	if g1 == s.k || g2 == s.k {
		// The root is p1 or p2 itself: reclassify the few uncertain entries.
		if g1 == s.k {
			s.hi, s.gHi = p1, g1
		} else {
			s.lo, s.gLo = p2, g2
		}
		m = partition(s, w, w[:m])
	}
	ref, rel = s.solve(w[:m])
	return ref, rel, true
}

// generalSearch narrows the interval with g at p1 ≤ p2 and partitions x,
// whatever the outcome; it is correct for any two points.
func generalSearch[T Float](s *searcher, w []float64, x []T, p1, p2 point) (ref, rel float64, ok bool) {
	*s = newSearcher(s.k, s.tau)
	g1, g2, finite := clipSum2(x, p1, p2, s.invTau)
	if !finite {
		return 0, 0, false
	}
	s.narrowPair(p1, g1, p2, g2)
	m := partition(s, w, x)
	ref, rel = s.solve(w[:m])
	return ref, rel, true
}

package hypersimplex

import "math"

// This file holds the breakpoint search behind Project (Kiwiel 2008,
// "Breakpoint searching algorithms for the continuous quadratic knapsack
// problem", Math. Program. 112, doi:10.1007/s10107-006-0050-z), written in
// the units of x so that tiny τ cannot overflow x/τ:
//
//	y_i = clip((x_i − ν)/τ, 0, 1),  ν = τμ,
//	g(ν) = Σ_i clip((x_i − ν)/τ, 0, 1), continuous, non-increasing,
//
// with the breakpoints x_i (y_i leaves 0) and x_i − τ (y_i reaches 1). The
// search keeps an interval [lo, hi] holding the root of g(ν) = k, the counts
// and sums of the entries whose state is fixed on it (U: y = 1, A: active,
// L: y = 0) and the "uncertain" entries that still have a breakpoint strictly
// inside. Each round evaluates g at one or two pivots, cuts the interval
// there and drops the entries that became certain: O(n) expected (see
// solve for the choice of pivots).
//
// Robustness: a point is kept symbolically as s − d·τ (s a float, d ∈ {0,1})
// and compared with an entry v through v − s, never through the rounded
// s − τ. For |x| beyond 2^53·τ, where x − τ == x in floating point, ties and
// near-ties are then still classified exactly. The active sum is kept
// relative to a reference r taken from the interval when the first active
// entry appears, so that the final ν and y need no cancellation of large
// values: Σ y = k holds to rounding at any scale.

// point is the abscissa s − d·τ, d ∈ {0, 1}.
type point struct{ s, d float64 }

// searcher is the state of one breakpoint search.
type searcher struct {
	k, tau, invTau float64
	lo, hi         point   // the root lies in [lo, hi]
	gLo, gHi       float64 // g(lo), g(hi)
	nU, nA         int     // entries fixed at 1, and active on all of [lo, hi]
	sumA           float64 // Σ_{i∈A} (x_i − ref)
	ref            float64
	rng            uint64
}

func newSearcher(k, tau float64) searcher {
	return searcher{
		k: k, tau: tau, invTau: 1 / tau,
		lo:  point{s: math.Inf(-1)},
		hi:  point{s: math.Inf(1)},
		gLo: math.Inf(1),
		rng: 0x9E3779B97F4A7C15,
	}
}

// g returns g(p) given the clip sum over the uncertain entries.
func (s *searcher) g(p point, uncertainSum float64) float64 {
	g := float64(s.nU) + uncertainSum
	if s.nA > 0 {
		g += (s.sumA - float64(s.nA)*((p.s-s.ref)-p.d*s.tau)) * s.invTau
	}
	return g
}

// narrow moves lo or hi to p given g(p).
func (s *searcher) narrow(p point, gp float64) {
	switch {
	case gp > s.k:
		s.lo, s.gLo = p, gp
	case gp < s.k:
		s.hi, s.gHi = p, gp
	default:
		s.lo, s.hi, s.gLo, s.gHi = p, p, gp, gp
	}
}

// narrowPair narrows with two points p1 ≤ p2 given g at both, keeping
// [lo, hi] nested: with g(p1) ≤ k the root is at or below p1, with
// g(p2) ≥ k at or above p2, otherwise between them.
func (s *searcher) narrowPair(p1 point, g1 float64, p2 point, g2 float64) {
	switch {
	case g1 <= s.k:
		s.narrow(p1, g1)
	case g2 >= s.k:
		s.narrow(p2, g2)
	default:
		s.narrow(p1, g1)
		s.narrow(p2, g2)
	}
}

// strictlyInside reports whether p lies strictly inside (lo, hi), compared
// symbolically as in partition.
func (s *searcher) strictlyInside(p point) bool {
	return (p.s-s.lo.s) > (p.d-s.lo.d)*s.tau && (p.s-s.hi.s) < (p.d-s.hi.d)*s.tau
}

// interpolationPair returns two points around the root of the straight line
// through (lo, g(lo)) and (hi, g(hi)), 2·spread·(hi − lo) apart. When many
// breakpoints lie in (lo, hi), g is close to that line, and the pair
// brackets the root with few breakpoints between them. ok is false if the
// interval is unbounded or too narrow to hold the pair.
func (s *searcher) interpolationPair(spread float64) (p1, p2 point, ok bool) {
	lo, hi := s.lo.s-s.lo.d*s.tau, s.hi.s-s.hi.d*s.tau
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(s.gLo > s.gHi) {
		return p1, p2, false
	}
	t := (s.gLo - s.k) / (s.gLo - s.gHi)
	p1 = point{s: lo + (hi-lo)*max(t-spread, 0)}
	p2 = point{s: lo + (hi-lo)*min(t+spread, 1)}
	return p1, p2, p1.s < p2.s && s.strictlyInside(p1) && s.strictlyInside(p2)
}

// clipSum returns Σ clip((v − p)/τ, 0, 1) over w, with
// (v − p)/τ = (v − p.s)/τ + p.d. The entries must be finite.
func clipSum[T Float](w []T, p point, invTau float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+1 < len(w); i += 2 {
		s0 += clip01((float64(w[i])-p.s)*invTau + p.d)
		s1 += clip01((float64(w[i+1])-p.s)*invTau + p.d)
	}
	if i < len(w) {
		s0 += clip01((float64(w[i])-p.s)*invTau + p.d)
	}
	return s0 + s1
}

// clipSum2 is clipSum at two points in one pass; finite is false if w holds
// a NaN or ±Inf.
func clipSum2[T Float](w []T, p, q point, invTau float64) (sp, sq float64, finite bool) {
	done := 0
	if w64, ok := asFloat64(w); ok {
		sp, sq, done = clipSum2x64(w64, p, q, invTau)
	}
	var bad uint64
	for i := done; i < len(w); i++ {
		f := float64(w[i])
		bad |= expCarry(f)
		sp += clip01((f-p.s)*invTau + p.d)
		sq += clip01((f-q.s)*invTau + q.d)
	}
	return sp, sq, bad>>63 == 0
}

// expCarry returns a value whose top bit is set iff f is NaN or ±Inf: adding
// one to an all-ones exponent carries into the (cleared) sign bit. OR-ing it
// over a pass checks finiteness with integer operations only, off the
// floating-point dependency chains.
func expCarry(f float64) uint64 {
	return math.Float64bits(f)&^(1<<63) + 1<<52
}

// clip01 returns min(max(a, 0), 1) for a not NaN, branch-free on the bits:
// the sign mask clears negatives (and −0), and non-negative floats order as
// their bit patterns. It is several times cheaper than the builtins, which
// must also handle NaN and signed zeros.
func clip01(a float64) float64 {
	const one = 0x3FF0000000000000 // math.Float64bits(1)
	b := math.Float64bits(a)
	b &^= uint64(int64(b) >> 63)
	if b > one {
		b = one
	}
	return math.Float64frombits(b)
}

// partition copies into dst the entries of w that keep a breakpoint strictly
// inside (lo, hi), counts those fixed at 1 and accumulates those active on
// all of [lo, hi]; the rest (fixed at 0) are dropped. dst may be w itself
// (reinterpreted) when T is float64. It returns the number kept.
//
// With dl = v − lo.s and dh = v − hi.s, for the entry's breakpoints
// b2 = v and b1 = v − τ:
//
//	b2 ≤ lo ⇔ dl ≤ −lo.d·τ        (L)
//	b1 ≥ hi ⇔ dh ≥ (1 − hi.d)·τ   (U)
//	b1 ≤ lo ⇔ dl ≤ (1 − lo.d)·τ,  b2 ≥ hi ⇔ dh ≥ −hi.d·τ  (both: A)
func partition[T Float](s *searcher, dst []float64, w []T) int {
	tL := -s.lo.d * s.tau
	tLA := (1 - s.lo.d) * s.tau
	tU := (1 - s.hi.d) * s.tau
	tHA := -s.hi.d * s.tau
	ls, hs := s.lo.s, s.hi.s
	if s.nA == 0 {
		// The first active entries fix the reference of sumA; A needs a
		// finite hi, and an infinite one admits no active entry.
		s.ref = 0
		if !math.IsInf(hs, 0) {
			s.ref = hs
		}
	}
	ref := s.ref
	j, nU, nA, done := 0, 0, 0, 0
	var sumA float64
	if w64, ok := asFloat64(w); ok {
		j, nU, nA, sumA, done = partition64(dst, w64, ls, hs, tL, tLA, tU, tHA, ref)
	}
	for i := done; i < len(w); i++ {
		// Branch-free: the classes of random data are unpredictable.
		f := float64(w[i])
		dl, dh := f-ls, f-hs
		l := b2i(dl <= tL)
		u := b2i(dh >= tU)
		a := b2i(dl <= tLA) & b2i(dh >= tHA) & (1 - l) & (1 - u)
		dst[j] = f
		j += 1 - l - u - a
		nU += u
		nA += a
		sumA += math.Float64frombits(math.Float64bits(f-ref) & -uint64(a))
	}
	s.nU += nU
	s.nA += nA
	s.sumA += sumA
	return j
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// next returns a uniform pseudo-random index in [0, n) (xorshift64*).
func (s *searcher) next(n int) int {
	s.rng ^= s.rng >> 12
	s.rng ^= s.rng << 25
	s.rng ^= s.rng >> 27
	return int(((s.rng * 2685821657736338717) >> 33) % uint64(n))
}

// inside returns a breakpoint of v strictly inside (lo, hi); v must have one.
func (s *searcher) inside(v float64) point {
	// b2 = v is inside iff v − lo.s > −lo.d·τ and v − hi.s < −hi.d·τ.
	if v-s.lo.s > -s.lo.d*s.tau && v-s.hi.s < -s.hi.d*s.tau {
		return point{s: v}
	}
	return point{s: v, d: 1}
}

// pivot returns the median (by value) of the inside breakpoints of three
// random uncertain entries.
func (s *searcher) pivot(w []float64) point {
	a := s.inside(w[s.next(len(w))])
	b := s.inside(w[s.next(len(w))])
	c := s.inside(w[s.next(len(w))])
	va, vb, vc := a.s-a.d*s.tau, b.s-b.d*s.tau, c.s-c.d*s.tau
	if va > vb {
		a, b, va, vb = b, a, vb, va
	}
	if vb > vc {
		b, vb = c, vc
		if va > vb {
			b = a
		}
	}
	return b
}

// solveAll returns the root for all the entries w (finite; scratch,
// reordered), lowest and highest being the least and greatest of them. The
// search starts from lo = lowest − τ, where g = len(w), and hi = highest,
// where g = 0: both ends known, it interpolates from its first round, and
// every entry already has a breakpoint inside (lo, hi) (all of them but
// when all are equal, which the first round settles).
func solveAll(w []float64, k, tau, lowest, highest float64) (ref, rel float64) {
	s := newSearcher(k, tau)
	s.lo, s.gLo = point{s: lowest, d: 1}, float64(len(w))
	s.hi, s.gHi = point{s: highest}, 0
	return s.solve(w)
}

// solveAbove is solveAll given a point lo below the root with g(lo) = gLo:
// the entries below it are dropped first.
func solveAbove(w []float64, k, tau float64, lo point, gLo, highest float64) (ref, rel float64) {
	s := newSearcher(k, tau)
	s.lo, s.gLo = lo, gLo
	s.hi, s.gHi = point{s: highest}, 0
	return s.solve(w[:partition(&s, w, w)])
}

// solve runs the search to the end on the uncertain entries w (scratch,
// reordered) and returns the root as ν = ref + rel.
//
// Rounds evaluate g at a pair of points interpolated between (lo, g(lo)) and
// (hi, g(hi)) while that halves the uncertain set; after a round that does
// not, the next one uses the median of three random breakpoints. So every
// interpolated round either halves the set or is followed by a random one,
// which keeps the expected cost O(len(w)); near the root, where g is close
// to linear, interpolation converges fast.
func (s *searcher) solve(w []float64) (ref, rel float64) {
	interpolate := true
	for len(w) > 0 {
		m := len(w)
		p1, p2, ok := point{}, point{}, false
		if interpolate && m >= 16 {
			p1, p2, ok = s.interpolationPair(1 / math.Sqrt(float64(m)))
		}
		if ok {
			c1, c2, _ := clipSum2(w, p1, p2, s.invTau)
			s.narrowPair(p1, s.g(p1, c1), p2, s.g(p2, c2))
		} else {
			p := s.pivot(w)
			s.narrow(p, s.g(p, clipSum(w, p, s.invTau)))
		}
		w = w[:partition(s, w, w)]
		interpolate = !ok || 2*len(w) <= m
	}
	if s.nA > 0 {
		return s.ref, (s.sumA - s.tau*(s.k-float64(s.nU))) / float64(s.nA)
	}
	// No active entry: g is constant (= k) on [lo, hi]; any point of it
	// gives the same 0/1 output.
	p := s.hi
	if math.IsInf(p.s, 0) {
		p = s.lo
	}
	return p.s, -p.d * s.tau
}

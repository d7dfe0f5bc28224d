package hypersimplex

import "math"

// ProjectEntropic sets y to the entropic projection of x/τ onto the
// hypersimplex Δ(n,k), n = len(x), the binary-entropy regularised
// counterpart of Project (Amos, Xu, Kolter, "The Limited Multi-Label
// Projection Layer", arXiv 1906.08707, 2019):
//
//	y = argmin_{y ∈ Δ(n,k)} −⟨x/τ, y⟩ + Σ_i [y_i log y_i + (1 − y_i) log(1 − y_i)],
//	y_i = σ((x_i − ν)/τ),  σ(a) = 1/(1 + e^{−a}),  ν such that Σ_i y_i = k.
//
// Every y_i lies in (0, 1) (up to rounding), so every entry gets a gradient
// (ProjectEntropicVJP). The sum F(ν) = Σ_i σ((x_i − ν)/τ) is smooth and
// strictly decreasing, and ν is found by a safeguarded Newton iteration
// (see solveEntropic): a few passes over x, each with one exponential per
// entry, sums in float64. ν is exact to rounding: entries near the root are
// compared with it relative to a nearby reference, so Σ y = k also holds
// when |x| ≫ τ.
//
// k may be fractional but must lie strictly inside (0, n): at k = 0 or n
// the only feasible point is 0 or 1, where the entropy has no finite
// minimiser form. y may alias x; otherwise x is left unchanged. It returns
// an error, leaving y unchanged, if len(y) != len(x), k is NaN or outside
// (0, n), τ is not finite or is below 2⁻¹⁰²², or x holds a NaN or ±Inf.
func ProjectEntropic[T Float](y, x []T, k, tau T) error {
	if err := checkLen("y", len(y), "x", len(x)); err != nil {
		return err
	}
	n := len(x)
	if err := checkKInside(float64(k), n); err != nil {
		return err
	}
	if err := CheckTau(float64(tau)); err != nil {
		return err
	}
	s, ok := newEntropic(x, float64(k), float64(tau))
	if !ok {
		return checkFinite("x", x)
	}
	solveEntropic(&s, x)
	y = y[:n] // lets the compiler drop bounds checks
	for i, v := range x {
		y[i] = T(sigmoid(((float64(v)*s.scale - s.ref) - s.rel) * s.invTau))
	}
	return nil
}

// ProjectEntropicVJP sets dx = Jᵀg, the vector–Jacobian product of
// x ↦ ProjectEntropic(x; k, τ) at the point whose projection is y:
//
//	dx = (1/τ)(d ⊙ g − d · (dᵀg)/Σ_j d_j),  d = y ⊙ (1 − y).
//
// (Differentiating y_i = σ((x_i − ν)/τ) with Σ y = k held fixed.) J is
// symmetric, so this is also the Jacobian–vector product. If every d_i is
// 0 (y all 0 or 1) the product is 0. O(n), two passes, no allocation; dx
// may alias g; sums in float64.
//
// It returns an error, leaving dx unchanged, if the lengths differ, τ is not
// finite or is below 2⁻¹⁰²², y holds a value outside [0, 1] (or NaN), or g
// holds a NaN or ±Inf.
func ProjectEntropicVJP[T Float](dx, y, g []T, tau T) error {
	if err := checkVJPArgs(len(dx), len(y), len(g), float64(tau)); err != nil {
		return err
	}
	g, dx = g[:len(y)], dx[:len(y)] // lets the compiler drop bounds checks
	var sumD, sumDG float64
	for i, v := range y {
		if !(v >= 0 && v <= 1) {
			return outsideUnit("y", i, float64(v))
		}
		gi := float64(g[i])
		if gi-gi != 0 {
			return nonFinite("g", i, gi)
		}
		d := float64(v) * (1 - float64(v))
		sumD += d
		sumDG += d * gi
	}
	mean := 0.0
	if sumD > 0 {
		mean = sumDG / sumD
	}
	inv := 1 / float64(tau)
	for i, v := range y {
		d := float64(v) * (1 - float64(v))
		dx[i] = T(d * (float64(g[i]) - mean) * inv)
	}
	return nil
}

// sigmoid returns σ(a) = 1/(1 + e^{−a}) without overflow for any a (±Inf
// included).
func sigmoid(a float64) float64 {
	if a >= 0 {
		return 1 / (1 + math.Exp(-a))
	}
	e := math.Exp(a)
	return e / (1 + e)
}

// entropicMaxTau is the largest τ solveEntropic takes as it is; above it x
// and τ are both scaled by entropicRescale (exact: a power of two), so that
// the bracket's ends x ± τ·|logit(k/n)| cannot overflow.
const (
	entropicMaxTau  = 0x1p960
	entropicRescale = 0x1p-128
)

// entropicSolver finds ν = (ref + rel)/scale with F(ν) = k, where
//
//	F = Σ_i σ(a_i),  a_i = ((scale·x_i − ref) − rel)·invTau,
//
// scale is 1 or entropicRescale (τ above entropicMaxTau), and ref is a
// reference point near the root: a_i is then accurate for the entries near
// the root even when |x| ≫ τ (x_i − ref is exact there by Sterbenz's lemma).
type entropicSolver struct {
	n, k, tau, invTau float64 // tau and invTau in the scaled units
	scale, ref, rel   float64
	xmin, xmax, mean  float64 // of scale·x
}

// newEntropic reads min, max and mean of x in one pass; ok is false if x
// holds a NaN or ±Inf.
func newEntropic[T Float](x []T, k, tau float64) (s entropicSolver, ok bool) {
	s = entropicSolver{n: float64(len(x)), k: k, scale: 1}
	if tau > entropicMaxTau {
		s.scale, tau = entropicRescale, tau*entropicRescale
	}
	s.tau, s.invTau = tau, 1/tau
	lowest, highest := math.Inf(1), math.Inf(-1)
	var sum float64
	var bad uint64
	for _, v := range x {
		f := float64(v)
		bad |= expCarry(f)
		lowest, highest = min(lowest, f), max(highest, f)
		sum += f * s.scale
	}
	if bad>>63 != 0 {
		return s, false
	}
	s.xmin, s.xmax = lowest*s.scale, highest*s.scale
	s.mean = sum / s.n
	if math.IsInf(s.mean, 0) {
		s.mean = 0.5*s.xmin + 0.5*s.xmax
	}
	return s, true
}

// evalEntropic returns F = Σ σ(a_i), G = Σ (1 − σ(a_i)) (computed directly,
// so that it is accurate when F is close to the count) and D = Σ σ(a_i)(1 −
// σ(a_i)) = −τ·dF/drel over the entries x[0], x[stride], x[2·stride], …
func evalEntropic[T Float](x []T, stride int, scale, ref, rel, invTau float64) (F, G, D float64) {
	var f1, g1, d1 float64
	i := 0
	for ; i+stride < len(x); i += 2 * stride {
		a := ((float64(x[i])*scale - ref) - rel) * invTau
		b := ((float64(x[i+stride])*scale - ref) - rel) * invTau
		ea, eb := math.Exp(-math.Abs(a)), math.Exp(-math.Abs(b))
		// For a ≥ 0: σ(a) = 1/(1+e), 1 − σ(a) = e/(1+e), e = e^{−|a|}.
		sa, sb := 1/(1+ea), 1/(1+eb)
		pa, pb := ea*sa, eb*sb
		if a < 0 {
			sa, pa = pa, sa
		}
		if b < 0 {
			sb, pb = pb, sb
		}
		F, G, D = F+sa, G+pa, D+sa*pa
		f1, g1, d1 = f1+sb, g1+pb, d1+sb*pb
	}
	for ; i < len(x); i += stride {
		a := ((float64(x[i])*scale - ref) - rel) * invTau
		e := math.Exp(-math.Abs(a))
		s := 1 / (1 + e)
		p := e * s
		if a < 0 {
			s, p = p, s
		}
		F, G, D = F+s, G+p, D+s*p
	}
	return F + f1, G + g1, D + d1
}

// entropicSample is the length from which the root is first found on a
// strided sample of x (k scaled to it), a close starting point for the
// iteration over all of x.
const entropicSample = 512

// Tolerances of the Newton iterations, as steps relative to τ: the sample's
// root only has to be close; over x the iteration stops after a step this
// small. The derivatives of F are F_ν = −Σ d_i/τ and F_νν = Σ d_i(1 − 2y_i)/τ²,
// so |F_νν/F_ν| ≤ 1/τ and a Newton step δ near the root leaves an error of
// at most δ²/(2τ): 2⁻⁵³·τ after a step of 2⁻²⁶·τ, the root exact to
// rounding without another pass.
const (
	entropicSampleTol = 0x1p-10
	entropicTol       = 0x1p-26
)

// entropicRefine: a root |ν| above entropicRefine·τ (ulp(ν) above 2⁻⁴⁰·τ)
// is refined relative to the entry of x nearest to it.
const entropicRefine = 0x1p12

// solveEntropic sets s.ref and s.rel to the root of F = k for x.
//
// The root lies in [xmin − τL, xmax − τL], L = logit(k/n): there
// F ≥ n·σ(L) = k at the left end and F ≤ k at the right. The iteration
// starts from the root of a strided sample (n ≥ entropicSample) or from
// mean(x) − τL.
func solveEntropic[T Float](s *entropicSolver, x []T) {
	L := math.Log(s.k / (s.n - s.k))
	lo, hi := bracket(s.xmin, s.xmax, s.tau*L)
	start := s.mean - s.tau*L
	if len(x) >= entropicSample {
		stride := len(x) / sampleSize(len(x))
		sub := x[stride/2:]
		count := float64((len(sub) + stride - 1) / stride)
		start = newtonEntropic(s, sub, stride, s.k*count/s.n, count, lo, hi, start, entropicSampleTol)
	}
	start = min(max(start, lo), hi)
	s.rel = newtonEntropic(s, x, 1, s.k, s.n, lo, hi, start, entropicTol)
	if math.Abs(s.rel) > entropicRefine*s.tau {
		s.ref = nearest(x, s.scale, s.rel)
		lo, hi = bracket(s.xmin-s.ref, s.xmax-s.ref, s.tau*L)
		s.rel = newtonEntropic(s, x, 1, s.k, s.n, lo, hi, 0, entropicTol)
	}
}

// bracket returns [lo − tauL, hi − tauL] widened by one ulp each way (so
// that rounding cannot exclude the root) and kept finite.
func bracket(lo, hi, tauL float64) (float64, float64) {
	return finiteOr(math.Nextafter(lo-tauL, math.Inf(-1))), finiteOr(math.Nextafter(hi-tauL, math.Inf(1)))
}

// nearest returns the entry of scale·x nearest to v. Taken as the reference
// point, it makes a_i exact for the entries that set the root: they lie
// within a few τ of it, so closer to the root than any other entry when
// ulp(ν) ≫ τ.
func nearest[T Float](x []T, scale, v float64) float64 {
	best, dist := v, math.Inf(1)
	for _, e := range x {
		f := float64(e) * scale
		if d := math.Abs(f - v); d < dist {
			best, dist = f, d
		}
	}
	return best
}

// finiteOr returns v with ±Inf replaced by ±MaxFloat64.
func finiteOr(v float64) float64 {
	return max(min(v, math.MaxFloat64), -math.MaxFloat64)
}

// newton returns the root rel ∈ [lo, hi] of F(rel) = k over the strided
// entries of x (count of them), starting at rel.
// Each step is Newton's on F, or on log F when F < k/2, or on log(count − F)
// when count − F < (count − k)/2 (these are close to linear far from the
// root, where F itself is flat); a step that leaves the bracket is replaced
// by bisection (arithmetic, then on the floats' bit patterns after
// bisectLinear of them, so that any finite bracket collapses in ≤ 64 more).
// It stops when F = k, a Newton step is below tol·τ, the bracket holds no
// float strictly inside, or (never seen) after maxIter passes.
func newtonEntropic[T Float](s *entropicSolver, x []T, stride int, k, count, lo, hi, rel, tol float64) float64 {
	const bisectLinear, maxIter = 64, 400
	bisections := 0
	for range maxIter {
		F, G, D := evalEntropic(x, stride, s.scale, s.ref, rel, s.invTau)
		switch {
		case F > k:
			lo = rel
		case F < k:
			hi = rel
		default:
			return rel
		}
		var next float64
		switch {
		case F < 0.5*k:
			next = rel + math.Log(F/k)*s.tau*F/D
		case G < 0.5*(count-k):
			next = rel - math.Log(G/(count-k))*s.tau*G/D
		default:
			next = rel + (F-k)*s.tau/D
		}
		if next > lo && next < hi { // false for NaN (D = 0, F = 0)
			step := next - rel
			rel = next
			if math.Abs(step) <= tol*s.tau {
				return rel
			}
			continue
		}
		next = midpoint(lo, hi, bisections >= bisectLinear)
		bisections++
		if !(next > lo && next < hi) {
			return rel
		}
		rel = next
	}
	return rel
}

// midpoint returns a point between lo < hi (finite): the arithmetic mean,
// or with bits the mean of their ordered bit patterns (a bisection on
// those takes at most 64 steps to collapse any bracket).
func midpoint(lo, hi float64, bits bool) float64 {
	if !bits {
		return 0.5*lo + 0.5*hi
	}
	a, b := orderedBits(lo), orderedBits(hi)
	return fromOrderedBits(a/2 + b/2 + (a%2+b%2)/2)
}

// orderedBits maps floats to integers of the same order (−0 and +0 to 0).
func orderedBits(f float64) int64 {
	u := math.Float64bits(f)
	if u>>63 != 0 {
		return -int64(u &^ (1 << 63))
	}
	return int64(u)
}

func fromOrderedBits(o int64) float64 {
	if o < 0 {
		return math.Float64frombits(uint64(-o) | 1<<63)
	}
	return math.Float64frombits(uint64(o))
}

package hypersimplex

import "math"

// samplePivots returns two points p1 ≤ p2 that bracket the root of
// g(ν) = k with high probability: the roots of the same problem on a strided
// sample of x with k scaled to the sample and widened by about 2.5 standard
// deviations of the sampled count each way (estimated from the root for the
// scaled k and the slope of g there when the sample has active entries,
// else solved for both). Any pair of points is correct
// (the search checks g at both); a good pair only makes it fast. w is scratch
// (at least twice the sample size).
func samplePivots[T Float](w []float64, x []T, k, tau float64) (p1, p2 point) {
	n := len(x)
	m := sampleSize(n)
	stride := n / m
	sample := w[:m]
	lowest, highest := math.Inf(1), math.Inf(-1)
	for i := range sample {
		f := float64(x[stride/2+i*stride])
		if f-f != 0 {
			// Leave the error to the full pass.
			return point{s: math.Inf(-1)}, point{s: math.Inf(1)}
		}
		sample[i] = f
		lowest, highest = min(lowest, f), max(highest, f)
	}
	ks := k * float64(m) / float64(n)
	margin := 2.5*math.Sqrt(ks*(1-ks/float64(m))) + 1
	k1, k2 := ks+margin, ks-margin
	work := w[m : 2*m]
	p1 = point{s: math.Inf(-1)}
	p2 = point{s: math.Inf(1)}
	if k1 < float64(m) && k2 > 0 {
		// One solve at ks: near its root ν the sample's g is linear with
		// slope −|A|/τ, so the roots for ks ± margin lie about
		// margin·τ/|A| below and above ν (widened by a quarter, since the
		// slope changes where entries enter or leave A).
		copy(work, sample)
		ref, rel := solveAll(work, ks, tau, lowest, highest)
		if nA := activeCount(sample, ref, rel, tau); nA > 0 {
			d := 1.25 * margin * tau / float64(nA)
			nu := ref + rel
			return point{s: nu - d}, point{s: nu + d}
		}
	}
	if k1 < float64(m) {
		copy(work, sample)
		ref, rel := solveAll(work, k1, tau, lowest, highest)
		p1.s = ref + rel
	}
	if k2 > 0 {
		copy(work, sample)
		var ref, rel float64
		if math.IsInf(p1.s, 0) {
			ref, rel = solveAll(work, k2, tau, lowest, highest)
		} else {
			// The second root lies above the first.
			ref, rel = solveAbove(work, k2, tau, p1, k1, highest)
		}
		p2.s = ref + rel
	}
	if p1.s > p2.s {
		p1, p2 = p2, p1
	}
	return p1, p2
}

// sampleSize is the sample length used for n entries: about 4√n, at least
// 64 and at most n/4. (A larger sample narrows the bracket, so fewer entries
// are left for the search; 4√n balances the two costs at n = 8192.)
func sampleSize(n int) int {
	return min(max(64, 4*int(math.Sqrt(float64(n)))), n/4)
}

// activeCount returns the number of entries v of w with 0 < v − ν < τ for
// ν = ref + rel (computed as (v − ref) − rel, as writeClipped does).
func activeCount(w []float64, ref, rel, tau float64) int {
	n := 0
	for _, v := range w {
		d := (v - ref) - rel
		n += b2i(d > 0) & b2i(d < tau)
	}
	return n
}

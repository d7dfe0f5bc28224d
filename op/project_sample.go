package op

import "math"

// samplePivots returns two points p1 ≤ p2 that bracket the root of
// g(ν) = k with high probability: the roots of the same problem on a strided
// sample of x with k scaled to the sample and widened by about 2.5 standard
// deviations of the sampled count each way. Any pair of points is correct
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
	root := func(kk float64, lo point, gLo float64) float64 {
		work := w[m : 2*m]
		copy(work, sample)
		ref, rel := solveFrom(work, kk, tau, lo, gLo, highest)
		return ref + rel
	}
	// g(lowest − τ) = m: every sampled entry is at 1 there.
	p1 = point{s: math.Inf(-1)}
	p2 = point{s: math.Inf(1)}
	lo, gLo := point{s: lowest, d: 1}, float64(m)
	if k1 := ks + margin; k1 < float64(m) {
		p1.s = root(k1, lo, gLo)
		lo, gLo = p1, k1 // the second root lies above the first
	}
	if k2 := ks - margin; k2 > 0 {
		p2.s = root(k2, lo, gLo)
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

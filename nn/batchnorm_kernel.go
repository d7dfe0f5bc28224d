package nn

import "math"

// Batch-normalisation kernels on plain slices. x has the layout
// (batch n, channels c, spatial s) row-major: element (b, ch, k) is at
// (b·c + ch)·s + k. Every per-channel sum is accumulated in float64. Each
// kernel works on the channels ch ∈ [c0, c1) only, so that channel blocks
// run on different cores (forEachBlock) without sharing anything.

// float is the element type of the kernels.
type float interface{ ~float32 | ~float64 }

// batchMoments sets mean[ch] and variance[ch] to the mean and the biased
// variance (divided by m = n·s) of channel ch, in one pass: the sums of
// d = x − K and d² with K the channel's first value (a shift that keeps
// the difference of the two sums from cancelling when the mean is large
// next to the spread),
//
//	mean = K + Σd/m,   variance = Σd²/m − (Σd/m)².
func batchMoments[T float](x []T, n, c, s int, mean, variance []float64, c0, c1 int) {
	m := float64(n * s)
	for ch := c0; ch < c1; ch++ {
		k := float64(x[ch*s])
		var sum, sq float64
		for b := 0; b < n; b++ {
			s1, s2 := shiftedSums(x[(b*c+ch)*s:(b*c+ch+1)*s], k)
			sum += s1
			sq += s2
		}
		d := sum / m
		mean[ch], variance[ch] = k+d, max(sq/m-d*d, 0)
	}
}

// shiftedSums returns Σ(x − k) and Σ(x − k)² in float64, with four
// partial sums each, so that consecutive additions do not wait for each
// other (one accumulator makes the loop as slow as the adder's latency).
func shiftedSums[T float](x []T, k float64) (sum, sq float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1, d2, d3 := float64(x[i])-k, float64(x[i+1])-k, float64(x[i+2])-k, float64(x[i+3])-k
		s0, s1, s2, s3 = s0+d0, s1+d1, s2+d2, s3+d3
		q0, q1, q2, q3 = q0+d0*d0, q1+d1*d1, q2+d2*d2, q3+d3*d3
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - k
		s0 += d
		q0 += d * d
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// invStdDev sets inv[ch] = 1/√(variance[ch] + eps).
func invStdDev(inv, variance []float64, eps float64) {
	for ch, v := range variance {
		inv[ch] = 1 / math.Sqrt(v+eps)
	}
}

// bnApply sets y = γ·(x − mean)·inv + β per channel, in T: y = a·((x −
// μ₁) − μ₂) + β with a = γ·inv rounded to T once per channel and the mean
// split into μ₁ = T(mean) and the rest μ₂ = T(mean − μ₁). x − μ₁ is exact
// for x near the mean, so the float32 result stays within a few ulps of
// y's scale however large the mean is next to the spread, where a·x +
// (β − μ·a), or x − T(mean) alone, would lose up to an ulp of the mean.
func bnApply[T float](y, x, gamma, beta []T, n, c, s int, mean, inv []float64, c0, c1 int) {
	for b := 0; b < n; b++ {
		for ch := c0; ch < c1; ch++ {
			a, be := T(float64(gamma[ch])*inv[ch]), beta[ch]
			mu1, mu2 := splitMean[T](mean[ch])
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			ys, xs := y[lo:hi], x[lo:hi]
			for k, v := range xs {
				ys[k] = a*((v-mu1)-mu2) + be
			}
		}
	}
}

// splitMean returns μ₁ = T(mean) and μ₂ = T(mean − μ₁), so that μ₁ + μ₂
// carries the mean to about twice T's precision.
func splitMean[T float](mean float64) (mu1, mu2 T) {
	mu1 = T(mean)
	return mu1, T(mean - float64(mu1))
}

// bnSums sets, per channel, sumG = Σ g and sumGX = Σ g·x̂ with
// x̂ = (x − mean)·inv: the gradients dβ and dγ of y = γ·x̂ + β.
func bnSums[T float](x, g []T, n, c, s int, mean, inv, sumG, sumGX []float64, c0, c1 int) {
	for ch := c0; ch < c1; ch++ {
		sg, sgx := 0.0, 0.0
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			s1, s2 := gradSums(x[lo:hi], g[lo:hi], mean[ch])
			sg += s1
			sgx += s2
		}
		sumG[ch], sumGX[ch] = sg, sgx*inv[ch]
	}
}

// gradSums returns Σ g and Σ g·(x − mu) in float64 (len(x) ≥ len(g)),
// with four partial sums each as shiftedSums.
func gradSums[T float](x, g []T, mu float64) (sg, sgx float64) {
	x = x[:len(g)]
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	for ; i+4 <= len(g); i += 4 {
		g0, g1, g2, g3 := float64(g[i]), float64(g[i+1]), float64(g[i+2]), float64(g[i+3])
		s0, s1, s2, s3 = s0+g0, s1+g1, s2+g2, s3+g3
		q0 += g0 * (float64(x[i]) - mu)
		q1 += g1 * (float64(x[i+1]) - mu)
		q2 += g2 * (float64(x[i+2]) - mu)
		q3 += g3 * (float64(x[i+3]) - mu)
	}
	for ; i < len(g); i++ {
		s0 += float64(g[i])
		q0 += float64(g[i]) * (float64(x[i]) - mu)
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// bnDx sets the gradient of x, given bnSums' sums. With m = n·s entries
// per channel:
//
//	dx = γ·inv·(g − dβ/m − x̂·dγ/m)   if the statistics are the batch's own
//	                                  (they depend on x: training mode),
//	dx = γ·inv·g                      if they are fixed (evaluation mode).
func bnDx[T float](dx, x, gamma, g []T, n, c, s int, mean, inv, sumG, sumGX []float64, batchStats bool, c0, c1 int) {
	m := float64(n * s)
	for ch := c0; ch < c1; ch++ {
		scale := float64(gamma[ch]) * inv[ch]
		meanG, meanGX := 0.0, 0.0
		if batchStats {
			meanG, meanGX = sumG[ch]/m, sumGX[ch]/m
		}
		// dx = a·g + b·(x − μ) + d with the per-channel constants below,
		// rounded to T once per channel (x centred first, as in bnApply).
		a := T(scale)
		mu1, mu2 := splitMean[T](mean[ch])
		bx := T(-scale * meanGX * inv[ch])
		d := T(-scale * meanG)
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			xs, gs, ds := x[lo:hi], g[lo:hi], dx[lo:hi]
			xs, gs = xs[:len(ds)], gs[:len(ds)]
			for k := range ds {
				ds[k] = a*gs[k] + bx*((xs[k]-mu1)-mu2) + d
			}
		}
	}
}

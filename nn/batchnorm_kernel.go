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
// variance (divided by m = n·s) of channel ch (two passes).
func batchMoments[T float](x []T, n, c, s int, mean, variance []float64, c0, c1 int) {
	m := float64(n * s)
	for ch := c0; ch < c1; ch++ {
		sum := 0.0
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*s : (b*c+ch+1)*s] {
				sum += float64(v)
			}
		}
		mu := sum / m
		sq := 0.0
		for b := 0; b < n; b++ {
			for _, v := range x[(b*c+ch)*s : (b*c+ch+1)*s] {
				d := float64(v) - mu
				sq += d * d
			}
		}
		mean[ch], variance[ch] = mu, sq/m
	}
}

// invStdDev sets inv[ch] = 1/√(variance[ch] + eps).
func invStdDev(inv, variance []float64, eps float64) {
	for ch, v := range variance {
		inv[ch] = 1 / math.Sqrt(v+eps)
	}
}

// bnApply sets y = γ·(x − mean)·inv + β per channel.
func bnApply[T float](y, x, gamma, beta []T, n, c, s int, mean, inv []float64, c0, c1 int) {
	for b := 0; b < n; b++ {
		for ch := c0; ch < c1; ch++ {
			scale := float64(gamma[ch]) * inv[ch]
			shift := float64(beta[ch]) - mean[ch]*scale
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			for k := lo; k < hi; k++ {
				y[k] = T(float64(x[k])*scale + shift)
			}
		}
	}
}

// bnGrads computes the gradients of y = γ·x̂ + β, x̂ = (x − mean)·inv, given
// the upstream gradient g. Any of dx, dgamma, dbeta may be nil (not
// wanted). With m = n·s entries per channel:
//
//	dβ = Σ g,   dγ = Σ g·x̂,
//	dx = γ·inv·(g − dβ/m − x̂·dγ/m)   if the statistics are the batch's own
//	                                  (they depend on x: training mode),
//	dx = γ·inv·g                      if they are fixed (evaluation mode).
func bnGrads[T float](dx, dgamma, dbeta, x, gamma, g []T, n, c, s int, mean, inv []float64, batchStats bool, c0, c1 int) {
	m := float64(n * s)
	for ch := c0; ch < c1; ch++ {
		sumG, sumGX := 0.0, 0.0
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			for k := lo; k < hi; k++ {
				gk := float64(g[k])
				sumG += gk
				sumGX += gk * (float64(x[k]) - mean[ch]) * inv[ch]
			}
		}
		if dgamma != nil {
			dgamma[ch] = T(sumGX)
		}
		if dbeta != nil {
			dbeta[ch] = T(sumG)
		}
		if dx == nil {
			continue
		}
		scale := float64(gamma[ch]) * inv[ch]
		meanG, meanGX := 0.0, 0.0
		if batchStats {
			meanG, meanGX = sumG/m, sumGX/m
		}
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			for k := lo; k < hi; k++ {
				xhat := (float64(x[k]) - mean[ch]) * inv[ch]
				dx[k] = T(scale * (float64(g[k]) - meanG - xhat*meanGX))
			}
		}
	}
}

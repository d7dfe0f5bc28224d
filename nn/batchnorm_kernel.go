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

// bnSums sets, per channel, sumG = Σ g and sumGX = Σ g·x̂ with
// x̂ = (x − mean)·inv: the gradients dβ and dγ of y = γ·x̂ + β.
func bnSums[T float](x, g []T, n, c, s int, mean, inv, sumG, sumGX []float64, c0, c1 int) {
	for ch := c0; ch < c1; ch++ {
		sg, sgx := 0.0, 0.0
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			xs, gs := x[lo:hi], g[lo:hi]
			for k, gv := range gs {
				gk := float64(gv)
				sg += gk
				sgx += gk * (float64(xs[k]) - mean[ch])
			}
		}
		sumG[ch], sumGX[ch] = sg, sgx*inv[ch]
	}
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
		// dx = a·g + b·x + d with the per-channel constants below.
		a := scale
		bx := -scale * meanGX * inv[ch]
		d := -scale*meanG + scale*meanGX*inv[ch]*mean[ch]
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			xs, gs, ds := x[lo:hi], g[lo:hi], dx[lo:hi]
			for k := range ds {
				ds[k] = T(a*float64(gs[k]) + bx*float64(xs[k]) + d)
			}
		}
	}
}

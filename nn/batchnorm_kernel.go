package nn

import (
	"math"
	"unsafe"
)

// Batch-normalisation kernels on plain slices. x has the layout
// (batch n, channels c, spatial s) row-major: element (b, ch, k) is at
// (b·c + ch)·s + k. Every per-channel sum is accumulated in float64. Each
// kernel works on the channels ch ∈ [c0, c1) only, so that channel blocks
// run on different cores (forEachBlock) without sharing anything.
//
// The float32 row loops have vector versions (batchnorm_simd_amd64.go,
// GOEXPERIMENT=simd on amd64 with AVX2) that do whole blocks of 8 entries
// and return how many they did; the loops here finish the rest. They
// compute every float32 entry with the same operations in the same order,
// so the two give the same y and ∂L/∂x; only the order of the float64 sums
// differs.

// float is the element type of the kernels.
type float interface{ ~float32 | ~float64 }

// bnRun is what the kernels of one run of a batch-norm layer share: the
// layout, the per-channel mean and 1/√(σ² + ε) that x is normalised by,
// the gradient sums Σg and Σg·x̂ (filled by bnSums), and whether a ReLU
// follows the normalisation (BatchNormReLU).
type bnRun struct {
	n, c, s     int
	mean, inv   []float64
	sumG, sumGX []float64
	relu        bool
}

// bnChannel is one channel's normalisation in T,
//
//	z = a·((x − μ₁) − μ₂) + β,   a = T(γ·inv),
//
// with the mean split into μ₁ = T(mean) and the rest μ₂ = T(mean − μ₁).
// x − μ₁ is exact for x near the mean, so the float32 z stays within a few
// ulps of its scale however large the mean is next to the spread, where
// a·x + (β − μ·a), or x − T(mean) alone, would lose up to an ulp of the
// mean.
type bnChannel[T float] struct{ a, mu1, mu2, beta T }

// channel returns channel ch's normalisation.
func channel[T float](r *bnRun, gamma, beta []T, ch int) bnChannel[T] {
	mu1 := T(r.mean[ch])
	return bnChannel[T]{a: T(float64(gamma[ch]) * r.inv[ch]), mu1: mu1, mu2: T(r.mean[ch] - float64(mu1)), beta: beta[ch]}
}

// z returns the normalised v. The conversion rounds the product before
// the sum, so that no compiler fuses them: the forward pass and the
// gradient's ReLU mask compute bit-identical z.
func (p bnChannel[T]) z(v T) T { return T(p.a*((v-p.mu1)-p.mu2)) + p.beta }

// batchMoments sets r.mean[ch] and variance[ch] to the mean and the biased
// variance (divided by m = n·s) of channel ch, in one pass: the sums of
// d = x − K and d² with K the channel's first value (a shift that keeps
// the difference of the two sums from cancelling when the mean is large
// next to the spread),
//
//	mean = K + Σd/m,   variance = Σd²/m − (Σd/m)².
func batchMoments[T float](r *bnRun, x []T, variance []float64, c0, c1 int) {
	n, c, s := r.n, r.c, r.s
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
		r.mean[ch], variance[ch] = k+d, max(sq/m-d*d, 0)
	}
}

// shiftedSums returns Σ(x − k) and Σ(x − k)² in float64, with four
// partial sums each, so that consecutive additions do not wait for each
// other (one accumulator makes the loop as slow as the adder's latency).
func shiftedSums[T float](x []T, k float64) (sum, sq float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	if x32, ok := asFloat32(x); ok {
		s0, q0, i = shiftedSums32(x32, k)
	}
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

// bnApply sets y = z (bnChannel) per channel, or y = max(z, 0) when a
// ReLU follows.
func bnApply[T float](r *bnRun, y, x, gamma, beta []T, c0, c1 int) {
	for b := 0; b < r.n; b++ {
		for ch := c0; ch < c1; ch++ {
			lo, hi := (b*r.c+ch)*r.s, (b*r.c+ch+1)*r.s
			applyRow(y[lo:hi], x[lo:hi], channel(r, gamma, beta, ch), r.relu)
		}
	}
}

// applyRow sets ys = z(xs), or max(z(xs), 0) with relu (a NaN z stays
// NaN, as with ReLU). len(xs) ≥ len(ys).
func applyRow[T float](ys, xs []T, p bnChannel[T], relu bool) {
	i := 0
	if y32, ok := asFloat32(ys); ok {
		x32, _ := asFloat32(xs)
		i = applyRow32(y32, x32, p.f32(), relu)
	}
	xs = xs[:len(ys)]
	if relu {
		for ; i < len(ys); i++ {
			ys[i] = max(p.z(xs[i]), 0)
		}
		return
	}
	for ; i < len(ys); i++ {
		ys[i] = p.z(xs[i])
	}
}

// bnSums sets, per channel, sumG = Σ g and sumGX = Σ g·x̂ with
// x̂ = (x − mean)·inv: the gradients dβ and dγ of y = γ·x̂ + β. With a
// ReLU after the normalisation, g is first masked to g·1[z > 0], the
// gradient of z.
func bnSums[T float](r *bnRun, x, g, gamma, beta []T, c0, c1 int) {
	n, c, s := r.n, r.c, r.s
	for ch := c0; ch < c1; ch++ {
		p := channel(r, gamma, beta, ch)
		sg, sgx := 0.0, 0.0
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			s1, s2 := gradSums(x[lo:hi], g[lo:hi], r.mean[ch], p, r.relu)
			sg += s1
			sgx += s2
		}
		r.sumG[ch], r.sumGX[ch] = sg, sgx*r.inv[ch]
	}
}

// gradSums returns Σ g and Σ g·(x − mu) in float64 (len(x) ≥ len(g)), with
// four partial sums each as shiftedSums; with relu, g·1[p.z(x) > 0] takes
// g's place (a product, so that a NaN g is not hidden, as in ReLU).
func gradSums[T float](x, g []T, mu float64, p bnChannel[T], relu bool) (sg, sgx float64) {
	x = x[:len(g)]
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	i := 0
	if g32, ok := asFloat32(g); ok {
		x32, _ := asFloat32(x)
		s0, q0, i = gradSums32(x32, g32, mu, p.f32(), relu)
	}
	for ; i+4 <= len(g); i += 4 {
		g0, g1, g2, g3 := g[i], g[i+1], g[i+2], g[i+3]
		if relu {
			g0 *= indicator[T](p.z(x[i]) > 0)
			g1 *= indicator[T](p.z(x[i+1]) > 0)
			g2 *= indicator[T](p.z(x[i+2]) > 0)
			g3 *= indicator[T](p.z(x[i+3]) > 0)
		}
		s0, s1, s2, s3 = s0+float64(g0), s1+float64(g1), s2+float64(g2), s3+float64(g3)
		q0 += float64(g0) * (float64(x[i]) - mu)
		q1 += float64(g1) * (float64(x[i+1]) - mu)
		q2 += float64(g2) * (float64(x[i+2]) - mu)
		q3 += float64(g3) * (float64(x[i+3]) - mu)
	}
	for ; i < len(g); i++ {
		gi := g[i]
		if relu {
			gi *= indicator[T](p.z(x[i]) > 0)
		}
		s0 += float64(gi)
		q0 += float64(gi) * (float64(x[i]) - mu)
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// bnDx sets the gradient of x, given bnSums' sums. With m = n·s entries
// per channel and g masked as in bnSums when a ReLU follows:
//
//	dx = γ·inv·(g − dβ/m − x̂·dγ/m)   if the statistics are the batch's own
//	                                  (they depend on x: training mode),
//	dx = γ·inv·g                      if they are fixed (evaluation mode).
func bnDx[T float](r *bnRun, dx, x, g, gamma, beta []T, batchStats bool, c0, c1 int) {
	n, c, s := r.n, r.c, r.s
	m := float64(n * s)
	for ch := c0; ch < c1; ch++ {
		scale := float64(gamma[ch]) * r.inv[ch]
		meanG, meanGX := 0.0, 0.0
		if batchStats {
			meanG, meanGX = r.sumG[ch]/m, r.sumGX[ch]/m
		}
		// dx = a·g + bx·(x − μ) + d with the per-channel constants below,
		// rounded to T once per channel (x centred first, as in z).
		k := dxConsts[T]{p: channel(r, gamma, beta, ch), bx: T(-scale * meanGX * r.inv[ch]), d: T(-scale * meanG)}
		for b := 0; b < n; b++ {
			lo, hi := (b*c+ch)*s, (b*c+ch+1)*s
			dxRow(dx[lo:hi], x[lo:hi], g[lo:hi], k, r.relu)
		}
	}
}

// dxConsts are one channel's constants of bnDx.
type dxConsts[T float] struct {
	p     bnChannel[T]
	bx, d T
}

// dxRow sets ds = a·g + bx·((x − μ₁) − μ₂) + d, with g masked by
// 1[z(x) > 0] when relu, each product rounded to T before the sums (so
// that no build fuses them, GOAMD64=v3 included). len(xs), len(gs) ≥
// len(ds).
func dxRow[T float](ds, xs, gs []T, k dxConsts[T], relu bool) {
	i := 0
	if d32, ok := asFloat32(ds); ok {
		x32, _ := asFloat32(xs)
		g32, _ := asFloat32(gs)
		i = dxRow32(d32, x32, g32, k.p.f32(), float32(k.bx), float32(k.d), relu)
	}
	xs, gs = xs[:len(ds)], gs[:len(ds)]
	p := k.p
	for ; i < len(ds); i++ {
		gi := gs[i]
		if relu {
			gi *= indicator[T](p.z(xs[i]) > 0)
		}
		ds[i] = T(p.a*gi) + T(k.bx*((xs[i]-p.mu1)-p.mu2)) + k.d
	}
}

// f32 returns p as a bnChannel[float32] for the vector loops (only called
// when T is float32, or a type defined on it).
func (p bnChannel[T]) f32() bnChannel[float32] {
	return bnChannel[float32]{float32(p.a), float32(p.mu1), float32(p.mu2), float32(p.beta)}
}

// asFloat32 returns s as a []float32 when T is float32 (or a type defined
// on it), without copying; ok is false for float64.
func asFloat32[T float](s []T) (v []float32, ok bool) {
	var zero T
	if unsafe.Sizeof(zero) != 4 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
}

package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkBatchNormKernels times the batch-norm kernels on one layer of
// the CNN at batch 128 (128 × 64 × 14 × 14, float32) on one core.
func BenchmarkBatchNormKernels(b *testing.B) {
	const n, c, s = 128, 64, 14 * 14
	rng := rand.New(rand.NewPCG(7, 8))
	x, g, y := make([]float32, n*c*s), make([]float32, n*c*s), make([]float32, n*c*s)
	for i := range x {
		x[i], g[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	gamma, beta := make([]float32, c), make([]float32, c)
	mean, variance, inv := make([]float64, c), make([]float64, c), make([]float64, c)
	sumG, sumGX := make([]float64, c), make([]float64, c)
	b.Run("moments", func(b *testing.B) {
		for b.Loop() {
			batchMoments(x, n, c, s, mean, variance, 0, c)
		}
	})
	b.Run("apply", func(b *testing.B) {
		for b.Loop() {
			bnApply(y, x, gamma, beta, n, c, s, mean, inv, 0, c)
		}
	})
	b.Run("sums", func(b *testing.B) {
		for b.Loop() {
			bnSums(x, g, n, c, s, mean, inv, sumG, sumGX, 0, c)
		}
	})
	b.Run("dx", func(b *testing.B) {
		for b.Loop() {
			bnDx(y, x, gamma, g, n, c, s, mean, inv, sumG, sumGX, true, 0, c)
		}
	})
}

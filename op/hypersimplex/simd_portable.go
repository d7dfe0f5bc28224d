//go:build !(goexperiment.simd && amd64)

package hypersimplex

// useSIMD reports whether the vectorised float32 loops run: never here.
const useSIMD = false

func activeSum32(y, g []float32) (sum float64, nA, done int) { return 0, 0, 0 }

func writeVJP32(dx, y, g []float32, mean, inv float64) (done int) { return 0 }

func writeClipped32(y, x []float32, ref, rel, invTau float64) (done int) { return 0 }

func bracketPass32(w []float64, x []float32, p1, p2, tau float64) (m, nU, nA int, sumA float64, done int) {
	return 0, 0, 0, 0, 0
}

func clipSum2x64(w []float64, p, q point, invTau float64) (sp, sq float64, done int) { return 0, 0, 0 }

func partition64(dst, w []float64, ls, hs, tL, tLA, tU, tHA, ref float64) (j, nU, nA int, sumA float64, done int) {
	return 0, 0, 0, 0, 0
}

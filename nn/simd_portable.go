//go:build !(goexperiment.simd && amd64)

package nn

// useSIMD reports whether the vectorised float32 loops run: never here.
const useSIMD = false

func shiftedSums32(x []float32, k float64) (sum, sq float64, done int) { return 0, 0, 0 }

func gradSums32(x, g []float32, mu float64, p bnChannel[float32], relu bool) (sg, sgx float64, done int) {
	return 0, 0, 0
}

func applyRow32(y, x []float32, p bnChannel[float32], relu bool) (done int) { return 0 }

func dxRow32(dx, x, g []float32, p bnChannel[float32], bx, d float32, relu bool) (done int) { return 0 }

func wgTransform32(v []float32, stride int, e, o []float32, ld, th, tw int) bool { return false }

func wgOutput32(dst []float32, h, w int, m []float32, stride int, s []float32, ld, th, tw int) bool {
	return false
}

func wgGradRows32(d []float32, stride int, s []float32, ld, tw int) bool { return false }

func wgSplitRow32(e, o, src []float32) (done int) { return 0 }

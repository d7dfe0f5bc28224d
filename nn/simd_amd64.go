//go:build goexperiment.simd && amd64

package nn

import "simd/archsimd"

// The float32 kernels' vector loops (batch norm, the Winograd transforms)
// are in *_simd_amd64.go, built with GOEXPERIMENT=simd on amd64 and used
// when the CPU has AVX2; every other build runs the portable loops
// (simd_portable.go holds the stubs).

// useSIMD reports whether the vectorised float32 loops run: with AVX2.
// Each loop ends with VZEROUPPER (ClearAVXUpperBits), so that the scalar
// SSE code after it does not pay for dirty upper halves.
var useSIMD = archsimd.X86.AVX2()

// horizontal returns the sum of v's four lanes.
func horizontal(v archsimd.Float64x4) float64 {
	var s [4]float64
	v.Store(&s)
	return (s[0] + s[1]) + (s[2] + s[3])
}

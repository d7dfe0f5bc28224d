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

// load8 loads s[:min(8, len(s))] into the low lanes (zeros above).
func load8(s []float32) archsimd.Float32x8 {
	if len(s) >= 8 {
		return archsimd.LoadFloat32x8Slice(s)
	}
	return archsimd.LoadFloat32x8SlicePart(s)
}

// store8 stores the low min(8, len(s)) lanes of v into s.
func store8(v archsimd.Float32x8, s []float32) {
	if len(s) >= 8 {
		v.StoreSlice(s)
		return
	}
	v.StoreSlicePart(s)
}

package hypersimplex

import "unsafe"

// The float32 kernels have vectorised inner loops (simd_amd64.go, built
// with GOEXPERIMENT=simd on amd64 and used when the CPU has AVX2); every
// other build and type runs the portable loops (simd_portable.go holds the
// stubs). The vector loops handle a prefix of whole blocks of 8 entries and
// return how many they did; the portable loop finishes the rest. They do
// the same float64 arithmetic per entry as the portable loops; only the
// order of the float64 sums differs.

// asFloat64 returns s as a []float64 when T is float64 (or a type defined
// on it), without copying; ok is false for float32.
func asFloat64[T Float](s []T) (v []float64, ok bool) {
	var zero T
	if unsafe.Sizeof(zero) != 8 {
		return nil, false
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
}

// asFloat32 returns s as a []float32 when T is float32 (or a type defined
// on it), without copying; ok is false for float64.
func asFloat32[T Float](s []T) (v []float32, ok bool) {
	var zero T
	if unsafe.Sizeof(zero) != 4 {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)), true
}

package hypersimplex

import (
	"math"
)

// ProjectVJP sets dx = Jᵀg, the vector–Jacobian product of x ↦ Project(x; k, τ)
// at the point whose projection is y:
//
//	dx_i = (g_i − mean_{j∈A} g_j) / τ  for i ∈ A = {i : 0 < y_i < 1},
//	dx_i = 0                           otherwise.
//
// A is read from y as stored in T: an entry exactly 0 or 1 is clipped and
// gets no gradient. J is symmetric, so this is also the Jacobian–vector
// product. O(n), no allocation; dx may alias g.
//
// It returns an error, leaving dx unchanged, if the lengths differ, τ is not
// finite or is below 2⁻¹⁰²² (the smallest normal float64), y holds a value outside [0, 1] (or NaN),
// or g holds a NaN or ±Inf.
func ProjectVJP[T Float](dx, y, g []T, tau T) error {
	if err := checkVJPArgs(len(dx), len(y), len(g), float64(tau)); err != nil {
		return err
	}
	g, dx = g[:len(y)], dx[:len(y)] // lets the compiler drop bounds checks
	var sum float64
	nA, done := 0, 0
	y32, vec := asFloat32(y)
	g32, _ := asFloat32(g)
	dx32, _ := asFloat32(dx)
	if vec {
		sum, nA, done = activeSum32(y32, g32)
	}
	// Branch-free over the active set, whose membership is unpredictable.
	for i := done; i < len(y); i++ {
		v := y[i]
		if !(v >= 0 && v <= 1) {
			return outsideUnit("y", i, float64(v))
		}
		gi := float64(g[i])
		if gi-gi != 0 {
			return nonFinite("g", i, gi)
		}
		a := b2i(v > 0) & b2i(v < 1)
		nA += a
		sum += math.Float64frombits(math.Float64bits(gi) & -uint64(a))
	}
	mean := 0.0
	if nA > 0 {
		mean = sum / float64(nA)
	}
	inv := 1 / float64(tau)
	if vec {
		done = writeVJP32(dx32, y32, g32, mean, inv)
	}
	for i := done; i < len(y); i++ {
		v := y[i]
		a := b2i(v > 0) & b2i(v < 1)
		d := (float64(g[i]) - mean) * inv
		dx[i] = T(math.Float64frombits(math.Float64bits(d) & -uint64(a)))
	}
	return nil
}

package hypersimplex_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Finite-difference settings of the VJP tests.
const (
	fdStep64 = 1e-6 // central-difference step, float64
	fdTol64  = 1e-6 // relative tolerance of ⟨Jᵀg, v⟩ against the difference
	fdStep32 = 1e-2 // float32: a larger step, since y is rounded to 2⁻²⁴
	fdTol32  = 2e-2
)

// activeSet returns the indices with 0 < y_i < 1, as ProjectVJP reads them.
func activeSet[T hypersimplex.Float](y []T) []bool {
	a := make([]bool, len(y))
	for i, v := range y {
		a[i] = v > 0 && v < 1
	}
	return a
}

func sameActiveSet(a, b []bool) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkVJPByFiniteDifferences compares ⟨ProjectVJP(g), v⟩ with the central
// difference of ⟨g, Project(x + h v)⟩ at points where no kink lies within
// ±h (the map is linear there, so the difference is exact up to rounding).
func checkVJPByFiniteDifferences[T hypersimplex.Float](t *testing.T, step, tol float64) {
	r := rand.New(rand.NewPCG(11, 12))
	checked := 0
	for trial := 0; trial < 400 && checked < 100; trial++ {
		n := 1 + r.IntN(60)
		k := T(r.Float64() * float64(n))
		tau := T(taus[trial%len(taus)])
		x, g, v := make([]T, n), make([]T, n), make([]T, n)
		for i := range x {
			x[i] = T(2 * r.NormFloat64())
			g[i] = T(r.NormFloat64())
			v[i] = T(r.NormFloat64())
		}
		y := make([]T, n)
		if err := hypersimplex.Project(y, x, k, tau); err != nil {
			t.Fatal(err)
		}
		inner := func(s float64) (float64, []bool) {
			xs := make([]T, n)
			for i := range xs {
				xs[i] = x[i] + T(s)*v[i]
			}
			ys := make([]T, n)
			if err := hypersimplex.Project(ys, xs, k, tau); err != nil {
				t.Fatal(err)
			}
			var d float64
			for i := range ys {
				d += float64(g[i]) * float64(ys[i])
			}
			return d, activeSet(ys)
		}
		plus, aPlus := inner(step)
		minus, aMinus := inner(-step)
		a := activeSet(y)
		if !sameActiveSet(a, aPlus) || !sameActiveSet(a, aMinus) {
			continue // a kink within ±h: the map is not linear there
		}
		fd := (plus - minus) / (2 * step)
		dx := make([]T, n)
		if err := hypersimplex.ProjectVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		var got, scale float64
		for i := range dx {
			got += float64(dx[i]) * float64(v[i])
			scale += math.Abs(float64(dx[i]) * float64(v[i]))
		}
		if math.Abs(got-fd) > tol*max(1, scale) {
			t.Fatalf("n=%d k=%v tau=%v: ⟨Jᵀg, v⟩ = %v, finite difference %v", n, k, tau, got, fd)
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d points away from kinks", checked)
	}
}

func TestProjectVJPFiniteDifferences64(t *testing.T) {
	checkVJPByFiniteDifferences[float64](t, fdStep64, fdTol64)
}

func TestProjectVJPFiniteDifferences32(t *testing.T) {
	checkVJPByFiniteDifferences[float32](t, fdStep32, fdTol32)
}

// TestProjectVJPTiedClipped is the case the reference implementation gets
// wrong (notes/peers.md): tied inputs clipped to 1 have derivative 0.
func TestProjectVJPTiedClipped(t *testing.T) {
	x := []float64{5, 5, 0, 0}
	y := make([]float64, 4)
	if err := hypersimplex.Project(y, x, 2, 1); err != nil {
		t.Fatal(err)
	}
	dx := make([]float64, 4)
	if err := hypersimplex.ProjectVJP(dx, y, []float64{1, 2, 3, 4}, 1); err != nil {
		t.Fatal(err)
	}
	for _, d := range dx {
		if d != 0 {
			t.Fatalf("dx = %v, want 0 (y = %v)", dx, y)
		}
	}
}

// TestProjectVJPStructure checks the closed form: zero off the active set,
// zero sum on it, g/τ minus the active mean, and that dx may alias g.
func TestProjectVJPStructure(t *testing.T) {
	const tol = 1e-12
	r := rand.New(rand.NewPCG(13, 14))
	for trial := range 200 {
		n := 1 + r.IntN(40)
		y, g := randomYG(r, n, 3)
		tau := taus[trial%len(taus)]
		dx := make([]float64, n)
		if err := hypersimplex.ProjectVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		var mean, sum float64
		nA := 0
		for i := range y {
			if y[i] > 0 && y[i] < 1 {
				mean += g[i]
				nA++
			}
		}
		if nA > 0 {
			mean /= float64(nA)
		}
		for i := range y {
			want := 0.0
			if y[i] > 0 && y[i] < 1 {
				want = (g[i] - mean) / tau
			}
			if math.Abs(dx[i]-want) > tol {
				t.Fatalf("dx[%d] = %v, want %v", i, dx[i], want)
			}
			sum += dx[i]
		}
		if math.Abs(sum) > tol*float64(n) {
			t.Fatalf("Σ dx = %v, want 0", sum)
		}
		checkAliasedVJP(t, hypersimplex.ProjectVJP[float64], dx, y, g, tau)
	}
}

// randomYG returns an output y of a projection (entries in [0, 1], each 0
// or 1 with probability 1/kinds, else uniform) and a Gaussian cotangent g,
// both of length n: the inputs of the VJP kernels.
func randomYG(r *rand.Rand, n, kinds int) (y, g []float64) {
	y, g = make([]float64, n), make([]float64, n)
	for i := range y {
		switch r.IntN(kinds) {
		case 0:
			y[i] = 0
		case 1:
			y[i] = 1
		default:
			y[i] = r.Float64()
		}
		g[i] = r.NormFloat64()
	}
	return y, g
}

// checkAliasedVJP checks that vjp(g, y, g, τ), with dx aliasing g, gives
// dx, its result in a separate slice.
func checkAliasedVJP(t *testing.T, vjp func(dx, y, g []float64, tau float64) error, dx, y, g []float64, tau float64) {
	t.Helper()
	alias := append([]float64(nil), g...)
	if err := vjp(alias, y, alias, tau); err != nil {
		t.Fatal(err)
	}
	for i := range alias {
		if alias[i] != dx[i] {
			t.Fatalf("aliased dx[%d] = %v, want %v", i, alias[i], dx[i])
		}
	}
}

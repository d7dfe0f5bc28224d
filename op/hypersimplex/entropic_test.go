package hypersimplex_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Tolerances of the entropic kernel tests.
const (
	entTol64   = 1e-10 // float64 output vs bisectEntropic, per entry
	entTol32   = 1e-6  // float32 output vs bisectEntropic
	entFeas64  = 1e-10 // |Σ y − k| / max(1, k), float64 (ν exact to rounding)
	entFeas32  = 1e-5  // the same for float32 (y rounded to 2⁻²⁴ each)
	entFDStep  = 1e-5  // central-difference step, float64
	entFDTol   = 1e-7  // relative tolerance of ⟨Jᵀg, v⟩ against the difference
	entFDStep3 = 1e-2  // float32
	entFDTol3  = 2e-2
)

// bisectEntropic is the independent oracle: y_i = σ(z_i − t), z = x/τ, with t
// found by 4000 bisection steps on Σ σ(z_i − t) = k (no Newton, no
// reference point, no sample).
func bisectEntropic(x []float64, k, tau float64) []float64 {
	z := make([]float64, len(x))
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range x {
		z[i] = v / tau
		lo, hi = min(lo, z[i]), max(hi, z[i])
	}
	L := math.Log(k / (float64(len(x)) - k))
	lo, hi = lo-L-1, hi-L+1
	sum := func(t float64) float64 {
		s := 0.0
		for _, v := range z {
			s += 1 / (1 + math.Exp(t-v))
		}
		return s
	}
	for range 4000 {
		mid := 0.5*lo + 0.5*hi
		if mid <= lo || mid >= hi {
			break
		}
		if sum(mid) > k {
			lo = mid
		} else {
			hi = mid
		}
	}
	y := make([]float64, len(x))
	t := 0.5*lo + 0.5*hi
	for i, v := range z {
		y[i] = 1 / (1 + math.Exp(t-v))
	}
	return y
}

// randomInsideK returns a k strictly inside (0, n): integer or fractional.
func randomInsideK(r *rand.Rand, n int) float64 {
	if n > 2 && r.IntN(2) == 0 {
		return float64(1 + r.IntN(n-1))
	}
	for {
		if k := r.Float64() * float64(n); k > 0 {
			return k
		}
	}
}

func entropicSizes() []int {
	if testing.Short() {
		return []int{2, 3, 10, 100, 511, 512, 1000, 10000}
	}
	return []int{2, 3, 10, 100, 511, 512, 1000, 4097, 100000}
}

func TestProjectEntropicAgainstBisection(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range entropicSizes() {
		for g := range numGen {
			if g == genHuge {
				continue // x/τ at 1e30 leaves the oracle no digits (see TestProjectEntropicHuge)
			}
			for trial := range 3 {
				x := randomInput(r, g, n)
				k := randomInsideK(r, n)
				tau := taus[trial%len(taus)]
				want := bisectEntropic(x, k, tau)
				got := make([]float64, n)
				if err := hypersimplex.ProjectEntropic(got, x, k, tau); err != nil {
					t.Fatalf("n=%d %v: %v", n, g, err)
				}
				x32, got32 := make([]float32, n), make([]float32, n)
				for i, v := range x {
					x32[i] = float32(v)
				}
				if err := hypersimplex.ProjectEntropic(got32, x32, float32(k), float32(tau)); err != nil {
					t.Fatalf("float32 n=%d %v: %v", n, g, err)
				}
				want32 := bisectEntropic(toFloat64(x32), float64(float32(k)), float64(float32(tau)))
				for i := range got {
					if math.Abs(got[i]-want[i]) > entTol64 {
						t.Fatalf("n=%d %v k=%v tau=%v: y[%d] = %v, want %v", n, g, k, tau, i, got[i], want[i])
					}
					if math.Abs(float64(got32[i])-want32[i]) > entTol32 {
						t.Fatalf("float32 n=%d %v k=%v tau=%v: y[%d] = %v, want %v", n, g, k, tau, i, got32[i], want32[i])
					}
				}
				checkFeasible(t, got, k, entFeas64)
				checkFeasible(t, got32, float32(k), entFeas32)
			}
		}
	}
}

func toFloat64[T hypersimplex.Float](v []T) []float64 {
	out := make([]float64, len(v))
	for i, e := range v {
		out[i] = float64(e)
	}
	return out
}

// TestProjectEntropicProperties: y strictly inside (0, 1) for moderate
// inputs, order preserving, equal in equal out, shift invariant, x left
// unchanged, y may alias x.
func TestProjectEntropicProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for trial := range 300 {
		n := 2 + r.IntN(1500)
		g := genKind(trial % int(numGen))
		x := randomInput(r, g, n)
		k := randomInsideK(r, n)
		tau := taus[trial%len(taus)]
		orig := append([]float64(nil), x...)
		y := make([]float64, n)
		if err := hypersimplex.ProjectEntropic(y, x, k, tau); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if x[i] != orig[i] {
				t.Fatalf("x[%d] changed", i)
			}
			if !(y[i] >= 0 && y[i] <= 1) {
				t.Fatalf("y[%d] = %v outside [0, 1]", i, y[i])
			}
			for _, j := range []int{(i + 1) % n, (7*i + 3) % n} {
				if x[i] > x[j] && y[i] < y[j] || x[i] == x[j] && y[i] != y[j] {
					t.Fatalf("%v: x = %v, %v but y = %v, %v", g, x[i], x[j], y[i], y[j])
				}
			}
		}
		if s := sum(y); math.Abs(s-k) > entFeas64*max(1, k) {
			t.Fatalf("%v n=%d k=%v tau=%v: Σ y = %v", g, n, k, tau, s)
		}
		if g == genNormal || g == genTies || g == genSorted {
			shifted := make([]float64, n)
			for i, v := range x {
				shifted[i] = v + 3.25
			}
			ys := make([]float64, n)
			if err := hypersimplex.ProjectEntropic(ys, shifted, k, tau); err != nil {
				t.Fatal(err)
			}
			for i := range ys {
				if math.Abs(ys[i]-y[i]) > entTol64 {
					t.Fatalf("shift: y[%d] = %v, want %v", i, ys[i], y[i])
				}
			}
		}
		if err := hypersimplex.ProjectEntropic(x, x, k, tau); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("aliased y[%d] = %v, want %v", i, x[i], y[i])
			}
		}
	}
}

// TestProjectEntropicHuge: entries far beyond τ (|x| up to 1e300, gaps of
// many ulps of τ), tiny τ, huge τ and ties: Σ y = k still holds to rounding
// and the tied entries share the remainder.
func TestProjectEntropicHuge(t *testing.T) {
	cases := []struct {
		name string
		x    []float64
		k    float64
		tau  float64
	}{
		{"gaps of 256 at 2^60", []float64{0x1p60, 0x1p60 + 256, 0x1p60 + 512, 0x1p60 + 768}, 2.3, 1},
		{"1e300 scale", []float64{1e300, -1e300, 5e299, 0, 1e300}, 1.5, 1},
		{"tiny tau", []float64{3, 1, 2, 2, 0}, 2.5, 1e-300},
		{"tiny tau integer k", []float64{3, 1, 2, 2, 0}, 2, 1e-300},
		{"ties at the root", []float64{5, 5, 0, 0}, 1, 1e-9},
		{"huge tau", []float64{1e308, -1e308, 0, 3}, 1.25, math.MaxFloat64},
		{"max range", []float64{math.MaxFloat64, -math.MaxFloat64, 1, 2}, 2, 1},
		{"all equal", []float64{7, 7, 7}, 0.5, 1.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := make([]float64, len(c.x))
			if err := hypersimplex.ProjectEntropic(y, c.x, c.k, c.tau); err != nil {
				t.Fatal(err)
			}
			checkFeasible(t, y, c.k, entFeas64)
			for i := range c.x {
				for j := range c.x {
					if c.x[i] == c.x[j] && y[i] != y[j] || c.x[i] > c.x[j] && y[i] < y[j] {
						t.Fatalf("x = %v, y = %v: order", c.x, y)
					}
				}
			}
		})
	}
	// float32: Σ y in float64 of the float32 outputs.
	x32 := []float32{1e30, 1e30, -1e30, 3e29, 0}
	y32 := make([]float32, len(x32))
	if err := hypersimplex.ProjectEntropic(y32, x32, 2.5, 1); err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, y32, 2.5, entFeas32)
}

// TestProjectEntropicSumAtScale: Σ y = k in float32 at n = 10⁶ (the
// reference drifts by 10 units of k there in the Euclidean case).
func TestProjectEntropicSumAtScale(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 100000
	}
	r := rand.New(rand.NewPCG(25, 26))
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	k := float32(n / 2)
	if err := hypersimplex.ProjectEntropic(y, x, k, 1.5); err != nil {
		t.Fatal(err)
	}
	checkFeasible(t, y, k, entFeas32)
}

func TestProjectEntropicErrors(t *testing.T) {
	x := []float64{1, 2, 3}
	y := []float64{9, 9, 9}
	for _, c := range []struct {
		name   string
		y, x   []float64
		k, tau float64
		kind   error
	}{
		{"k = 0", y, x, 0, 1, hypersimplex.ErrK},
		{"k = n", y, x, 3, 1, hypersimplex.ErrK},
		{"k NaN", y, x, math.NaN(), 1, hypersimplex.ErrK},
		{"k < 0", y, x, -1, 1, hypersimplex.ErrK},
		{"tau 0", y, x, 1, 0, hypersimplex.ErrTau},
		{"tau Inf", y, x, 1, math.Inf(1), hypersimplex.ErrTau},
		{"length", y[:2], x, 1, 1, hypersimplex.ErrLength},
		{"NaN in x", y, []float64{1, math.NaN(), 3}, 1, 1, hypersimplex.ErrNotFinite},
		{"Inf in x", y, []float64{1, 2, math.Inf(-1)}, 1, 1, hypersimplex.ErrNotFinite},
		{"empty", nil, nil, 0, 1, hypersimplex.ErrK},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := hypersimplex.ProjectEntropic(c.y, c.x, c.k, c.tau)
			if !errors.Is(err, c.kind) {
				t.Fatalf("got %v, want %v", err, c.kind)
			}
			for _, v := range y {
				if v != 9 {
					t.Fatalf("y written on error: %v", y)
				}
			}
		})
	}
	if err := hypersimplex.ProjectEntropic(y, x, 3, 1); err == nil || err.Error() != "hypersimplex: k = 3 outside (0, 3)" {
		t.Errorf("got %v", err)
	}
	dx := []float64{9, 9, 9}
	for _, c := range []struct {
		name    string
		y, g    []float64
		tau     float64
		kind    error
		message string
	}{
		{"y above 1", []float64{0.5, 1.5, 0}, []float64{1, 2, 3}, 1, hypersimplex.ErrRange, "hypersimplex: y[1] = 1.5 outside [0, 1]"},
		{"g NaN", []float64{0.5, 0.5, 0}, []float64{1, math.NaN(), 3}, 1, hypersimplex.ErrNotFinite, "hypersimplex: g[1] = NaN is not finite"},
		{"tau", []float64{0.5, 0.5, 0}, []float64{1, 2, 3}, -1, hypersimplex.ErrTau, ""},
		{"length", []float64{0.5, 0.5}, []float64{1, 2, 3}, 1, hypersimplex.ErrLength, ""},
	} {
		t.Run("VJP "+c.name, func(t *testing.T) {
			err := hypersimplex.ProjectEntropicVJP(dx, c.y, c.g, c.tau)
			if !errors.Is(err, c.kind) || c.message != "" && err.Error() != c.message {
				t.Fatalf("got %v, want %v %q", err, c.kind, c.message)
			}
			for _, v := range dx {
				if v != 9 {
					t.Fatalf("dx written on error: %v", dx)
				}
			}
		})
	}
}

// checkEntropicVJPByFiniteDifferences compares ⟨ProjectEntropicVJP(g), v⟩
// with the central difference of ⟨g, ProjectEntropic(x + h v)⟩ (the map is
// smooth, so at every point).
func checkEntropicVJPByFiniteDifferences[T hypersimplex.Float](t *testing.T, step, tol float64) {
	r := rand.New(rand.NewPCG(27, 28))
	for trial := range 100 {
		n := 2 + r.IntN(700)
		k := T(randomInsideK(r, n))
		tau := T(taus[trial%len(taus)])
		x, g, v := make([]T, n), make([]T, n), make([]T, n)
		for i := range x {
			x[i] = T(2 * r.NormFloat64())
			g[i] = T(r.NormFloat64())
			v[i] = T(r.NormFloat64())
		}
		y := make([]T, n)
		if err := hypersimplex.ProjectEntropic(y, x, k, tau); err != nil {
			t.Fatal(err)
		}
		inner := func(s float64) float64 {
			xs, ys := make([]T, n), make([]T, n)
			for i := range xs {
				xs[i] = x[i] + T(s)*v[i]
			}
			if err := hypersimplex.ProjectEntropic(ys, xs, k, tau); err != nil {
				t.Fatal(err)
			}
			var d float64
			for i := range ys {
				d += float64(g[i]) * float64(ys[i])
			}
			return d
		}
		fd := (inner(step) - inner(-step)) / (2 * step)
		dx := make([]T, n)
		if err := hypersimplex.ProjectEntropicVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		var got, scale float64
		for i := range dx {
			got += float64(dx[i]) * float64(v[i])
			scale += math.Abs(float64(dx[i]) * float64(v[i]))
		}
		// The difference's own rounding: ⟨g, y⟩ to ε·Σ|g|, divided by 2h.
		var gAbs float64
		for _, e := range g {
			gAbs += math.Abs(float64(e))
		}
		if math.Abs(got-fd) > tol*max(scale, 1e-3)+epsilonOf[T]()*gAbs/step {
			t.Fatalf("trial %d n=%d k=%v tau=%v: ⟨Jᵀg, v⟩ = %v, finite difference %v", trial, n, k, tau, got, fd)
		}
	}
}

func TestProjectEntropicVJPFiniteDifferences64(t *testing.T) {
	checkEntropicVJPByFiniteDifferences[float64](t, entFDStep, entFDTol)
}

func TestProjectEntropicVJPFiniteDifferences32(t *testing.T) {
	checkEntropicVJPByFiniteDifferences[float32](t, entFDStep3, entFDTol3)
}

// TestProjectEntropicVJPStructure checks the closed form against a dense
// Jacobian (1/τ)(D − d dᵀ/Σd), zero sum, symmetry, and aliasing.
func TestProjectEntropicVJPStructure(t *testing.T) {
	const tol = 1e-12
	r := rand.New(rand.NewPCG(29, 30))
	for trial := range 200 {
		n := 1 + r.IntN(30)
		y, g := randomYG(r, n, 5)
		tau := taus[trial%len(taus)]
		dx := make([]float64, n)
		if err := hypersimplex.ProjectEntropicVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		d := make([]float64, n)
		var sumD float64
		for i, v := range y {
			d[i] = v * (1 - v)
			sumD += d[i]
		}
		var sum float64
		for i := range y {
			want := d[i] * g[i]
			for j := range y {
				if sumD > 0 {
					want -= d[i] * d[j] / sumD * g[j]
				}
			}
			want /= tau
			if math.Abs(dx[i]-want) > tol {
				t.Fatalf("dx[%d] = %v, want %v", i, dx[i], want)
			}
			sum += dx[i]
		}
		if math.Abs(sum) > tol*float64(n) {
			t.Fatalf("Σ dx = %v, want 0", sum)
		}
		checkAliasedVJP(t, hypersimplex.ProjectEntropicVJP[float64], dx, y, g, tau)
	}
}

func sum(v []float64) float64 {
	s := 0.0
	for _, e := range v {
		s += e
	}
	return s
}

// epsilonOf is the rounding unit of T.
func epsilonOf[T hypersimplex.Float]() float64 {
	if float64(T(1)+T(0x1p-30)) == 1 {
		return 0x1p-24
	}
	return 0x1p-53
}

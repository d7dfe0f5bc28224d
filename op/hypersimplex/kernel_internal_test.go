package hypersimplex

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBracketSearchAnyPivots checks that the first pass gives the exact root
// whatever the pivots: inside, exactly at the root, on either side of it,
// equal or unbounded. x holds the integers 0…n−1 shuffled, τ = 1 and
// k = n − m − 1, so the root is exactly ν = m, a kink, where g(m) = k is
// computed without rounding.
func TestBracketSearchAnyPivots(t *testing.T) {
	const n, m = 1000, 600
	r := rand.New(rand.NewPCG(31, 32))
	x := make([]float64, n)
	for i, p := range r.Perm(n) {
		x[i] = float64(p)
	}
	k := float64(n - m - 1)
	inf := math.Inf(1)
	pairs := []struct {
		name   string
		p1, p2 float64
	}{
		{"bracket", m - 0.5, m + 0.5},
		{"p1 at root", m, m + 0.5},
		{"p2 at root", m - 0.5, m},
		{"root below", m + 3, m + 5},
		{"root above", m - 5, m - 3},
		{"equal", m - 2, m - 2},
		{"unbounded", -inf, inf},
		{"wide", -1e6, 1e6},
	}
	for _, c := range pairs {
		t.Run(c.name, func(t *testing.T) {
			s := newSearcher(k, 1)
			w := make([]float64, n)
			ref, rel, ok := bracketSearch(&s, w, x, point{s: c.p1}, point{s: c.p2})
			if !ok {
				t.Fatal("not ok")
			}
			var sum float64
			for _, v := range x {
				sum += clip01((v - ref) - rel)
			}
			if nu := ref + rel; math.Abs(nu-m) > 1e-12 || sum != k {
				t.Fatalf("root %v (Σ y = %v), want %v (Σ y = %v)", nu, sum, float64(m), k)
			}
		})
	}
}

// TestSolveNoActiveEntry: when no entry is active at the root and the upper
// end of the interval was never set, the root is taken from the lower end.
func TestSolveNoActiveEntry(t *testing.T) {
	s := newSearcher(1, 1)
	s.lo = point{s: 3}
	ref, rel := s.solve(nil)
	if ref+rel != 3 {
		t.Fatalf("got %v, want 3", ref+rel)
	}
}

func TestClip01(t *testing.T) {
	for _, a := range []float64{-math.MaxFloat64, -1, math.Copysign(0, -1), 0, 5e-324, 0.3, 1, math.Nextafter(1, 2), 5, math.Inf(1), math.Inf(-1)} {
		got, want := clip01(a), min(max(a, 0), 1)
		if got != want || math.Signbit(got) {
			t.Errorf("clip01(%v) = %v, want %v", a, got, want)
		}
	}
}

func TestExpCarry(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 5e-324, -1, math.MaxFloat64, -math.MaxFloat64} {
		if expCarry(f)>>63 != 0 {
			t.Errorf("expCarry(%v) flags a finite value", f)
		}
	}
	for _, f := range []float64{math.NaN(), -math.NaN(), math.Inf(1), math.Inf(-1)} {
		if expCarry(f)>>63 != 1 {
			t.Errorf("expCarry(%v) misses a non-finite value", f)
		}
	}
}

// TestBracketSearchPivotsAnUlpApart gives the search pivots p1 < p2 one
// ulp apart with entries x for which x − p1 and x − p2 both round to τ,
// which bracketPass would count both fixed at 1 and active: the root must
// be the one found from unbounded pivots, for both dtypes (the float32
// input takes the vector pass in the GOEXPERIMENT=simd build).
func TestBracketSearchPivotsAnUlpApart(t *testing.T) {
	const tau, k = 1.5, 4.0
	p1 := 0.5
	p2 := math.Nextafter(p1, 1)
	if 2-p1 != tau || 2-p2 != tau {
		t.Fatalf("setup: 2 − p1 = %v, 2 − p2 = %v, want both %v", 2-p1, 2-p2, tau)
	}
	x := []float64{2, 1, 0.25, 2, 3, 1, 0.5, 2, 2, 1, 0, 2, 1.75, 0.5, 2, 2.5, 1}
	root := func(x []float64, lo, hi float64) float64 {
		s := newSearcher(k, tau)
		ref, rel, ok := bracketSearch(&s, make([]float64, len(x)), x, point{s: lo}, point{s: hi})
		if !ok {
			t.Fatal("not ok")
		}
		return ref + rel
	}
	want := root(x, math.Inf(-1), math.Inf(1))
	if got := root(x, p1, p2); got != want {
		t.Errorf("float64: root %v from pivots an ulp apart, want %v", got, want)
	}
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	s := newSearcher(k, tau)
	ref, rel, ok := bracketSearch(&s, make([]float64, len(x)), x32, point{s: p1}, point{s: p2})
	if !ok || ref+rel != want {
		t.Errorf("float32: root %v (ok %v) from pivots an ulp apart, want %v", ref+rel, ok, want)
	}
}

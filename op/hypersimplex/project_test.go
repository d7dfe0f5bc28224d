package hypersimplex_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Tolerances of the kernel tests.
const (
	tol64     = 1e-10 // float64 output vs a float64 reference, per entry
	tol32     = 2e-5  // float32 output vs the float64 reference
	bruteTol  = 1e-8  // vs bruteProject, whose candidates are feasible to 1e-9
	feasTol64 = 1e-9  // |Σ y − k| / max(1, k), float64
	feasTol32 = 1e-5  // the same for float32
)

// genKind names a family of random inputs.
type genKind int

const (
	genNormal genKind = iota // N(0, 1)
	genWide                  // N(0, 1e3)
	genTies                  // small integers: many ties
	genTiny                  // N(0, 1e-6): everything active
	genHuge                  // ±1e30 and ties at that scale
	genSorted                // increasing, with a few repeats
	genSpiky                 // every 4th entry 1e3: fools a strided sample
	numGen
)

func (g genKind) String() string {
	return [...]string{"normal", "wide", "ties", "tiny", "huge", "sorted", "spiky"}[g]
}

// randomInput returns n entries of family g.
func randomInput(r *rand.Rand, g genKind, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch g {
		case genNormal:
			x[i] = r.NormFloat64()
		case genWide:
			x[i] = 1e3 * r.NormFloat64()
		case genTies:
			x[i] = float64(r.IntN(4))
		case genTiny:
			x[i] = 1e-6 * r.NormFloat64()
		case genHuge:
			x[i] = 1e30 * float64(r.IntN(5)-2)
			if r.IntN(3) == 0 {
				x[i] *= 1 + r.Float64()
			}
		case genSorted:
			x[i] = float64(i/3) * 0.7
		case genSpiky:
			x[i] = r.NormFloat64()
			if i%4 == 0 {
				x[i] = 1e3
			}
		}
	}
	return x
}

// randomK returns a k in [0, n]: integer or fractional, including the ends.
func randomK(r *rand.Rand, n int) float64 {
	switch r.IntN(6) {
	case 0:
		return 0
	case 1:
		return float64(n)
	case 2, 3:
		return float64(r.IntN(n + 1))
	default:
		return r.Float64() * float64(n)
	}
}

var taus = []float64{1, 1.5, 0.1, 7}

func TestProjectAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 8; n++ {
		for g := range numGen {
			if g == genHuge {
				continue // brute force differences at 1e30 lose all precision
			}
			for trial := range 30 {
				x := randomInput(r, g, n)
				k := randomK(r, n)
				tau := taus[trial%len(taus)]
				want := bruteProject(x, k, tau)
				got := make([]float64, n)
				if err := hypersimplex.Project(got, x, k, tau); err != nil {
					t.Fatalf("n=%d %v: %v", n, g, err)
				}
				for i := range got {
					if math.Abs(got[i]-want[i]) > bruteTol {
						t.Fatalf("n=%d %v x=%v k=%v tau=%v: got %v, want %v", n, g, x, k, tau, got, want)
					}
				}
			}
		}
	}
}

// sizes of the comparison with the sort-based reference.
func oracleSizes() []int {
	if testing.Short() {
		return []int{1, 2, 3, 10, 100, 257, 1000, 10000}
	}
	return []int{1, 2, 3, 10, 100, 257, 1000, 4097, 100000}
}

func TestProjectAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range oracleSizes() {
		for g := range numGen {
			t.Run(fmt.Sprintf("n=%d/%v", n, g), func(t *testing.T) {
				trials := max(2, 2000/n)
				for trial := range trials {
					x := randomInput(r, g, n)
					k := randomK(r, n)
					tau := taus[trial%len(taus)]
					want := make([]float64, n)
					sortProject(want, x, k, tau, make([]float64, n), make([]float64, n))
					got := make([]float64, n)
					if err := hypersimplex.Project(got, x, k, tau); err != nil {
						t.Fatal(err)
					}
					checkFeasible(t, got, k, feasTol64)
					if g == genHuge {
						continue // the reference itself is not exact at 1e30
					}
					scale := 1.0
					for _, v := range x {
						scale = max(scale, math.Abs(v)/tau)
					}
					for i := range got {
						if math.Abs(got[i]-want[i]) > tol64*scale {
							t.Fatalf("k=%v tau=%v entry %d: got %v, want %v", k, tau, i, got[i], want[i])
						}
					}

					x32 := make([]float32, n)
					for i, v := range x {
						x32[i] = float32(v)
					}
					x64 := make([]float64, n)
					for i, v := range x32 {
						x64[i] = float64(v)
					}
					sortProject(want, x64, k, tau, make([]float64, n), make([]float64, n))
					got32 := make([]float32, n)
					if err := hypersimplex.Project(got32, x32, float32(k), float32(tau)); err != nil {
						t.Fatal(err)
					}
					checkFeasible(t, got32, float32(k), feasTol32)
					for i := range got32 {
						if math.Abs(float64(got32[i])-want[i]) > tol32*scale {
							t.Fatalf("float32 k=%v tau=%v entry %d: got %v, want %v", k, tau, i, got32[i], want[i])
						}
					}
				}
			})
		}
	}
}

// checkFeasible fails unless 0 ≤ y_i ≤ 1 and |Σ y − k| ≤ tol·max(1, k).
func checkFeasible[T hypersimplex.Float](t *testing.T, y []T, k T, tol float64) {
	t.Helper()
	var sum float64
	for i, v := range y {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("y[%d] = %v outside [0, 1]", i, v)
		}
		sum += float64(v)
	}
	if d := math.Abs(sum - float64(k)); d > tol*max(1, float64(k)) {
		t.Fatalf("Σ y = %v, want k = %v (off by %g)", sum, k, d)
	}
}

// project is hypersimplex.Project into a new slice, failing the test on error.
func project(t *testing.T, x []float64, k, tau float64) []float64 {
	t.Helper()
	y := make([]float64, len(x))
	if err := hypersimplex.Project(y, x, k, tau); err != nil {
		t.Fatal(err)
	}
	return y
}

func TestProjectProperties(t *testing.T) {
	const tol = 1e-9
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{1, 2, 7, 100, 300, 3000} {
		for g := range numGen {
			if g == genHuge {
				continue // shifts and differences are meaningless at 1e30
			}
			t.Run(fmt.Sprintf("n=%d/%v", n, g), func(t *testing.T) {
				for trial := range 10 {
					x := randomInput(r, g, n)
					k := randomK(r, n)
					tau := taus[trial%len(taus)]
					x0 := append([]float64(nil), x...)
					y := project(t, x, k, tau)
					for i := range x {
						if x[i] != x0[i] {
							t.Fatalf("x[%d] changed from %v to %v", i, x0[i], x[i])
						}
					}
					checkFeasible(t, y, k, feasTol64)
					scale := 1.0
					for _, v := range x {
						scale = max(scale, math.Abs(v)/tau)
					}

					// Order preservation; equal inputs give equal outputs.
					for i := range x {
						j := r.IntN(n)
						if x[i] > x[j] && y[i] < y[j] || x[i] == x[j] && y[i] != y[j] {
							t.Fatalf("x[%d] = %v, x[%d] = %v but y = %v, %v", i, x[i], j, x[j], y[i], y[j])
						}
					}

					// Shift invariance.
					c := 10 * r.NormFloat64()
					xs := make([]float64, n)
					for i := range x {
						xs[i] = x[i] + c
					}
					ys := project(t, xs, k, tau)
					for i := range y {
						if math.Abs(ys[i]-y[i]) > tol*(scale+math.Abs(c)/tau) {
							t.Fatalf("shift by %v: y[%d] = %v, want %v", c, i, ys[i], y[i])
						}
					}

					// (1/τ)-Lipschitz.
					xp := make([]float64, n)
					var dxn, dyn float64
					for i := range x {
						xp[i] = x[i] + 0.3*r.NormFloat64()
						dxn += (xp[i] - x[i]) * (xp[i] - x[i])
					}
					yp := project(t, xp, k, tau)
					for i := range y {
						dyn += (yp[i] - y[i]) * (yp[i] - y[i])
					}
					if math.Sqrt(dyn) > math.Sqrt(dxn)/tau*(1+tol)+tol*scale {
						t.Fatalf("‖Δy‖ = %v > ‖Δx‖/τ = %v", math.Sqrt(dyn), math.Sqrt(dxn)/tau)
					}

					// Idempotence: y ∈ Δ(n,k) projects onto itself at τ = 1.
					yy := project(t, y, k, 1)
					for i := range y {
						if math.Abs(yy[i]-y[i]) > tol {
							t.Fatalf("Project(y)[%d] = %v, want %v", i, yy[i], y[i])
						}
					}

					// y may alias x.
					alias := append([]float64(nil), x...)
					if err := hypersimplex.Project(alias, alias, k, tau); err != nil {
						t.Fatal(err)
					}
					for i := range y {
						if alias[i] != y[i] {
							t.Fatalf("aliased y[%d] = %v, want %v", i, alias[i], y[i])
						}
					}
				}
			})
		}
	}
}

// TestProjectEdgeCases covers the ends of the k range, n = 1, ties and
// inputs whose scale defeats a naive x/τ or x/τ − 1.
func TestProjectEdgeCases(t *testing.T) {
	const tol = 1e-12
	huge := 1e30
	cases := []struct {
		name   string
		x      []float64
		k, tau float64
		want   []float64
	}{
		{"k=0", []float64{3, -1, 2}, 0, 1, []float64{0, 0, 0}},
		{"k=n", []float64{3, -1, 2}, 3, 1, []float64{1, 1, 1}},
		{"n=1", []float64{-7}, 0.25, 1, []float64{0.25}},
		{"gap: exactly top-k", []float64{5, 5, 0, 0}, 2, 1, []float64{1, 1, 0, 0}},
		{"all tied", []float64{2, 2, 2, 2}, 1, 1, []float64{0.25, 0.25, 0.25, 0.25}},
		{"fractional k", []float64{3, 1, 2}, 1.5, 1, []float64{1, 0, 0.5}},
		{"all active", []float64{0.3, 0.1, 0.2}, 1, 1, []float64{0.3 + 0.4/3, 0.1 + 0.4/3, 0.2 + 0.4/3}},
		{"huge, fractional k", []float64{huge, huge, -huge}, 1.5, 1, []float64{0.75, 0.75, 0}},
		{"huge, near tie", []float64{huge, math.Nextafter(huge, 0), -huge}, 1.5, 1, []float64{1, 0.5, 0}},
		{"huge, tiny tau", []float64{huge, 0, -huge}, 1.5, 1e-300, []float64{1, 0.5, 0}},
		{"huge spread", []float64{1e300, -1e300, 1, 0.5}, 2, 1, []float64{1, 0, 0.75, 0.25}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y := project(t, c.x, c.k, c.tau)
			for i := range y {
				if math.Abs(y[i]-c.want[i]) > tol {
					t.Fatalf("got %v, want %v", y, c.want)
				}
			}
		})
	}
}

// TestProjectHugeFloat32 checks feasibility at |x| = 1e30 in float32 (τ ≥ 1),
// on the direct path (n ≤ 256) and the sampled one.
func TestProjectHugeFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{3, 100, 5000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(1e30 * float64(r.IntN(3)-1))
		}
		for _, k := range []float32{1, 1.5, float32(n) / 3} {
			y := make([]float32, n)
			if err := hypersimplex.Project(y, x, k, 1); err != nil {
				t.Fatal(err)
			}
			checkFeasible(t, y, k, feasTol32)
		}
	}
}

// TestProjectHugeTau checks τ near the top of the float64 range, where
// n·τ overflows: the result must be feasible and equal, by scale
// invariance, to Project(c·x; k, c·τ) for a power of two c that brings τ
// down to 2^900 (scaling by a power of two is exact).
func TestProjectHugeTau(t *testing.T) {
	const tol = 1e-12
	r := rand.New(rand.NewPCG(25, 26))
	for _, n := range []int{2, 3, 100, 300, 5000} {
		for _, a := range []float64{1, 1e30, math.MaxFloat64} {
			for _, tau := range []float64{0x1p961, 1e300, math.MaxFloat64} {
				x := make([]float64, n)
				for i := range x {
					x[i] = a * (2*r.Float64() - 1)
					if i%3 == 0 {
						x[i] = a * float64(r.IntN(3)-1)
					}
				}
				k := r.Float64() * float64(n)
				y := project(t, x, k, tau)
				checkFeasible(t, y, k, feasTol64)
				_, e := math.Frexp(tau)
				c := math.Ldexp(1, 900-e)
				xs := make([]float64, n)
				for i, v := range x {
					xs[i] = v * c
				}
				want := project(t, xs, k, tau*c)
				for i := range y {
					if math.Abs(y[i]-want[i]) > tol {
						t.Fatalf("n=%d |x| ≤ %g τ=%g k=%v: y[%d] = %v, want %v", n, a, tau, k, i, y[i], want[i])
					}
				}
			}
		}
	}
}

// TestProjectSumAtScale: at n = 10⁶ in float32, Σ y = k up to the rounding
// of the stored y (at most n·2⁻²⁵; the reference operator drifts by 10 units
// of k here) and the backward pass sees one active set: dx = (g − mean_A g)/τ
// on it, computed again in float64 (the reference splits it and gets dx
// wrong on about 11,000 entries).
func TestProjectSumAtScale(t *testing.T) {
	n := 1000000
	if testing.Short() {
		n = 100000
	}
	r := rand.New(rand.NewPCG(51, 52))
	x, g, y, dx := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	k, tau := float32(n/2), float32(1.5)
	if err := hypersimplex.Project(y, x, k, tau); err != nil {
		t.Fatal(err)
	}
	var sum, sumA float64
	nA := 0
	for i, v := range y {
		sum += float64(v)
		if v > 0 && v < 1 {
			sumA += float64(g[i])
			nA++
		}
	}
	if d := math.Abs(sum - float64(k)); d > float64(n)*0x1p-25 {
		t.Fatalf("Σ y = %v, want k = %v (off by %v)", sum, k, d)
	}
	if err := hypersimplex.ProjectVJP(dx, y, g, tau); err != nil {
		t.Fatal(err)
	}
	mean := sumA / float64(nA)
	for i, v := range y {
		want := float32(0)
		if v > 0 && v < 1 {
			want = float32((float64(g[i]) - mean) / float64(tau))
		}
		if math.Abs(float64(dx[i]-want)) > 1e-6 {
			t.Fatalf("dx[%d] = %v, want %v", i, dx[i], want)
		}
	}
}

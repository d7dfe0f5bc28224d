package gbrt_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Tolerances of the finite-difference check: central differences of a
// piecewise quadratic are exact up to rounding unless the step crosses a
// kink (an entry entering or leaving A), which fdStep makes unlikely.
const (
	fdStep = 1e-7 // in units of τ
	fdTol  = 1e-5 // relative to the largest gradient entry
)

func randomCase(rng *rand.Rand, n int, tau float64) ([]float64, []float32) {
	x := make([]float64, n)
	t := make([]float32, n)
	for i := range x {
		x[i] = tau * 0.5 * rng.NormFloat64() // a spread below τ: a soft projection
		if rng.Float64() < 0.3 {
			t[i] = 1
		}
	}
	t[0], t[1] = 1, 0 // both classes
	return x, t
}

func loss(t *testing.T, o gbrt.HSObjective, x []float64, y []float32) float64 {
	t.Helper()
	g, h := make([]float64, len(x)), make([]float64, len(x))
	st, err := o.GradHess(g, h, x, y)
	if err != nil {
		t.Fatal(err)
	}
	return st.Loss
}

// TestGradHessFiniteDifferences checks ∇L against central differences of
// L, for the reference's τ and a large one, every Hessian, and that the
// inputs are left unchanged.
func TestGradHessFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tau := range []float64{gbrt.ReferenceTau, 1.5} {
		for _, h := range []gbrt.Hessian{gbrt.HessianOnes, gbrt.HessianGaussNewton, gbrt.HessianActive, gbrt.HessianConstant} {
			for trial := range 5 {
				o := gbrt.HSObjective{Tau: tau, Hessian: h}
				x, y := randomCase(rng, 5+7*trial, tau)
				x0, y0 := slices.Clone(x), slices.Clone(y)
				grad, hess := make([]float64, len(x)), make([]float64, len(x))
				st, err := o.GradHess(grad, hess, x, y)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(x, x0) || !slices.Equal(y, y0) {
					t.Fatalf("τ %v, %v: the inputs changed", tau, h)
				}
				if st.Active < 2 {
					t.Fatalf("τ %v, trial %d: |A| = %d; the case is meant to be soft", tau, trial, st.Active)
				}
				scale := 0.0
				for _, g := range grad {
					scale = max(scale, math.Abs(g))
				}
				for i := range x {
					xp, xm := slices.Clone(x), slices.Clone(x)
					xp[i] += fdStep * tau
					xm[i] -= fdStep * tau
					fd := (loss(t, o, xp, y) - loss(t, o, xm, y)) / (2 * fdStep * tau)
					if math.Abs(fd-grad[i]) > fdTol*scale {
						t.Errorf("τ %v, %v, n %d: grad[%d] = %.9g, finite difference %.9g", tau, h, len(x), i, grad[i], fd)
					}
				}
			}
		}
	}
}

// TestGradHessHessians checks each Hessian against its definition; the
// Gauss–Newton one against the diagonal of (2/n)JᵀJ built column by
// column from ProjectVJP.
func TestGradHessHessians(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tau := 0.01
	x, y := randomCase(rng, 40, tau)
	n := float64(len(x))
	k := 0.0
	for _, v := range y {
		k += float64(v)
	}
	p := make([]float64, len(x))
	if err := hypersimplex.Project(p, x, k, tau); err != nil {
		t.Fatal(err)
	}
	for _, h := range []gbrt.Hessian{gbrt.HessianOnes, gbrt.HessianGaussNewton, gbrt.HessianActive, gbrt.HessianConstant} {
		grad, hess := make([]float64, len(x)), make([]float64, len(x))
		if _, err := (gbrt.HSObjective{Tau: tau, Hessian: h}).GradHess(grad, hess, x, y); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			e := make([]float64, len(x))
			e[i] = 1
			col := make([]float64, len(x))
			if err := hypersimplex.ProjectVJP(col, p, e, tau); err != nil { // J e_i
				t.Fatal(err)
			}
			jtj := 0.0 // (JᵀJ)_ii = ‖J e_i‖²
			for _, v := range col {
				jtj += v * v
			}
			inA := p[i] > 0 && p[i] < 1
			var want float64
			switch h {
			case gbrt.HessianOnes:
				want = 1
			case gbrt.HessianGaussNewton:
				want = 2 / n * jtj
			case gbrt.HessianActive:
				if inA {
					want = 1
				}
			case gbrt.HessianConstant:
				want = 2 / (n * tau * tau)
			}
			if math.Abs(hess[i]-want) > 1e-9*math.Max(1, want) {
				t.Errorf("%v: hess[%d] = %v, want %v (in A: %v)", h, i, hess[i], want, inA)
			}
		}
	}
}

// TestGradHessHardLimit: margins spread far beyond τ leave at most one
// tie group active; outside it the gradient is exactly 0.
func TestGradHessHardLimit(t *testing.T) {
	x := []float64{3, 2, 1, 1, 1, 0} // k = 3: the boundary falls inside the tie {1, 1, 1}
	y := []float32{1, 0, 1, 1, 0, 0}
	grad, hess := make([]float64, 6), make([]float64, 6)
	st, err := gbrt.HSObjective{Tau: gbrt.ReferenceTau, Hessian: gbrt.HessianGaussNewton}.GradHess(grad, hess, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if st.Active != 3 {
		t.Fatalf("|A| = %d, want 3", st.Active)
	}
	for _, i := range []int{0, 1, 5} {
		if grad[i] != 0 || hess[i] != 0 {
			t.Errorf("clipped entry %d: grad %v, hess %v, want 0, 0", i, grad[i], hess[i])
		}
	}
	// on A: y = 1/3 each, r = (2/6)(1/3 − t) = (−2/9, −2/9, 1/9) with mean
	// −1/9, grad = (r − mean r)/τ
	want := []float64{-1.0 / 9, -1.0 / 9, 2.0 / 9}
	for j, i := range []int{2, 3, 4} {
		if w := want[j] / gbrt.ReferenceTau; math.Abs(grad[i]-w) > 1e-9*math.Abs(w) {
			t.Errorf("grad[%d] = %v, want %v", i, grad[i], w)
		}
	}
}

func TestGradHessErrors(t *testing.T) {
	ok := []float64{0, 1}
	lab := []float32{1, 0}
	two := make([]float64, 2)
	cases := []struct {
		name       string
		o          gbrt.HSObjective
		g, h, x    []float64
		t          []float32
		wantSubstr string
	}{
		{"empty", gbrt.HSObjective{Tau: 1}, nil, nil, nil, nil, "no samples"},
		{"labels", gbrt.HSObjective{Tau: 1}, two, two, ok, []float32{1}, "len(labels) = 1"},
		{"grad", gbrt.HSObjective{Tau: 1}, make([]float64, 3), two, ok, lab, "len(grad) = 3"},
		{"hess", gbrt.HSObjective{Tau: 1}, two, nil, ok, lab, "len(hess) = 0"},
		{"tau0", gbrt.HSObjective{Tau: 0}, two, two, ok, lab, "τ = 0"},
		{"tauNaN", gbrt.HSObjective{Tau: math.NaN()}, two, two, ok, lab, "τ = NaN"},
		{"tauInf", gbrt.HSObjective{Tau: math.Inf(1)}, two, two, ok, lab, "τ = +Inf"},
		{"hessian", gbrt.HSObjective{Tau: 1, Hessian: 9}, two, two, ok, lab, "unknown Hessian Hessian(9)"},
		{"label2", gbrt.HSObjective{Tau: 1}, two, two, ok, []float32{1, 2}, "label[1] = 2"},
		{"NaN", gbrt.HSObjective{Tau: 1}, two, two, []float64{0, math.NaN()}, lab, "x[1] = NaN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.o.GradHess(c.g, c.h, c.x, c.t)
			if err == nil || !strings.Contains(err.Error(), c.wantSubstr) {
				t.Fatalf("err = %v, want one containing %q", err, c.wantSubstr)
			}
			if c.name == "NaN" && !errors.Is(err, hypersimplex.ErrNotFinite) {
				t.Errorf("err = %v, want one wrapping hypersimplex.ErrNotFinite", err)
			}
		})
	}
}

func TestParseObjective(t *testing.T) {
	for _, name := range gbrt.Objectives {
		o, err := gbrt.ParseObjective(name, 0.001)
		if err != nil || o.Name != name {
			t.Errorf("ParseObjective(%q) = %+v, %v", name, o, err)
		}
		if strings.HasPrefix(name, "hs-") != (o.XGBoost == "") || (o.XGBoost == "" && "hs-"+o.HS.Hessian.String() != name) {
			t.Errorf("ParseObjective(%q) = %+v", name, o)
		}
	}
	if _, err := gbrt.ParseObjective("hinge", 1); err == nil || !strings.Contains(err.Error(), `"hinge"`) {
		t.Errorf("unknown objective: err = %v", err)
	}
	if _, err := gbrt.ParseObjective("hs-gn", -1); err == nil || !strings.Contains(err.Error(), "τ = -1") {
		t.Errorf("τ = -1: err = %v", err)
	}
}

package accel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Largest relative difference allowed between Adam and gorgonia's
// AdamSolver after several steps: both use the same operations in the same
// order, so only a compiler's fused multiply-add (allowed on some
// architectures) can make them differ.
const (
	adamTolFloat32 = 1e-5
	adamTolFloat64 = 1e-13
)

// param is a ValueGrad with a gradient the test sets directly.
type param struct{ w, g *tensor.Dense }

func (p *param) Value() G.Value         { return p.w }
func (p *param) Grad() (G.Value, error) { return p.g, nil }
func (p *param) clone() *param {
	return &param{w: p.w.Clone().(*tensor.Dense), g: p.g.Clone().(*tensor.Dense)}
}
func newParam(dt tensor.Dtype, shape ...int) *param {
	return &param{w: tensor.New(tensor.Of(dt), tensor.WithShape(shape...)), g: tensor.New(tensor.Of(dt), tensor.WithShape(shape...))}
}

// fill sets every element of t from next.
func fill(t *tensor.Dense, next func() float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(next())
		}
	case []float64:
		for i := range d {
			d[i] = next()
		}
	}
}

func asFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return d
	}
	return nil
}

func TestAdamMatchesGorgoniaAdamSolver(t *testing.T) {
	const steps = 7
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			tol := adamTolFloat64
			if dt == tensor.Float32 {
				tol = adamTolFloat32
			}
			rng := rand.New(rand.NewPCG(1, 2))
			ours := []*param{newParam(dt, 13, 7), newParam(dt, 1, 7), newParam(dt, 5)}
			for _, p := range ours {
				fill(p.w, rng.NormFloat64)
			}
			theirs := make([]*param, len(ours))
			for i, p := range ours {
				theirs[i] = p.clone()
			}
			const lr, beta1, beta2, eps = 0.01, 0.8, 0.99, 1e-6
			adam, err := accel.NewAdam(lr, beta1, beta2, eps)
			if err != nil {
				t.Fatal(err)
			}
			ref := G.NewAdamSolver(G.WithLearnRate(lr), G.WithBeta1(beta1), G.WithBeta2(beta2), G.WithEps(eps))
			for step := 1; step <= steps; step++ {
				for i, p := range ours {
					// Gradients of mixed scale, some zero, like real ones.
					fill(p.g, func() float64 {
						return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-3)) * float64(rng.IntN(4)/3)
					})
					theirs[i].g = p.g.Clone().(*tensor.Dense)
				}
				if err := adam.Step(valueGrads(ours)); err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				if err := ref.Step(valueGrads(theirs)); err != nil {
					t.Fatalf("step %d: AdamSolver: %v", step, err)
				}
				for i := range ours {
					got, want := asFloat64s(ours[i].w), asFloat64s(theirs[i].w)
					for j := range want {
						if d := math.Abs(got[j] - want[j]); d > tol*(1+math.Abs(want[j])) {
							t.Fatalf("step %d, parameter %d[%d]: got %v, AdamSolver %v", step, i, j, got[j], want[j])
						}
					}
					for j, g := range asFloat64s(ours[i].g) {
						if g != 0 {
							t.Fatalf("step %d, parameter %d: gradient[%d] = %v after Step, want 0", step, i, j, g)
						}
					}
				}
			}
		})
	}
}

func valueGrads(ps []*param) []G.ValueGrad {
	out := make([]G.ValueGrad, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

func TestAdamStepDoesNotAllocate(t *testing.T) {
	adam, err := accel.NewAdam(1e-3, 0.9, 0.999, 1e-8)
	if err != nil {
		t.Fatal(err)
	}
	model := valueGrads([]*param{newParam(tensor.Float32, 64, 32), newParam(tensor.Float64, 32)})
	if err := adam.Step(model); err != nil { // allocates the moments
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(10, func() { _ = adam.Step(model) }); allocs != 0 {
		t.Errorf("Step allocates %v times per call after the first, want 0", allocs)
	}
}

func TestNewAdamRejectsBadHyperparameters(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name                  string
		lr, beta1, beta2, eps float64
		want                  string
	}{
		{"lr zero", 0, 0.9, 0.999, 1e-8, "learning rate 0"},
		{"lr NaN", nan, 0.9, 0.999, 1e-8, "learning rate NaN"},
		{"lr Inf", inf, 0.9, 0.999, 1e-8, "learning rate +Inf"},
		{"beta1 one", 1e-3, 1, 0.999, 1e-8, "beta1 = 1"},
		{"beta1 negative", 1e-3, -0.1, 0.999, 1e-8, "beta1 = -0.1"},
		{"beta2 NaN", 1e-3, 0.9, nan, 1e-8, "beta2 = NaN"},
		{"eps zero", 1e-3, 0.9, 0.999, 0, "epsilon = 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accel.NewAdam(tt.lr, tt.beta1, tt.beta2, tt.eps)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAdamStepRejectsMismatchedModels(t *testing.T) {
	f32 := newParam(tensor.Float32, 4)
	tests := []struct {
		name   string
		first  []*param
		second []*param
		want   string
	}{
		{"parameter count changes", []*param{f32}, []*param{f32, f32}, "got 2 parameters, the first step had 1"},
		{"parameter size changes", []*param{f32}, []*param{newParam(tensor.Float32, 5)}, "has 5 elements, 4 at the first step"},
		{"gradient dtype differs", nil, []*param{{w: f32.w, g: newParam(tensor.Float64, 4).g}}, "does not match"},
		{"integer parameter", nil, []*param{newParam(tensor.Int, 4)}, "want float32 or float64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adam, err := accel.NewAdam(1e-3, 0.9, 0.999, 1e-8)
			if err != nil {
				t.Fatal(err)
			}
			if tt.first != nil {
				if err := adam.Step(valueGrads(tt.first)); err != nil {
					t.Fatal(err)
				}
			}
			err = adam.Step(valueGrads(tt.second))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// BenchmarkAdamStep compares one optimiser step on the parameters of the
// MLP 784-512-512-10 (float32) for Adam and gorgonia's AdamSolver.
func BenchmarkAdamStep(b *testing.B) {
	shapes := [][]int{{784, 512}, {1, 512}, {512, 512}, {1, 512}, {512, 10}, {1, 10}}
	solvers := []struct {
		name string
		make func() (G.Solver, error)
	}{
		{"solver=accel", func() (G.Solver, error) { return accel.NewAdam(1e-3, 0.9, 0.999, 1e-8) }},
		{"solver=gorgonia", func() (G.Solver, error) { return G.NewAdamSolver(G.WithLearnRate(1e-3)), nil }},
	}
	for _, s := range solvers {
		b.Run(s.name, func(b *testing.B) {
			ps := make([]*param, len(shapes))
			for i, sh := range shapes {
				ps[i] = newParam(tensor.Float32, sh...)
			}
			model := valueGrads(ps)
			solver, err := s.make()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := solver.Step(model); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ExampleNewAdam() {
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	g := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0.5, -0.5}))
	adam, err := accel.NewAdam(1e-3, 0.9, 0.999, 1e-8)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The first step moves every weight by about the learning rate against
	// its gradient's sign, and clears the gradient.
	if err := adam.Step([]G.ValueGrad{&param{w: w, g: g}}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("w = %.4f, g = %v\n", w.Data(), g.Data())
	// Output: w = [0.9990 2.0010], g = [0 0]
}

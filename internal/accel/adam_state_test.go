package accel_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestAdamStateResumes: an optimiser restored from a state saved after
// three steps takes the same next steps as the saved one, to the bit.
func TestAdamStateResumes(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			a := []*param{newParam(dt, 3, 4), newParam(dt, 5)}
			for _, p := range a {
				fill(p.w, rng.NormFloat64)
			}
			step := func(opt *accel.Adam, ps []*param, grads [][]float64) {
				model := make([]G.ValueGrad, len(ps))
				for i, p := range ps {
					j := 0
					fill(p.g, func() float64 { j++; return grads[i][j-1] })
					model[i] = p
				}
				if err := opt.Step(model); err != nil {
					t.Fatal(err)
				}
			}
			grads := func() [][]float64 {
				g := make([][]float64, len(a))
				for i, p := range a {
					g[i] = make([]float64, p.w.Len())
					for j := range g[i] {
						g[i][j] = rng.NormFloat64()
					}
				}
				return g
			}
			opt, _ := accel.NewAdam(1e-2, 0.9, 0.999, 1e-8)
			for range 3 {
				step(opt, a, grads())
			}
			state, err := opt.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			b := []*param{a[0].clone(), a[1].clone()}
			restored, _ := accel.NewAdam(1e-2, 0.9, 0.999, 1e-8)
			if err := restored.UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				g := grads()
				step(opt, a, g)
				step(restored, b, g)
			}
			for i := range a {
				if !slices.Equal(asFloat64s(a[i].w), asFloat64s(b[i].w)) {
					t.Errorf("parameter %d differs after the restored steps", i)
				}
			}
			if err := restored.UnmarshalBinary([]byte("junk")); err == nil {
				t.Error("junk state accepted")
			}
		})
	}
}

// TestAdamSetLearnRate: a parameter with its own learning rate takes the
// steps of an optimiser with that rate; the others keep the common one.
func TestAdamSetLearnRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := newParam(tensor.Float64, 4), newParam(tensor.Float64, 3)
	fill(a.w, rng.NormFloat64)
	fill(b.w, rng.NormFloat64)
	a2, b2 := a.clone(), b.clone()
	mixed, _ := accel.NewAdam(1e-3, 0.9, 0.999, 1e-8)
	if err := mixed.SetLearnRate(1, 0.1); err != nil {
		t.Fatal(err)
	}
	slow, _ := accel.NewAdam(1e-3, 0.9, 0.999, 1e-8)
	fast, _ := accel.NewAdam(0.1, 0.9, 0.999, 1e-8)
	for range 3 {
		for _, p := range []*param{a, b, a2, b2} {
			j := 0.0
			fill(p.g, func() float64 { j++; return j - 2 })
		}
		if err := mixed.Step([]G.ValueGrad{a, b}); err != nil {
			t.Fatal(err)
		}
		slow.Step([]G.ValueGrad{a2})
		fast.Step([]G.ValueGrad{b2})
	}
	if !slices.Equal(asFloat64s(a.w), asFloat64s(a2.w)) || !slices.Equal(asFloat64s(b.w), asFloat64s(b2.w)) {
		t.Error("the parameters with their own rates differ from optimisers with those rates")
	}
	for _, lr := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if err := mixed.SetLearnRate(0, lr); err == nil {
			t.Errorf("SetLearnRate(0, %v) accepted", lr)
		}
	}
	if err := mixed.SetLearnRate(-1, 1); err == nil {
		t.Error("SetLearnRate(-1, 1) accepted")
	}
}

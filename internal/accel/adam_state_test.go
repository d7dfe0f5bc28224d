package accel_test

import (
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

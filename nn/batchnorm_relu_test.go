package nn_test

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/hypersimplex/hsloss/nn"
)

// TestBatchNormReLUMatchesComposition runs BatchNormReLU and ReLU(BatchNorm)
// on the same inputs, both dtypes, both modes, spatial sizes that do and
// do not fill the vector loops' blocks of 8, with entries of z at exactly
// 0 in training mode (channel 0: β = 0, x at the channel's mean): the
// outputs and the gradients of x, γ and β must be bit-identical, since the
// fused op computes the same z and masks by the same 1[z > 0].
func TestBatchNormReLUMatchesComposition(t *testing.T) {
	for _, dt := range dtypes {
		for _, training := range []bool{true, false} {
			for _, shape := range []tensor.Shape{{4, 3, 5, 5}, {2, 3, 4, 4}, {8, 3}} {
				t.Run(fmt.Sprint(dt, "/training=", training, "/", shape), func(t *testing.T) {
					c := shape[1]
					gamma, beta := randomValues(c, 5), randomValues(c, 6)
					beta[0] = 0
					x := randomValues(shape.TotalSize(), 7)
					for i := range x {
						x[i] = float64(float32(x[i]))
					}
					s := shape.TotalSize() / (shape[0] * c)
					for j := 0; j < shape[0]*s; j++ { // channel 0: 0, 1, 0, −1, …: mean 0, z = 0 at the zeros
						x[(j/s*c)*s+j%s] = []float64{0, 1, 0, -1}[j%4]
					}
					var runs [2]*bnGraph
					for i, l := range []bnLayer{nn.BatchNormReLU, bnLayers[2].layer} {
						stats, _ := nn.NewBatchNormStats(c, 0.1, 1e-5)
						runs[i] = newLayerGraph(t, l, dt, shape, gamma, beta, stats, training, 3)
						runs[i].run(t, x)
					}
					fused, composed := runs[0], runs[1]
					same(t, "y", floats(t, fused.y.Value()), floats(t, composed.y.Value()))
					for _, pair := range [][2]*G.Node{{fused.x, composed.x}, {fused.gamma, composed.gamma}, {fused.beta, composed.beta}} {
						got, err := pair[0].Grad()
						if err != nil {
							t.Fatal(err)
						}
						want, err := pair[1].Grad()
						if err != nil {
							t.Fatal(err)
						}
						same(t, "d/d"+pair[0].Name(), floats(t, got), floats(t, want))
					}
				})
			}
		}
	}
}

// same fails unless got and want hold the same values bit for bit.
func same(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s[%d] = %v, composition %v", what, i, got[i], want[i])
		}
	}
}

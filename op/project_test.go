package op_test

import (
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/op"
)

func TestProjectSmall(t *testing.T) {
	const tol = 1e-12
	cases := []struct {
		x    []float64
		k    float64
		tau  float64
		want []float64
	}{
		{[]float64{5, 5, 0, 0}, 2, 1, []float64{1, 1, 0, 0}},
		{[]float64{0.3, 0.1, 0.2}, 1, 1, []float64{0.3 + 0.4/3, 0.1 + 0.4/3, 0.2 + 0.4/3}},
		{[]float64{3, 1, 2}, 1.5, 1, []float64{1, 0, 0.5}},
		{[]float64{1, 1, 1}, 2, 1, []float64{2.0 / 3, 2.0 / 3, 2.0 / 3}},
		{[]float64{2}, 0.25, 1, []float64{0.25}},
	}
	for _, c := range cases {
		y := make([]float64, len(c.x))
		if err := op.Project(y, c.x, c.k, c.tau); err != nil {
			t.Fatal(err)
		}
		for i := range y {
			if math.Abs(y[i]-c.want[i]) > tol {
				t.Errorf("Project(%v, k=%v) = %v, want %v", c.x, c.k, y, c.want)
				break
			}
		}
	}
}

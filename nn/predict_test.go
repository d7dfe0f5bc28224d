package nn_test

import (
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	"gorgonia.org/tensor"
)

func TestPredict(t *testing.T) {
	logits := []float64{
		0.1, 0.5, 0.2,
		3, 3, 1, // tie → lowest index
		-1, -2, -0.5,
		math.Inf(-1), math.Inf(1), 0,
	}
	want := []int{1, 0, 2, 1}
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			dst := make([]int, 4)
			if err := nn.Predict(dst, newDense(dt, tensor.Shape{4, 3}, logits)); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if dst[i] != want[i] {
					t.Errorf("row %d: got %d, want %d", i, dst[i], want[i])
				}
			}
		})
	}
}

func TestPredictErrors(t *testing.T) {
	good := newDense(tensor.Float64, tensor.Shape{2, 2}, []float64{1, 2, 3, 4})
	nan := newDense(tensor.Float32, tensor.Shape{2, 2}, []float64{1, 2, math.NaN(), 4})
	ints := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int{1, 2, 3, 4}))
	vec := newDense(tensor.Float64, tensor.Shape{4}, []float64{1, 2, 3, 4})
	cases := []struct {
		name   string
		dst    []int
		logits tensor.Tensor
	}{
		{"short dst", make([]int, 1), good},
		{"long dst", make([]int, 3), good},
		{"NaN", make([]int, 2), nan},
		{"int dtype", make([]int, 2), ints},
		{"vector", make([]int, 4), vec},
		{"nil", make([]int, 2), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := nn.Predict(c.dst, c.logits); err == nil {
				t.Error("accepted, want an error")
			}
		})
	}
}

func TestPredictDoesNotAllocate(t *testing.T) {
	logits := newDense(tensor.Float32, tensor.Shape{64, 10}, seededInput(64, 10))
	dst := make([]int, 64)
	allocs := testing.AllocsPerRun(100, func() {
		if err := nn.Predict(dst, logits); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Predict allocates %v times per call, want 0", allocs)
	}
}

func BenchmarkPredict(b *testing.B) {
	logits := newDense(tensor.Float32, tensor.Shape{1024, 10}, seededInput(1024, 10))
	dst := make([]int, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if err := nn.Predict(dst, logits); err != nil {
			b.Fatal(err)
		}
	}
}

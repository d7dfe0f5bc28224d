package nn

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestBatchNormOpsRejectEmptyValues runs the forward and gradient ops on
// values with a zero batch or no pixels (shapes a graph checks when it is
// built, but a caller of Do might not): an error naming x, no panic.
func TestBatchNormOpsRejectEmptyValues(t *testing.T) {
	stats, err := NewBatchNormStats(3, 0.1, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	vec := func() *tensor.Dense { return tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 1, 1})) }
	for _, shape := range []tensor.Shape{{0, 3}, {2, 3, 0, 2}} {
		x := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		fwd := &batchNormOp{stats: stats, training: true, relu: true, dims: shape.Dims()}
		if _, err := fwd.Do(x, vec(), vec()); err == nil {
			t.Errorf("forward accepted x of shape %v", shape)
		}
		g := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		for wrt := 0; wrt < 3; wrt++ {
			if _, err := (&batchNormDiffOp{fwd: fwd, wrt: wrt}).Do(x, vec(), vec(), g); err == nil {
				t.Errorf("gradient %d accepted x of shape %v", wrt, shape)
			}
		}
	}
}

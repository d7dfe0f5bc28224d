package nn

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// Predict writes the argmax over classes of each row of logits
// (batch × classes, float32 or float64, contiguous row-major) into dst,
// which must have one entry per row. Ties go to the lowest class index. A
// NaN logit is an error (naming its row and class). Predict does not
// allocate for a *tensor.Dense.
func Predict(dst []int, logits tensor.Tensor) error {
	if logits == nil {
		return fmt.Errorf("nn: Predict: logits is nil")
	}
	shape := logits.Shape()
	if shape.Dims() != 2 || shape[1] < 1 {
		return fmt.Errorf("nn: Predict: logits have shape %v, want (batch, classes)", shape)
	}
	if v, ok := logits.(tensor.View); ok && v.IsMaterializable() {
		return fmt.Errorf("nn: Predict: logits are a non-contiguous view; materialise them first")
	}
	rows, cols := shape[0], shape[1]
	if len(dst) != rows {
		return fmt.Errorf("nn: Predict: len(dst) = %d, logits have %d rows", len(dst), rows)
	}
	if d, ok := logits.(*tensor.Dense); ok { // typed access: no allocation
		switch d.Dtype() {
		case tensor.Float32:
			return argmaxRows("Predict", dst, d.Float32s(), cols, nil)
		case tensor.Float64:
			return argmaxRows("Predict", dst, d.Float64s(), cols, nil)
		}
	}
	switch data := logits.Data().(type) {
	case []float32:
		return argmaxRows("Predict", dst, data, cols, nil)
	case []float64:
		return argmaxRows("Predict", dst, data, cols, nil)
	default:
		return fmt.Errorf("nn: Predict: logits dtype %v not supported (want float32 or float64)", logits.Dtype())
	}
}

// argmaxRows sets dst[i] to the first index of the maximum of row i of the
// row-major matrix x with cols columns, plus offsets (one per column) when
// offsets is not nil. A NaN is an error of the function named caller.
func argmaxRows[T float32 | float64](caller string, dst []int, x []T, cols int, offsets []float64) error {
	for i := range dst {
		row := x[i*cols : (i+1)*cols]
		best, bestV := 0, math.Inf(-1)
		for c, xv := range row {
			v := float64(xv)
			if offsets != nil {
				v += offsets[c]
			}
			if math.IsNaN(v) {
				if offsets != nil {
					return fmt.Errorf("nn: %s: logits[%d, %d] + offsets[%d] is NaN", caller, i, c, c)
				}
				return fmt.Errorf("nn: %s: logits[%d, %d] is NaN", caller, i, c)
			}
			// invariant: best is the first index of the maximum bestV of row[:c] (+ offsets[:c])
			if c == 0 || v > bestV {
				best, bestV = c, v
			}
		}
		dst[i] = best
	}
	return nil
}

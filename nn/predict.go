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
			return argmaxRows(dst, d.Float32s(), cols)
		case tensor.Float64:
			return argmaxRows(dst, d.Float64s(), cols)
		}
	}
	switch data := logits.Data().(type) {
	case []float32:
		return argmaxRows(dst, data, cols)
	case []float64:
		return argmaxRows(dst, data, cols)
	default:
		return fmt.Errorf("nn: Predict: logits dtype %v not supported (want float32 or float64)", logits.Dtype())
	}
}

// argmaxRows sets dst[i] to the first index of the maximum of row i of the
// row-major matrix x with cols columns.
func argmaxRows[T float32 | float64](dst []int, x []T, cols int) error {
	for i := range dst {
		row := x[i*cols : (i+1)*cols]
		best := 0
		for c, v := range row {
			if math.IsNaN(float64(v)) {
				return fmt.Errorf("nn: Predict: logits[%d, %d] is NaN", i, c)
			}
			// invariant: row[best] is the first maximum of row[:c]
			if v > row[best] {
				best = c
			}
		}
		dst[i] = best
	}
	return nil
}

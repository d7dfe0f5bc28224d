package op

import "sync"

// The column layout of sbaOp (the HyperSimplex loss's class columns of
// batch-major logits) projects the rows of a transposed copy. The copies
// come from per-dtype pools, so a training loop allocates them once.

var (
	scratch32 = sync.Pool{New: func() any { return new([]float32) }}
	scratch64 = sync.Pool{New: func() any { return new([]float64) }}
)

// borrowScratch returns a pooled slice of length n (contents undefined);
// give it back with returnScratch.
func borrowScratch[T float32 | float64](n int) *[]T {
	var zero T
	var p *[]T
	switch any(zero).(type) {
	case float32:
		p = any(scratch32.Get()).(*[]T)
	default:
		p = any(scratch64.Get()).(*[]T)
	}
	if cap(*p) < n {
		*p = make([]T, n)
	}
	*p = (*p)[:n]
	return p
}

// returnScratch puts a slice from borrowScratch back into its pool.
func returnScratch[T float32 | float64](p *[]T) {
	switch q := any(p).(type) {
	case *[]float32:
		scratch32.Put(q)
	case *[]float64:
		scratch64.Put(q)
	}
}

// transposeBlock is the tile edge of transposeInto: a 32 × 32 tile of
// float64 (8 KiB) is read and written while in L1.
const transposeBlock = 32

// transposeInto sets dst (cols × rows) to the transpose of src (rows × cols),
// both row-major: dst[j·rows + i] = src[i·cols + j]. Tiled for the cache.
func transposeInto[T any](dst, src []T, rows, cols int) {
	for i0 := 0; i0 < rows; i0 += transposeBlock {
		i1 := min(i0+transposeBlock, rows)
		for j0 := 0; j0 < cols; j0 += transposeBlock {
			j1 := min(j0+transposeBlock, cols)
			for i := i0; i < i1; i++ {
				for j := j0; j < j1; j++ {
					dst[j*rows+i] = src[i*cols+j]
				}
			}
		}
	}
}

package hypersimplex

import "sync"

// scratchPool holds float64 work buffers for Project and BinaryArgmax, so
// that a call allocates nothing once a buffer of its size has been pooled.
var scratchPool = sync.Pool{New: func() any { return new([]float64) }}

// getScratch returns a pooled buffer of length n; give it back with
// scratchPool.Put.
func getScratch(n int) *[]float64 {
	p := scratchPool.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return p
}

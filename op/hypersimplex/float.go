package hypersimplex

// Float is the element type of the kernels: float32 or float64 (or a type
// defined on them). Whatever T is, the kernels accumulate sums in float64.
type Float interface{ ~float32 | ~float64 }

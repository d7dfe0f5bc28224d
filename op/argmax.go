package op

import "sort"

// BinaryArgmax sets y to the hard top-k indicator of x (the τ → 0 limit of
// Project): y_i = 1 if x_i is among the k largest entries of x, else 0.
// Ties at the k-th place are broken in favour of lower indices. y may alias x.
//
// It returns an error, leaving y unchanged, if len(y) != len(x), k is outside
// [0, len(x)] or x holds a NaN.
func BinaryArgmax[T Float](y, x []T, k int) error {
	if err := checkLen("y", len(y), "x", len(x)); err != nil {
		return err
	}
	if k < 0 || k > len(x) {
		return checkK(float64(k), len(x))
	}
	for i, v := range x {
		if v != v {
			return nonFinite("x", i, float64(v))
		}
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] > x[idx[b]] })
	for r, i := range idx {
		if r < k {
			y[i] = 1
		} else {
			y[i] = 0
		}
	}
	return nil
}

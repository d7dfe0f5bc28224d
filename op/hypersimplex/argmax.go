package hypersimplex

// BinaryArgmax sets y to the hard top-k indicator of x, the τ → 0 limit of
// Project for integer k: y_i = 1 if x_i is among the k largest entries of x,
// else 0. Ties at the k-th place go to the lowest indices, so Σ y = k
// always. ±Inf entries are ordered as usual. y may alias x; otherwise x is
// left unchanged. O(n) expected (quickselect on a pooled scratch copy), no
// allocation per call.
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
	if k == 0 || k == len(x) {
		fill(y, T(b2i(k > 0)))
		return nil
	}
	buf := getScratch(len(x))
	defer scratchPool.Put(buf)
	a := *buf
	for i, v := range x {
		a[i] = float64(v)
	}
	kth, greater := selectDescending(a, k)
	quota := k - greater // entries equal to kth that still get a 1
	for i, v := range x {
		f := float64(v)
		if f > kth || f == kth && quota > 0 {
			if f == kth {
				quota--
			}
			y[i] = 1
		} else {
			y[i] = 0
		}
	}
	return nil
}

// selectDescending returns the k-th largest entry of a (1 ≤ k ≤ len(a)) and
// the number of entries strictly greater than it, reordering a. Iterative
// quickselect with a three-way partition (ties cost nothing) and the median
// of three pseudo-random entries as pivot: O(n) expected for any input.
func selectDescending(a []float64, k int) (kth float64, greater int) {
	lo, hi := 0, len(a)
	rng := searcher{rng: 0x9E3779B97F4A7C15}
	for {
		n := hi - lo
		p := median3(a[lo+rng.next(n)], a[lo+rng.next(n)], a[lo+rng.next(n)])
		// Invariant: a[lo:gt] > p, a[gt:i] == p, a[eq:hi] < p after the loop.
		gt, i, lt := lo, lo, hi
		for i < lt {
			switch v := a[i]; {
			case v > p:
				a[gt], a[i] = a[i], a[gt]
				gt++
				i++
			case v < p:
				lt--
				a[lt], a[i] = a[i], a[lt]
			default:
				i++
			}
		}
		switch nGreater := gt - lo; {
		case k <= nGreater:
			hi = gt
		case k <= lt-lo:
			return p, greater + nGreater
		default:
			k -= lt - lo
			greater += lt - lo
			lo = lt
		}
	}
}

func median3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
		if a > b {
			b = a
		}
	}
	return b
}

package nn

// ReLU kernels on plain slices: one pass, no allocation, no data-dependent
// branch (random-sign activations would make a branch on the sign
// mispredict about half the time; docs/performance.md has the figures).
// The forward select is the builtin max, which Go compiles without a jump
// (a MINSS/MINSD pair on amd64, FMAX on arm64); the backward one is a
// comparison turned into a 0/1 factor (SETcc and a conversion, no jump).
//
// dst may be the same slice as an input: every element is read before it is
// written, and the TapeMachine runs both kernels in place.

// reluForward sets
//
//	dst[i] = max(x[i], 0)
//
// with the builtin's semantics: +0 for every x[i] ≤ 0 (−0 and −Inf
// included) and NaN for a NaN x[i]. len(x) ≥ len(dst).
func reluForward[T float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(v, 0)
	}
}

// reluBackward sets, from the forward output y and the gradient g of y,
//
//	dst[i] = g[i]·1[y[i] > 0]
//
// so ReLU′(0) = 0, and a NaN y[i] (from a NaN input) passes nothing. It is a
// product, not a select: a NaN or ±Inf g[i] gives NaN also where y[i] = 0,
// as the Hadamard product of G.Rectify does, so a diverged gradient is not
// hidden. len(y), len(g) ≥ len(dst).
func reluBackward[T float](dst, y, g []T) {
	y, g = y[:len(dst)], g[:len(dst)]
	for i, v := range y {
		dst[i] = g[i] * indicator[T](v > 0)
	}
}

// indicator is 1 if b holds and 0 otherwise, compiled without a jump.
func indicator[T float](b bool) T {
	var n int32
	if b {
		n = 1
	}
	return T(n)
}

package nn

import "math"

// Max-pooling kernels on plain slices, NCHW row-major, one (h, w) plane at
// a time (planes = batch·channels). The window of output (oy, ox) covers
// input rows oy·sh − ph … oy·sh − ph + kh − 1 and columns likewise, clipped
// to the image: padding positions never win.

// poolArgmax returns the index within the plane (y·w + x) of the first
// largest element of the window of output (oy, ox), scanning rows then
// columns and keeping the first of equal values, or −1 if no element of
// the window compares larger than −MaxFloat (an all-NaN or all-−Inf
// window). It is the one rule the forward and the backward pass share, so
// the gradient goes exactly where the forward value came from.
func poolArgmax[T float](plane []T, oy, ox int, g geom2d) int {
	y0, x0 := oy*g.sh-g.ph, ox*g.sw-g.pw
	y1, x1 := min(y0+g.kh, g.h), min(x0+g.kw, g.w)
	y0, x0 = max(y0, 0), max(x0, 0)
	best, arg := -maxFloat[T](), -1
	for y := y0; y < y1; y++ {
		row := plane[y*g.w : y*g.w+x1]
		for x := x0; x < x1; x++ {
			if v := row[x]; v > best {
				best, arg = v, y*g.w+x
			}
		}
	}
	return arg
}

// maxPoolForward sets y[p, oy, ox] to the maximum of each window of each
// of the planes of x (x: planes × h·w, y: planes × oh·ow); a window without
// a winner (see poolArgmax) gives −MaxFloat, as G.MaxPool2D. The planes are
// split across the cores.
func maxPoolForward[T float](y, x []T, planes int, g geom2d) {
	hw, ohw := g.h*g.w, g.oh*g.ow
	forEachBlock(planes, planes*hw, func(_, lo, hi int) {
		for p := lo; p < hi; p++ {
			plane, out := x[p*hw:(p+1)*hw], y[p*ohw:(p+1)*ohw]
			if is2x2(g) {
				maxPool2x2(out, plane, g)
				continue
			}
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					v := -maxFloat[T]()
					if a := poolArgmax(plane, oy, ox, g); a >= 0 {
						v = plane[a]
					}
					out[oy*g.ow+ox] = v
				}
			}
		}
	})
}

// is2x2 reports whether g is the CNN's pooling: a 2×2 window, stride 2,
// no padding.
func is2x2(g geom2d) bool {
	return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0
}

// maxPool2x2 is maxPoolForward of one plane for the 2×2 window, stride 2,
// no padding, without a data-dependent branch in the common case: the
// window's maximum is the builtin max of its four values (a MAXSS chain
// on amd64), which is poolArgmax's value unless the window holds a NaN or
// nothing above −MaxFloat; those windows (a predictable, normally
// untaken branch) go through poolArgmax. Its comparisons mispredicted on
// the ReLU outputs the CNN pools (BenchmarkMaxPool2x2). One difference:
// of a −0 and a +0 this returns +0 where the first-largest rule returns
// the first (equal values all the same).
func maxPool2x2[T float](out, plane []T, g geom2d) {
	lowest := -maxFloat[T]()
	for oy := 0; oy < g.oh; oy++ {
		r0 := plane[2*oy*g.w : 2*oy*g.w+2*g.ow]
		r1 := plane[(2*oy+1)*g.w : (2*oy+1)*g.w+2*g.ow]
		o := out[oy*g.ow : (oy+1)*g.ow]
		for ox := range o {
			m := max(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
			if !(m > lowest) {
				m = lowest
				if a := poolArgmax(plane, oy, ox, g); a >= 0 {
					m = plane[a]
				}
			}
			o[ox] = m
		}
	}
}

// maxPoolBackward sets dx (planes × h·w) to the gradient of Σ⟨dy, y⟩:
// each dy[p, oy, ox] is added to the window's first largest element of x
// (poolArgmax), everything else is 0. Overlapping windows (stride < kernel)
// accumulate. The planes are split across the cores.
func maxPoolBackward[T float](dx, x, dy []T, planes int, g geom2d) {
	hw, ohw := g.h*g.w, g.oh*g.ow
	forEachBlock(planes, planes*hw, func(_, lo, hi int) {
		clear(dx[lo*hw : hi*hw])
		for p := lo; p < hi; p++ {
			plane, d, gy := x[p*hw:(p+1)*hw], dx[p*hw:(p+1)*hw], dy[p*ohw:(p+1)*ohw]
			if is2x2(g) {
				maxPool2x2Backward(d, plane, gy, g)
				continue
			}
			for oy := 0; oy < g.oh; oy++ {
				for ox := 0; ox < g.ow; ox++ {
					if a := poolArgmax(plane, oy, ox, g); a >= 0 {
						d[a] += gy[oy*g.ow+ox]
					}
				}
			}
		}
	})
}

// maxPool2x2Backward is maxPoolBackward of one plane for the 2×2 window,
// stride 2, no padding (disjoint windows): the gradient goes to the first
// of the window's values equal to its builtin max, chosen by conditional
// flags from the last to the first, which is poolArgmax's element; the
// windows with a NaN or nothing above −MaxFloat go through poolArgmax.
func maxPool2x2Backward[T float](d, plane, gy []T, g geom2d) {
	lowest := -maxFloat[T]()
	for oy := 0; oy < g.oh; oy++ {
		i0, i1 := 2*oy*g.w, (2*oy+1)*g.w
		for ox := 0; ox < g.ow; ox++ {
			a, b := i0+2*ox, i1+2*ox
			va, vb, vc, vd := plane[a], plane[a+1], plane[b], plane[b+1]
			m := max(va, vb, vc, vd)
			var arg int
			if m > lowest {
				// k = index in (va, vb, vc, vd) of the first value equal to m,
				// from the last to the first by arithmetic on 0/1 flags.
				k := 3
				k -= (k - 2) * flag(vc == m)
				k -= (k - 1) * flag(vb == m)
				k -= k * flag(va == m)
				arg = a + k&1 + (k>>1)*(b-a)
			} else if arg = poolArgmax(plane, oy, ox, g); arg < 0 {
				continue
			}
			d[arg] += gy[oy*g.ow+ox]
		}
	}
}

// flag is 1 if c holds and 0 otherwise, compiled without a jump.
func flag(c bool) int {
	var n int
	if c {
		n = 1
	}
	return n
}

// maxFloat is the largest finite value of T.
func maxFloat[T float]() T {
	var z T
	if _, ok := any(z).(float32); ok {
		return T(math.MaxFloat32)
	}
	m := math.MaxFloat64
	return T(m)
}

package nn

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
)

// Convolution and pooling kernels on plain slices, NCHW row-major: element
// (b, ch, y, x) of a (n, c, h, w) tensor is at ((b·c + ch)·h + y)·w + x.

// geom2d is the geometry of a 2-D sliding window over one (c, h, w) image:
// a kh×kw window moved by (sh, sw) over the image padded by (ph, pw) on
// each side, giving an oh×ow output,
//
//	oh = (h + 2·ph − kh)/sh + 1,   ow = (w + 2·pw − kw)/sw + 1.
type geom2d struct {
	c, h, w    int // input channels and size
	kh, kw     int // window
	ph, pw     int // padding on each side
	sh, sw     int // stride
	oh, ow     int // output size
	rows, cols int // of one image's column matrix: c·kh·kw and oh·ow
}

// newGeom2d fills the derived sizes of a geometry whose arguments were
// checked (positive sizes and strides, window within the padded image).
func newGeom2d(c, h, w, kh, kw, ph, pw, sh, sw int) geom2d {
	g := geom2d{c: c, h: h, w: w, kh: kh, kw: kw, ph: ph, pw: pw, sh: sh, sw: sw}
	g.oh = (h+2*ph-kh)/sh + 1
	g.ow = (w+2*pw-kw)/sw + 1
	g.rows, g.cols = c*kh*kw, g.oh*g.ow
	return g
}

// inSize is the element count of one input image, c·h·w.
func (g geom2d) inSize() int { return g.c * g.h * g.w }

// im2col writes the column matrix of one image x (c·h·w) into col
// (rows × cols, row-major):
//
//	col[(ch·kh + i)·kw + j, oy·ow + ox] = x[ch, oy·sh − ph + i, ox·sw − pw + j]
//
// and 0 where that position lies in the padding. Every entry of col is
// written. Cost: one pass over col.
func im2col[T float](col, x []T, g geom2d) {
	r := 0
	for ch := 0; ch < g.c; ch++ {
		plane := x[ch*g.h*g.w : (ch+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			for j := 0; j < g.kw; j++ {
				dst := col[r*g.cols : (r+1)*g.cols]
				r++
				// Output columns ox in [lo, hi) read inside the row; the rest is padding.
				lo, hi := validRange(g.ow, g.w, g.pw, g.sw, j)
				for oy := 0; oy < g.oh; oy++ {
					d := dst[oy*g.ow : (oy+1)*g.ow]
					iy := oy*g.sh - g.ph + i
					if iy < 0 || iy >= g.h || lo >= hi {
						clear(d)
						continue
					}
					src := plane[iy*g.w : (iy+1)*g.w]
					clear(d[:lo])
					if g.sw == 1 {
						copy(d[lo:hi], src[lo-g.pw+j:])
					} else {
						for ox := lo; ox < hi; ox++ {
							d[ox] = src[ox*g.sw-g.pw+j]
						}
					}
					clear(d[hi:])
				}
			}
		}
	}
}

// col2im adds the column matrix col (rows × cols) back into the image dx
// (c·h·w), the adjoint of im2col:
//
//	dx[ch, oy·sh − ph + i, ox·sw − pw + j] += col[(ch·kh + i)·kw + j, oy·ow + ox]
//
// over all positions inside the image (padding positions are dropped).
// dx is accumulated into, not overwritten.
func col2im[T float](dx, col []T, g geom2d) {
	r := 0
	for ch := 0; ch < g.c; ch++ {
		plane := dx[ch*g.h*g.w : (ch+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			for j := 0; j < g.kw; j++ {
				src := col[r*g.cols : (r+1)*g.cols]
				r++
				lo, hi := validRange(g.ow, g.w, g.pw, g.sw, j)
				if lo >= hi {
					continue
				}
				for oy := 0; oy < g.oh; oy++ {
					iy := oy*g.sh - g.ph + i
					if iy < 0 || iy >= g.h {
						continue
					}
					s := src[oy*g.ow : (oy+1)*g.ow]
					d := plane[iy*g.w : (iy+1)*g.w]
					if g.sw == 1 {
						d = d[lo-g.pw+j : hi-g.pw+j]
						for k, v := range s[lo:hi] {
							d[k] += v
						}
					} else {
						for ox := lo; ox < hi; ox++ {
							d[ox*g.sw-g.pw+j] += s[ox]
						}
					}
				}
			}
		}
	}
}

// validRange returns the output positions [lo, hi) along one axis of
// length out whose input position o·s − p + j lies in [0, in).
func validRange(out, in, p, s, j int) (lo, hi int) {
	// o·s ≥ p − j  ⇔  o ≥ ⌈(p − j)/s⌉;   o·s ≤ in − 1 + p − j  ⇔  o ≤ ⌊(in − 1 + p − j)/s⌋.
	if p-j > 0 {
		lo = (p - j + s - 1) / s
	}
	top := in - 1 + p - j
	if top < 0 {
		return 0, 0
	}
	hi = min(top/s+1, out)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// convForward sets y = conv(x, w) for n images: x is n × (c·h·w), w is
// o × rows (the (o, c, kh, kw) weights), y is n × o × cols. Per image b,
//
//	Y_b (o × cols) = W (o × rows) · col(x_b) (rows × cols),
//
// one im2col into a reused buffer of rows·cols elements and one gemm that
// writes NCHW directly (no transpose). Cost: 2·n·o·rows·cols flops.
func convForward[T float](y, x, w []T, n, o int, g geom2d) {
	col := getScratch[T](g.rows * g.cols)
	defer putScratch(col)
	for b := 0; b < n; b++ {
		im2col(col, x[b*g.inSize():(b+1)*g.inSize()], g)
		gemm(false, false, o, g.cols, g.rows, 1, w, g.rows, col, g.cols, 0, y[b*o*g.cols:(b+1)*o*g.cols], g.cols)
	}
}

// convGradW sets dw (o × rows) to the gradient of Σ⟨dy, conv(x, w)⟩ with
// respect to w,
//
//	dW = Σ_b dY_b (o × cols) · col(x_b)ᵀ (cols × rows),
//
// recomputing each col(x_b) into a reused buffer.
func convGradW[T float](dw, x, dy []T, n, o int, g geom2d) {
	col := getScratch[T](g.rows * g.cols)
	defer putScratch(col)
	clear(dw)
	for b := 0; b < n; b++ {
		im2col(col, x[b*g.inSize():(b+1)*g.inSize()], g)
		gemm(false, true, o, g.rows, g.cols, 1, dy[b*o*g.cols:(b+1)*o*g.cols], g.cols, col, g.cols, 1, dw, g.rows)
	}
}

// convGradX sets dx (n × c·h·w) to the gradient with respect to x,
//
//	dX_b = col2im(Wᵀ (rows × o) · dY_b (o × cols)),
//
// through a reused rows × cols buffer.
func convGradX[T float](dx, w, dy []T, n, o int, g geom2d) {
	dcol := getScratch[T](g.rows * g.cols)
	defer putScratch(dcol)
	for b := 0; b < n; b++ {
		gemm(true, false, g.rows, g.cols, o, 1, w, g.rows, dy[b*o*g.cols:(b+1)*o*g.cols], g.cols, 0, dcol, g.cols)
		d := dx[b*g.inSize() : (b+1)*g.inSize()]
		clear(d)
		col2im(d, dcol, g)
	}
}

// gemm computes C = alpha·op(A)·op(B) + beta·C with the BLAS Gorgonia uses
// (gonum's pure-Go one, or OpenBLAS after accel.Setup): op(A) is m×k,
// op(B) k×n, all row-major with leading dimensions lda, ldb, ldc.
func gemm[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if transA {
		ta = blas.Trans
	}
	if transB {
		tb = blas.Trans
	}
	impl := G.WhichBLAS()
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(ta, tb, m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// scratchPool hands out reusable work buffers (column matrices), so that
// the convolution kernels do not allocate in steady state. A buffer is
// taken for the duration of one op call and returned; the pool keeps every
// buffer it ever handed out (at most one per concurrently running call),
// and grows a buffer only when a larger one is asked for.
type scratchPool[T float] struct {
	mu   sync.Mutex
	free [][]T
}

var (
	scratch32 scratchPool[float32]
	scratch64 scratchPool[float64]
)

// get returns a buffer of length n (contents undefined).
func (p *scratchPool[T]) get(n int) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.free {
		if cap(b) >= n {
			last := len(p.free) - 1
			p.free[i], p.free[last] = p.free[last], nil
			p.free = p.free[:last]
			return b[:n]
		}
	}
	if last := len(p.free) - 1; last >= 0 {
		// Grow one of the buffers rather than keep a small one forever.
		p.free[last] = nil
		p.free = p.free[:last]
	}
	return make([]T, n)
}

// put returns b to the pool.
func (p *scratchPool[T]) put(b []T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, b)
}

// getScratch and putScratch pick the pool of T.
func getScratch[T float](n int) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(scratch32.get(n)).([]T)
	}
	return any(scratch64.get(n)).([]T)
}

func putScratch[T float](b []T) {
	switch b := any(b).(type) {
	case []float32:
		scratch32.put(b)
	case []float64:
		scratch64.put(b)
	}
}

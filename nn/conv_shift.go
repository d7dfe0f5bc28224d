package nn

import (
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// The shifted convolution: a stride-1 convolution with "same" padding
// (kh = 2·ph + 1, kw = 2·pw + 1, so oh = h and ow = w), as kh·kw matrix
// products on shifted views of the input instead of one product on its
// column matrix. It never builds the column matrix (kh·kw copies of the
// input), which im2col writes and col2im reads back: the images of a chunk
// are copied once into a zero-padded layout in which every window offset
// is a constant shift of a contiguous range of columns.
//
// The padded layout of m images of c channels is a c × ld matrix. Rows of
// an image are r = w + pw apart (each followed by pw zeros, which are also
// the next row's left padding), images s = (h + ph)·r apart (each followed
// by ph zero rows, also the next image's top padding), and pixel (0, 0) of
// image 0 sits at base = ph·r + pw, after the first image's top padding:
//
//	P[ch, base + j·s + y·r + x] = x_j[ch, y, x],   0 elsewhere,   ld = base + m·s.
//
// Output pixel (y, x) of image j is column q = j·s + y·r + x of an o × nq
// matrix, nq = (m−1)·s + (h−1)·r + w; window tap (i, k) reads column
// q + off(i, k) of P, off(i, k) = base + (i − ph)·r + (k − pw). So
//
//	Y[:, 0:nq] = Σ_{i,k} W_{ik} (o × c) · P[:, off(i,k) : off(i,k) + nq],
//
// where W_{ik}[oc, ch] = w[oc, ch, i, k]. The columns q that are not a
// pixel (x ≥ w, or a padding row) come out as garbage and are skipped when
// Y is copied back to NCHW. They cost (h+ph)(w+pw)/(h·w) − 1 extra flops:
// 7% on 28×28 maps, 15% on 14×14.
//
// The gradients use the same layout. With the output gradient packed as
// D (o × nq, zero on the non-pixel columns, base 0),
//
//	∂L/∂W_{ik} = D · P[:, off(i,k) : off(i,k) + nq]ᵀ,
//	∂L/∂P[:, off(i,k) : off(i,k) + nq] += W_{ik}ᵀ · D,
//
// and ∂L/∂x is read from the pixel columns of ∂L/∂P.

// shiftLayout is the padded layout of a chunk of m images of geometry g.
type shiftLayout struct {
	m       int // images
	r, s    int // row and image strides
	base    int // column of pixel (0, 0) of image 0
	ld      int // columns of the padded input, base + m·s
	nq      int // output columns computed, (m−1)·s + (h−1)·r + w
	taps    int // kh·kw
	chanLen int // h·w
}

// shiftable reports whether the convolution kernels take the shifted path
// for g: stride 1, "same" padding, at least shiftMinChannels input
// channels, and a BLAS other than gonum's pure-Go one. gonum's gemm starts
// goroutines and allocates on every call, and the shifted path makes
// kh·kw times as many calls: with it, a run of the small CNN of
// TestCNNStepDoesNotAllocateActivations allocated 2.7 MB instead of 0.6,
// for no gain in speed (BenchmarkConvKernels, pure Go: within ±15% either
// way).
func shiftable(g geom2d) bool {
	if _, pureGo := G.WhichBLAS().(gonum.Implementation); pureGo {
		return false
	}
	return g.sh == 1 && g.sw == 1 && g.kh == 2*g.ph+1 && g.kw == 2*g.pw+1 && g.c >= shiftMinChannels
}

// shiftMinChannels is the fewest input channels for which the shifted
// products pay: each tap's product has inner dimension c, and with c = 1
// (the CNN's first layer) the column matrix's one product with inner
// dimension kh·kw was up to 2× faster (BenchmarkConvKernels, 28×28, batch
// 128); from c = 8 the shifted one was 1.1–1.4× faster, at c = 64 1.2–1.5×.
const shiftMinChannels = 8

// newShiftLayout returns the layout of m images of geometry g (shiftable).
func newShiftLayout(g geom2d, m int) shiftLayout {
	r := g.w + g.pw
	s := (g.h + g.ph) * r
	base := g.ph*r + g.pw
	return shiftLayout{
		m: m, r: r, s: s, base: base, ld: base + m*s,
		nq: (m-1)*s + (g.h-1)*r + g.w, taps: g.kh * g.kw, chanLen: g.h * g.w,
	}
}

// shiftChunk returns how many images go into one product: about
// convChunkColumns columns, as the column-matrix kernels.
func shiftChunk(g geom2d, n int) int {
	l := newShiftLayout(g, 1)
	return max(1, min(n, convChunkColumns/l.s))
}

// offset returns off(i, k), the column shift of window tap t = i·kw + k.
func (l shiftLayout) offset(g geom2d, t int) int {
	i, k := t/g.kw, t%g.kw
	return l.base + (i-g.ph)*l.r + (k - g.pw)
}

// shiftPack writes the m images of src (NCHW, chans channels of h×w
// each) into dst (chans × ld) in the padded layout with pixel (0, 0) of
// image 0 at column base. Every column of the chans rows is written:
// zeros outside the pixels. One pass over dst.
func shiftPack[T float](dst []T, ld, base int, src []T, chans int, g geom2d, l shiftLayout) {
	for ch := 0; ch < chans; ch++ {
		row := dst[ch*ld : (ch+1)*ld]
		clear(row[:base])
		for j := 0; j < l.m; j++ {
			img := src[(j*chans+ch)*l.chanLen : (j*chans+ch+1)*l.chanLen]
			p := base + j*l.s
			for y := 0; y < g.h; y++ {
				copy(row[p:p+g.w], img[y*g.w:(y+1)*g.w])
				clear(row[p+g.w : p+l.r])
				p += l.r
			}
			clear(row[p : base+(j+1)*l.s])
		}
		clear(row[base+l.m*l.s:])
	}
}

// shiftUnpack copies the pixels of the padded src (chans × ld, pixel
// (0, 0) of image 0 at column base) to dst (m images, NCHW).
func shiftUnpack[T float](dst, src []T, ld, base, chans int, g geom2d, l shiftLayout) {
	for ch := 0; ch < chans; ch++ {
		row := src[ch*ld : (ch+1)*ld]
		for j := 0; j < l.m; j++ {
			img := dst[(j*chans+ch)*l.chanLen : (j*chans+ch+1)*l.chanLen]
			p := base + j*l.s
			for y := 0; y < g.h; y++ {
				copy(img[y*g.w:(y+1)*g.w], row[p:p+g.w])
				p += l.r
			}
		}
	}
}

// shiftWeights writes w (o × c·kh·kw, the (o, c, kh, kw) weights) as kh·kw
// matrices W_t (o × c) into wt (taps × o × c).
func shiftWeights[T float](wt, w []T, o int, g geom2d) {
	taps := g.kh * g.kw
	for oc := 0; oc < o; oc++ {
		for ch := 0; ch < g.c; ch++ {
			src := w[(oc*g.c+ch)*taps : (oc*g.c+ch+1)*taps]
			for t, v := range src {
				wt[(t*o+oc)*g.c+ch] = v
			}
		}
	}
}

// forEachShiftChunk cuts n images into chunks of shiftChunk(g, n) and
// calls fn(wk, l, b0, bufC, bufO) for each chunk on forEachBlock's
// workers: l is the chunk's layout, b0 its first image, and bufC (c × ld)
// and bufO (o × ld) are work buffers of worker wk, reused from chunk to
// chunk.
func forEachShiftChunk[T float](n, o int, g geom2d, fn func(wk int, l shiftLayout, b0 int, bufC, bufO []T)) {
	nb := shiftChunk(g, n)
	chunks := (n + nb - 1) / nb
	full := newShiftLayout(g, nb)
	forEachBlock(chunks, n*o*g.rows*g.cols, func(wk, lo, hi int) {
		bufC := getScratch[T](g.c * full.ld)
		defer putScratch(bufC)
		bufO := getScratch[T](o * full.ld)
		defer putScratch(bufO)
		for k := lo; k < hi; k++ {
			b0 := k * nb
			fn(wk, newShiftLayout(g, min(nb, n-b0)), b0, bufC, bufO)
		}
	})
}

// shiftConvForward sets y = conv(x, w) for n images (convKernels.forward; g
// shiftable): per chunk of images, one pack of x, kh·kw products
// accumulated into an o × nq buffer, one unpack into y. Cost:
// 2·n·o·c·kh·kw·(h+ph)(w+pw) flops; working memory (c + o)·ld elements per
// worker plus the taps' weights.
func shiftConvForward[T float](y, x, w []T, n, o int, g geom2d) {
	wt := getScratch[T](o * g.rows)
	defer putScratch(wt)
	shiftWeights(wt, w, o, g)
	forEachShiftChunk(n, o, g, func(_ int, l shiftLayout, b0 int, xp, yp []T) {
		shiftPack(xp, l.ld, l.base, x[b0*g.inSize():], g.c, g, l)
		for t := 0; t < l.taps; t++ {
			beta := T(1)
			if t == 0 {
				beta = 0
			}
			gemm(false, false, o, l.nq, g.c, 1, wt[t*o*g.c:(t+1)*o*g.c], g.c,
				xp[l.offset(g, t):], l.ld, beta, yp, l.ld)
		}
		shiftUnpack(y[b0*o*g.cols:], yp, l.ld, 0, o, g, l)
	})
}

// shiftConvGradW sets dw (o × c·kh·kw) to ∂Σ⟨dy, conv(x, w)⟩/∂w
// (convKernels.gradW; g shiftable): per chunk, x and dy are packed (dy at
// base 0, so that its non-pixel columns are zero) and each tap's o × c block gets
// D · P_tᵀ. Each worker sums its chunks into its own taps × o × c buffer
// (workerSums); the partial sums are added and reordered into dw at the
// end. No images give a zero dw.
func shiftConvGradW[T float](dw, x, dy []T, n, o int, g geom2d) {
	byTap := getScratch[T](len(dw)) // taps × o × c, the products' layout
	defer putScratch(byTap)
	acc := newWorkerSums(byTap)
	forEachShiftChunk(n, o, g, func(wk int, l shiftLayout, b0 int, xp, dyp []T) {
		sum := acc.of(wk)
		shiftPack(xp, l.ld, l.base, x[b0*g.inSize():], g.c, g, l)
		shiftPack(dyp, l.ld, 0, dy[b0*o*g.cols:], o, g, l)
		for t := 0; t < l.taps; t++ {
			gemm(false, true, o, g.c, l.nq, 1, dyp, l.ld, xp[l.offset(g, t):], l.ld,
				1, sum[t*o*g.c:(t+1)*o*g.c], g.c)
		}
	})
	acc.sum()
	taps := g.kh * g.kw
	for t := 0; t < taps; t++ {
		for oc := 0; oc < o; oc++ {
			for ch := 0; ch < g.c; ch++ {
				dw[(oc*g.c+ch)*taps+t] = byTap[(t*o+oc)*g.c+ch]
			}
		}
	}
}

// shiftConvGradX sets dx (n × c·h·w) to the gradient with respect to x
// (convKernels.gradX; g shiftable): per chunk, dy is packed at base 0 and
// each tap adds W_tᵀ · D into the padded gradient at its shift, the centre tap
// first (it covers every pixel column, so it overwrites instead of
// adding); the pixels are then copied out.
func shiftConvGradX[T float](dx, w, dy []T, n, o int, g geom2d) {
	wt := getScratch[T](o * g.rows)
	defer putScratch(wt)
	shiftWeights(wt, w, o, g)
	centre := g.ph*g.kw + g.pw
	forEachShiftChunk(n, o, g, func(_ int, l shiftLayout, b0 int, dxp, dyp []T) {
		shiftPack(dyp, l.ld, 0, dy[b0*o*g.cols:], o, g, l)
		for i := 0; i < l.taps; i++ {
			t, beta := (centre+i)%l.taps, T(1)
			if i == 0 {
				beta = 0
			}
			gemm(true, false, g.c, l.nq, o, 1, wt[t*o*g.c:(t+1)*o*g.c], g.c, dyp, l.ld,
				beta, dxp[l.offset(g, t):], l.ld)
		}
		shiftUnpack(dx[b0*g.inSize():], dxp, l.ld, l.base, g.c, g, l)
	})
}

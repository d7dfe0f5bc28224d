package nn

import (
	"runtime"
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
// (rows × cols, row-major with leading dimension ld ≥ cols, so that the
// matrices of several images can sit side by side):
//
//	col[(ch·kh + i)·kw + j, oy·ow + ox] = x[ch, oy·sh − ph + i, ox·sw − pw + j]
//
// and 0 where that position lies in the padding. Every entry of the
// rows × cols block is written. Cost: one pass over it.
func im2col[T float](col []T, ld int, x []T, g geom2d) {
	r := 0
	for ch := 0; ch < g.c; ch++ {
		plane := x[ch*g.h*g.w : (ch+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			for j := 0; j < g.kw; j++ {
				dst := col[r*ld : r*ld+g.cols]
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

// col2im adds the column matrix col (rows × cols, leading dimension ld)
// back into the image dx (c·h·w), the adjoint of im2col:
//
//	dx[ch, oy·sh − ph + i, ox·sw − pw + j] += col[(ch·kh + i)·kw + j, oy·ow + ox]
//
// over all positions inside the image (padding positions are dropped).
// dx is accumulated into, not overwritten.
func col2im[T float](dx, col []T, ld int, g geom2d) {
	r := 0
	for ch := 0; ch < g.c; ch++ {
		plane := dx[ch*g.h*g.w : (ch+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			for j := 0; j < g.kw; j++ {
				src := col[r*ld : r*ld+g.cols]
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

// convChunkColumns is the number of columns (images × output positions)
// the convolution kernels put side by side in one gemm: enough for the
// BLAS to run near its speed on 14×14 maps (196 columns per image, 8
// images), few enough that the column buffer stays small (c·kh·kw × 1600
// elements: 3.7 MB for the CNN's 64·3·3 rows in float32, one per worker).
// On 28×28 maps a chunk is 2 images, on 7×7 maps 32. Measured on the
// CNN's layers when it was chosen (column path, batch 32, OpenBLAS, 2
// cores, with the BLAS's own threads): against one image per gemm, 1600
// columns made the 14×14 passes 1.4–1.9× faster and the 28×28 ones
// 1.0–1.7×; 3136 columns was no better and 800 no worse by more than the
// run-to-run noise of this shared host. The shifted path cuts its chunks
// at the same number of padded columns (on 28×28 maps with padding 1 that
// is one image of 29·29 = 841, on 14×14 seven of 225); at 1600, 3400 and
// 6800 it ran within 10% (batch 128).
const convChunkColumns = 1600

// convChunk returns how many images of geometry g go into one gemm.
func convChunk(g geom2d, n int) int {
	return max(1, min(n, convChunkColumns/g.cols))
}

// convKernels are the three kernels of a convolution of n images, all of
// the form f(a, b, c, n, o, g): x is n × (c·h·w), w is o × rows (the
// (o, c, kh, kw) weights), y and dy are n × o × cols.
//
//	forward(y, x, w):  y = conv(x, w)
//	gradW(dw, x, dy):  dw = ∂Σ⟨dy, conv(x, w)⟩/∂w
//	gradX(dx, w, dy):  dx = ∂Σ⟨dy, conv(x, w)⟩/∂x
type convKernels[T float] struct {
	path                  string // "winograd", "shifted" or "column"
	forward, gradW, gradX func(a, b, c []T, n, o int, g geom2d)
}

// kernelsFor returns the Winograd kernels (conv_winograd.go,
// conv_winograd_gradw.go) where they apply (winogradable), the shifted
// kernels (conv_shift.go) where those apply (shiftable), else the
// column-matrix ones.
func kernelsFor[T float](g geom2d) convKernels[T] {
	if winogradable(g) {
		return winogradKernels[T]()
	}
	if shiftable(g) {
		return shiftKernels[T]()
	}
	return columnKernels[T]()
}

// winogradKernels, shiftKernels and columnKernels are the three paths'
// kernels.
func winogradKernels[T float]() convKernels[T] {
	return convKernels[T]{"winograd", winogradForward[T], winogradGradW[T], winogradGradX[T]}
}

func shiftKernels[T float]() convKernels[T] {
	return convKernels[T]{"shifted", shiftConvForward[T], shiftConvGradW[T], shiftConvGradX[T]}
}

func columnKernels[T float]() convKernels[T] {
	return convKernels[T]{"column", colConvForward[T], colConvGradW[T], colConvGradX[T]}
}

// colConvForward is convKernels.forward through column matrices, for any
// geometry. For a chunk of nb images (convChunk) it writes their column matrices side by side into
// a reused buffer and computes
//
//	[Y_1 … Y_nb] (o × nb·cols) = W (o × rows) · [col(x_1) … col(x_nb)] (rows × nb·cols)
//
// in one gemm, then copies each Y_b's o rows of cols values to its place
// in NCHW (a block copy, no transpose; none at all for nb = 1). The chunks
// are split across the cores (forEachBlock), each worker with its own
// buffers and one BLAS call per chunk. Cost: 2·n·o·rows·cols flops;
// working memory (rows + o)·nb·cols elements per worker.
func colConvForward[T float](y, x, w []T, n, o int, g geom2d) {
	forEachColChunk(n, o, g, func(_, b0, m int, col, tmp []T) {
		ld := m * g.cols
		im2colImages(col, x[b0*g.inSize():(b0+m)*g.inSize()], m, g)
		if m == 1 {
			gemm(false, false, o, g.cols, g.rows, 1, w, g.rows, col, ld, 0, y[b0*o*g.cols:(b0+1)*o*g.cols], g.cols)
			return
		}
		gemm(false, false, o, ld, g.rows, 1, w, g.rows, col, ld, 0, tmp, ld)
		scatterImages(y[b0*o*g.cols:(b0+m)*o*g.cols], tmp, m, o, g.cols)
	})
}

// forEachColChunk cuts n images into chunks of convChunk(g, n) and calls
// fn(wk, b0, m, col, tmp) for each chunk on forEachBlock's workers: b0 is
// the chunk's first image and m its number of images, col (rows × m·cols)
// and tmp (o × m·cols) are work buffers of worker wk, reused from chunk to
// chunk.
func forEachColChunk[T float](n, o int, g geom2d, fn func(wk, b0, m int, col, tmp []T)) {
	nb := convChunk(g, n)
	chunks := (n + nb - 1) / nb
	forEachBlock(chunks, n*o*g.rows*g.cols, func(wk, lo, hi int) {
		col := getScratch[T](g.rows * nb * g.cols)
		defer putScratch(col)
		tmp := getScratch[T](o * nb * g.cols)
		defer putScratch(tmp)
		for k := lo; k < hi; k++ {
			b0 := k * nb
			fn(wk, b0, min(nb, n-b0), col, tmp)
		}
	})
}

// colConvGradW is convKernels.gradW through column matrices, for any geometry:
//
//	dW = Σ_chunks [dY_1 … dY_nb] (o × nb·cols) · [col(x_1) … col(x_nb)]ᵀ (nb·cols × rows),
//
// recomputing the column matrices of each chunk into a reused buffer and
// gathering the chunk's dY_b side by side (a block copy). Each worker sums
// its chunks into its own o × rows buffer (worker 0 into dw); the partial
// sums are added at the end.
func colConvGradW[T float](dw, x, dy []T, n, o int, g geom2d) {
	acc := newWorkerSums(dw)
	forEachColChunk(n, o, g, func(wk, b0, m int, col, tmp []T) {
		ld := m * g.cols
		im2colImages(col, x[b0*g.inSize():(b0+m)*g.inSize()], m, g)
		gy := gatherImages(tmp, dy[b0*o*g.cols:(b0+m)*o*g.cols], m, o, g.cols)
		gemm(false, true, o, g.rows, ld, 1, gy, ld, col, ld, 1, acc.of(wk), g.rows)
	})
	acc.sum()
}

// workerSums gives each forEachBlock worker its own zeroed accumulator of
// dst's length (worker 0 dst itself, the others pooled buffers taken on
// first use), so that workers sum without sharing; sum adds the others
// into dst and returns them to the pool.
type workerSums[T float] struct {
	parts [][]T
}

// newWorkerSums clears dst and returns its accumulators.
func newWorkerSums[T float](dst []T) *workerSums[T] {
	clear(dst)
	parts := make([][]T, runtime.GOMAXPROCS(0)) // forEachBlock runs at most this many workers
	parts[0] = dst
	return &workerSums[T]{parts: parts}
}

// of returns worker wk's accumulator.
func (w *workerSums[T]) of(wk int) []T {
	if w.parts[wk] == nil {
		w.parts[wk] = getScratch[T](len(w.parts[0]))
		clear(w.parts[wk])
	}
	return w.parts[wk]
}

// sum adds every worker's accumulator into dst.
func (w *workerSums[T]) sum() {
	for _, p := range w.parts[1:] {
		if p != nil {
			for i, v := range p {
				w.parts[0][i] += v
			}
			putScratch(p)
		}
	}
}

// colConvGradX is convKernels.gradX through column matrices, for any geometry:
//
//	[dcol_1 … dcol_nb] = Wᵀ (rows × o) · [dY_1 … dY_nb] (o × nb·cols),   dX_b = col2im(dcol_b),
//
// through reused buffers, the chunks split across the cores.
func colConvGradX[T float](dx, w, dy []T, n, o int, g geom2d) {
	forEachColChunk(n, o, g, func(_, b0, m int, dcol, tmp []T) {
		ld := m * g.cols
		gy := gatherImages(tmp, dy[b0*o*g.cols:(b0+m)*o*g.cols], m, o, g.cols)
		gemm(true, false, g.rows, ld, o, 1, w, g.rows, gy, ld, 0, dcol, ld)
		col2imImages(dx[b0*g.inSize():(b0+m)*g.inSize()], dcol, m, g)
	})
}

// im2colImages writes the column matrices of the m images of x side by
// side into col (rows × m·cols).
func im2colImages[T float](col, x []T, m int, g geom2d) {
	ld := m * g.cols
	for j := 0; j < m; j++ {
		im2col(col[j*g.cols:], ld, x[j*g.inSize():(j+1)*g.inSize()], g)
	}
}

// col2imImages sets the m images of dx to col2im of their column matrices,
// side by side in dcol (rows × m·cols).
func col2imImages[T float](dx, dcol []T, m int, g geom2d) {
	ld := m * g.cols
	for j := 0; j < m; j++ {
		d := dx[j*g.inSize() : (j+1)*g.inSize()]
		clear(d)
		col2im(d, dcol[j*g.cols:], ld, g)
	}
}

// scatterImages copies src (o × m·cols: the images side by side) to dst
// (m × o × cols, NCHW).
func scatterImages[T float](dst, src []T, m, o, cols int) {
	ld := m * cols
	for j := 0; j < m; j++ {
		for k := 0; k < o; k++ {
			copy(dst[(j*o+k)*cols:(j*o+k+1)*cols], src[k*ld+j*cols:k*ld+(j+1)*cols])
		}
	}
}

// gatherImages returns src (m × o × cols, NCHW) as an o × m·cols matrix
// (the images side by side): src itself for m = 1, else a copy in buf.
func gatherImages[T float](buf, src []T, m, o, cols int) []T {
	if m == 1 {
		return src
	}
	ld := m * cols
	for j := 0; j < m; j++ {
		for k := 0; k < o; k++ {
			copy(buf[k*ld+j*cols:k*ld+(j+1)*cols], src[(j*o+k)*cols:(j*o+k+1)*cols])
		}
	}
	return buf[:o*ld]
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

// get returns a buffer of length n (contents undefined): the smallest free
// one that is large enough (so that a small request does not take the
// buffer a large one needs), else a new one, which replaces the smallest
// free buffer so that the pool does not keep buffers too small for any
// request forever.
func (p *scratchPool[T]) get(n int) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	best, smallest := -1, -1
	for i, b := range p.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(p.free[best])) {
			best = i
		}
		if smallest < 0 || cap(b) < cap(p.free[smallest]) {
			smallest = i
		}
	}
	if best >= 0 {
		return p.take(best)[:n]
	}
	if smallest >= 0 {
		p.take(smallest)
	}
	return make([]T, n)
}

// take removes free buffer i from the pool and returns it.
func (p *scratchPool[T]) take(i int) []T {
	b := p.free[i]
	last := len(p.free) - 1
	p.free[i], p.free[last] = p.free[last], nil
	p.free = p.free[:last]
	return b
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

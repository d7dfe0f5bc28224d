package nn

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) for the 3×3,
// stride-1, padding-1 convolutions: each 2×2 block of output pixels
// ("tile") of one output channel is
//
//	Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
// with d_c the 4×4 input patch of channel c around the tile (zero outside
// the image) and g_c the 3×3 kernel, and
//
//	Bᵀ = ⎡1  0 −1  0⎤   G = ⎡ 1    0    0 ⎤   Aᵀ = ⎡1 1  1  0⎤
//	     ⎢0  1  1  0⎥       ⎢1/2  1/2  1/2⎥        ⎣0 1 −1 −1⎦
//	     ⎢0 −1  1  0⎥       ⎢1/2 −1/2  1/2⎥
//	     ⎣0  1  0 −1⎦       ⎣ 0    0    1 ⎦.
//
// The sum over channels at each of the 16 points ξ of the transformed
// tile is a matrix product: with U_ξ[o, c] = (G g_{o,c} Gᵀ)_ξ and
// V_ξ[c, t] = (Bᵀ d_{c,t} B)_ξ over the tiles t of a chunk of images,
//
//	M_ξ (o × tiles) = U_ξ (o × c) · V_ξ (c × tiles),   ξ = 0 … 15,
//
// 16 gemms with 16·o·c multiply-adds per tile of 4 pixels against the
// direct convolution's 36: 2.25× fewer flops, for two transforms (one
// pass each over a buffer 4× the size of the input or the output).
// ∂L/∂x of a 3×3 same convolution is itself one, of ∂L/∂y with the kernels
// rotated by 180° and their in and out channels swapped, so it runs
// through the same code; ∂L/∂w is the adjoint (conv_winograd_gradw.go).
// The transforms' constants are 0, ±1 and ±1/2, so
// the rounding stays within a few ulps of the direct products' (the
// float32 tests hold the direct tolerances).

// winogradable reports whether the Winograd kernels take g's convolution:
// a 3×3 window, stride 1, padding 1, on the shifted path's terms (at
// least shiftMinChannels input channels and a cgo BLAS).
func winogradable(g geom2d) bool {
	return shiftable(g) && g.kh == 3 && g.kw == 3
}

// winogradChunkTiles is about how many tiles one chunk of images puts
// side by side in the 16 products (at least one image's): the transformed
// input and output of a chunk, 16·(c + o)·tiles elements, stay near the
// cores' caches, 1 MB per worker for the CNN's 64 channels in float32.
// BenchmarkConvKernels (batch 128, 14×14 maps, forward and ∂L/∂x): 9.4–9.7
// ms at 128 tiles (two images), 9.5–10.3 at 64, 10.2–10.5 at 256, 11–12.8
// at 512 and 1024; on 28×28 maps (196 tiles an image) one image was the
// fastest chunk.
const winogradChunkTiles = 128

// wgTiles returns the tile grid of one image: ⌈h/2⌉ × ⌈w/2⌉.
func wgTiles(g geom2d) (th, tw int) { return (g.h + 1) / 2, (g.w + 1) / 2 }

// winogradForward sets y = conv(x, w) for n images (convKernels.forward;
// g winogradable).
func winogradForward[T float](y, x, w []T, n, o int, g geom2d) {
	u := getScratch[T](16 * o * g.c)
	defer putScratch(u)
	winogradWeights(u, w, o, g.c, false)
	winogradConv(y, x, u, n, g.c, o, g)
}

// winogradGradX sets dx to the gradient with respect to x
// (convKernels.gradX; g winogradable): the convolution of dy (o channels)
// with the rotated, transposed kernels.
func winogradGradX[T float](dx, w, dy []T, n, o int, g geom2d) {
	u := getScratch[T](16 * o * g.c)
	defer putScratch(u)
	winogradWeights(u, w, o, g.c, true)
	gt := newGeom2d(o, g.h, g.w, 3, 3, 1, 1, 1, 1)
	winogradConv(dx, dy, u, n, o, g.c, gt)
}

// winogradWeights writes U_ξ = (G g Gᵀ)_ξ of the (o, c, 3, 3) kernels w
// into u (16 × o × c); with flip, of the kernels rotated by 180° with the
// channels swapped, into u (16 × c × o): U_ξ[ch, oc] = (G rot(g_{oc,ch}) Gᵀ)_ξ.
func winogradWeights[T float](u, w []T, o, c int, flip bool) {
	for oc := 0; oc < o; oc++ {
		for ch := 0; ch < c; ch++ {
			k := w[(oc*c+ch)*9 : (oc*c+ch+1)*9]
			var g [9]float64
			for i, v := range k {
				if flip {
					i = 8 - i
				}
				g[i] = float64(v)
			}
			// Gg (4 × 3), then (Gg)Gᵀ (4 × 4).
			var gg [4][3]float64
			for j := 0; j < 3; j++ {
				a, b, d := g[j], g[3+j], g[6+j]
				gg[0][j], gg[1][j], gg[2][j], gg[3][j] = a, (a+b+d)/2, (a-b+d)/2, d
			}
			dst, stride := oc*c+ch, o*c
			if flip {
				dst = ch*o + oc
			}
			for i := 0; i < 4; i++ {
				a, b, d := gg[i][0], gg[i][1], gg[i][2]
				row := [4]float64{a, (a + b + d) / 2, (a - b + d) / 2, d}
				for j, v := range row {
					u[(i*4+j)*stride+dst] = T(v)
				}
			}
		}
	}
}

// winogradConv sets y (n × cout × h·w) to the 3×3 same convolution of x
// (n × cin × h·w, geometry g with g.c = cin) with the transformed kernels
// u (16 × cout × cin): per chunk of images, the input transform, 16 gemms
// M_ξ = U_ξ·V_ξ, the output transform.
func winogradConv[T float](y, x, u []T, n, cin, cout int, g geom2d) {
	forEachWinogradChunk(n, cin, cout, g, func(c *wgChunk[T]) {
		c.transformInput(x, cin, g)
		for xi := 0; xi < 16; xi++ {
			gemm(false, false, cout, c.tiles, cin, 1, u[xi*cout*cin:(xi+1)*cout*cin], cin,
				c.vBlock(xi, cin), c.tiles, 0, c.mBlock(xi, cout), c.tiles)
		}
		th, tw := wgTiles(g)
		for j := 0; j < c.imgs; j++ {
			for oc := 0; oc < cout; oc++ {
				dst := y[((c.b0+j)*cout+oc)*g.h*g.w:][:g.h*g.w]
				wgOutput(dst, g.h, g.w, c.m[oc*c.tiles+j*th*tw:], c.ms, c.p.s, c.p.ld, th, tw)
			}
		}
	})
}

// wgChunk is one chunk of images of the Winograd kernels, images [b0, b0
// + imgs) with tiles = imgs·th·tw tiles side by side, and the buffers of
// the worker wk that runs it: V (16 matrices of cin × tiles, vs apart), M
// (16 of cout × tiles, ms apart) and a split padded plane.
//
// The matrices are wgPad elements apart, and whatever writes V or M by
// rows of tiles (the input transform into V, winogradGradW's gradient
// transform into M) runs over channels, then images, then rows of tiles,
// in storage order: so the vector loops may store whole blocks of 8 at the
// end of a row of tiles, the surplus landing where a later store
// overwrites it or in the gap, and may load whole blocks past the end of
// a row of M.
type wgChunk[T float] struct {
	wk, b0, imgs, tiles int
	v, m                []T
	vs, ms              int
	p                   wgPlane[T]
}

// vBlock and mBlock return V_ξ and M_ξ.
func (c *wgChunk[T]) vBlock(xi, cin int) []T  { return c.v[xi*c.vs : xi*c.vs+cin*c.tiles] }
func (c *wgChunk[T]) mBlock(xi, cout int) []T { return c.m[xi*c.ms : xi*c.ms+cout*c.tiles] }

// forEachWinogradChunk cuts n images of geometry g into chunks of about
// winogradChunkTiles tiles and calls fn for each on forEachBlock's
// workers, each with its own buffers (16·(cin + cout)·tiles elements and
// a plane), reused from chunk to chunk.
func forEachWinogradChunk[T float](n, cin, cout int, g geom2d, fn func(c *wgChunk[T])) {
	th, tw := wgTiles(g)
	nb := max(1, min(n, winogradChunkTiles/(th*tw)))
	chunks := (n + nb - 1) / nb
	forEachBlock(chunks, n*cout*cin*g.h*g.w, func(wk, lo, hi int) {
		c := &wgChunk[T]{wk: wk, p: newWgPlane[T](th, tw)} // one per worker: the only allocation
		defer c.p.free()
		c.v = getScratch[T](16 * (cin*nb*th*tw + wgPad))
		defer putScratch(c.v)
		c.m = getScratch[T](16 * (cout*nb*th*tw + wgPad))
		defer putScratch(c.m)
		for k := lo; k < hi; k++ {
			c.b0 = k * nb
			c.imgs = min(nb, n-c.b0)
			c.tiles = c.imgs * th * tw
			c.vs, c.ms = cin*c.tiles+wgPad, cout*c.tiles+wgPad
			fn(c)
		}
	})
}

// transformInput writes V_ξ of the chunk's images of x (cin channels of
// geometry g), in storage order (see wgChunk).
func (c *wgChunk[T]) transformInput(x []T, cin int, g geom2d) {
	th, tw := wgTiles(g)
	for ch := 0; ch < cin; ch++ {
		for j := 0; j < c.imgs; j++ {
			c.p.load(x[((c.b0+j)*cin+ch)*g.h*g.w:][:g.h*g.w], g.h, g.w)
			c.p.transform(c.v[ch*c.tiles+j*th*tw:], c.vs)
		}
	}
}

// wgPad is the gap after each matrix of the transform buffers, and the
// spare columns of the plane's rows: one vector loop block.
const wgPad = 8

// wgPlane is one image plane zero-padded by 1 on every side (to 2·th + 2
// rows of 2·tw + 2) and split into its even and odd columns, e and o
// (rows of tw + 1 values, ld apart), so that the input transform reads
// every operand contiguously: tile (ty, tx) covers padded columns 2tx …
// 2tx + 3, which are e[tx], o[tx], e[tx+1], o[tx+1]. b (8 rows) and s (8
// rows) are scratch rows of the transforms. ld, a multiple of 8, is at
// least ⌈tw/8⌉·8 + 1 (the columns past tw + 1 zero in e and o), so that
// the vector loops' whole-block loads at t and t + 1 stay in the row.
type wgPlane[T float] struct {
	th, tw, ld int
	e, o       []T
	b, s       []T
	buf        []T
}

func newWgPlane[T float](th, tw int) wgPlane[T] {
	ld := (tw+wgPad-1)/wgPad*wgPad + wgPad
	rows := 2*th + 2
	buf := getScratch[T](2*rows*ld + 16*ld)
	clear(buf)
	return wgPlane[T]{th: th, tw: tw, ld: ld, e: buf[:rows*ld], o: buf[rows*ld : 2*rows*ld],
		b: buf[2*rows*ld : 2*rows*ld+8*ld], s: buf[2*rows*ld+8*ld : 2*rows*ld+16*ld], buf: buf}
}

func (p *wgPlane[T]) free() { putScratch(p.buf) }

// load copies an h × w image into the plane's interior (padded row r + 1,
// column c + 1); the padding stays zero from newWgPlane, since every load
// writes the same interior.
func (p *wgPlane[T]) load(img []T, h, w int) {
	ld := p.ld
	for r := 0; r < h; r++ {
		src := img[r*w : (r+1)*w]
		e, o := p.e[(r+1)*ld:(r+2)*ld], p.o[(r+1)*ld:(r+2)*ld]
		// padded column c + 1: odd for even c (o[c/2]), even for odd c (e[(c+1)/2]).
		c := 0
		if s32, ok := asFloat32(src); ok {
			e32, _ := asFloat32(e)
			o32, _ := asFloat32(o)
			c = wgSplitRow32(e32, o32, s32)
		}
		for ; c+1 < len(src); c += 2 {
			o[c/2], e[c/2+1] = src[c], src[c+1]
		}
		if len(src)%2 == 1 {
			o[len(src)/2] = src[len(src)-1]
		}
	}
}

// transform writes the transformed tiles Bᵀ d B of the loaded plane: point
// ξ of tile t = ty·tw + tx goes to v[ξ·stride + t]. Per row of tiles, the
// column transform Bᵀ (rows d0 − d2, d1 + d2, d2 − d1, d1 − d3 of the
// tiles' four padded rows) runs over the even and the odd columns, then
// the row transform (columns e0 − e2, e1 + e2, e2 − e1, e1 − e3) over the
// tiles.
func (p *wgPlane[T]) transform(v []T, stride int) {
	if v32, ok := asFloat32(v); ok {
		e, _ := asFloat32(p.e)
		o, _ := asFloat32(p.o)
		if wgTransform32(v32, stride, e, o, p.ld, p.th, p.tw) {
			return
		}
	}
	tw, ld, we := p.tw, p.ld, p.tw+1
	for ty := 0; ty < p.th; ty++ {
		for half := 0; half < 2; half++ {
			src := p.e
			if half == 1 {
				src = p.o
			}
			r0, r1 := src[2*ty*ld:][:we], src[(2*ty+1)*ld:][:we]
			r2, r3 := src[(2*ty+2)*ld:][:we], src[(2*ty+3)*ld:][:we]
			b := p.b[half*4*ld:]
			b0, b1, b2, b3 := b[:we], b[ld:][:we], b[2*ld:][:we], b[3*ld:][:we]
			for k := range b0 {
				b0[k], b1[k], b2[k], b3[k] = r0[k]-r2[k], r1[k]+r2[k], r2[k]-r1[k], r1[k]-r3[k]
			}
		}
		for r := 0; r < 4; r++ {
			be, bo := p.b[r*ld:][:we], p.b[(4+r)*ld:][:we]
			base := ty * tw
			v0 := v[(4*r)*stride+base:][:tw]
			v1 := v[(4*r+1)*stride+base:][:tw]
			v2 := v[(4*r+2)*stride+base:][:tw]
			v3 := v[(4*r+3)*stride+base:][:tw]
			for t := range v0 {
				e0, e1, e2, e3 := be[t], bo[t], be[t+1], bo[t+1]
				v0[t], v1[t], v2[t], v3[t] = e0-e2, e1+e2, e2-e1, e1-e3
			}
		}
	}
}

// wgOutput writes the output pixels Aᵀ M A of one channel's th × tw tiles
// (point ξ of tile t at m[ξ·stride + t]) into dst (h × w), dropping the
// pixels of the last row and column of tiles that fall outside. Per row of
// tiles, the column transform Aᵀ (rows m0 + m1 + m2, m1 − m2 − m3) runs
// over the tiles into s (8 rows, ld apart), then the row transform writes
// the pixels.
func wgOutput[T float](dst []T, h, w int, m []T, stride int, s []T, ld, th, tw int) {
	if d32, ok := asFloat32(dst); ok {
		m32, _ := asFloat32(m)
		s32, _ := asFloat32(s)
		if wgOutput32(d32, h, w, m32, stride, s32, ld, th, tw) {
			return
		}
	}
	for ty := 0; ty < th; ty++ {
		base := ty * tw
		for j := 0; j < 4; j++ {
			m0, m1 := m[j*stride+base:][:tw], m[(4+j)*stride+base:][:tw]
			m2, m3 := m[(8+j)*stride+base:][:tw], m[(12+j)*stride+base:][:tw]
			s0, s1 := s[j*ld:][:tw], s[(4+j)*ld:][:tw]
			for t := range s0 {
				s0[t], s1[t] = m0[t]+m1[t]+m2[t], m1[t]-m2[t]-m3[t]
			}
		}
		for i := 0; i < 2 && 2*ty+i < h; i++ {
			row := dst[(2*ty+i)*w : (2*ty+i+1)*w]
			c0, c1, c2, c3 := s[4*i*ld:][:tw], s[(4*i+1)*ld:][:tw], s[(4*i+2)*ld:][:tw], s[(4*i+3)*ld:][:tw]
			t := 0
			for ; 2*t+1 < w; t++ {
				row[2*t], row[2*t+1] = c0[t]+c1[t]+c2[t], c1[t]-c2[t]-c3[t]
			}
			if t < tw && 2*t < w {
				row[2*t] = c0[t] + c1[t] + c2[t]
			}
		}
	}
}

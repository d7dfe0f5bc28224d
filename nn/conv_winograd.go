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
// through the same code. The transforms' constants are 0, ±1 and ±1/2, so
// the rounding stays within a few ulps of the direct products' (the
// float32 tests hold the direct tolerances).

// winogradable reports whether the Winograd kernels take g's forward pass
// and ∂L/∂x: a 3×3 window, stride 1, padding 1, on the shifted path's
// terms (at least shiftMinChannels input channels and a cgo BLAS).
func winogradable(g geom2d) bool {
	return shiftable(g) && g.kh == 3 && g.kw == 3
}

// winogradChunkTiles is about how many tiles one chunk of images puts
// side by side in the 16 products: the transformed input and output of a
// chunk, 16·(c + o)·tiles elements, are 2 MB per worker for the CNN's
// 64 channels in float32.
const winogradChunkTiles = 256

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
// u (16 × cout × cin): per chunk of images, the input transform, 16 gemms,
// the output transform. The chunks run on forEachBlock's workers, each
// with its own buffers (16·(cin + cout)·tiles elements and one padded
// plane).
func winogradConv[T float](y, x, u []T, n, cin, cout int, g geom2d) {
	th, tw := wgTiles(g)
	nb := max(1, min(n, winogradChunkTiles/(th*tw)))
	chunks := (n + nb - 1) / nb
	ph, pw := 2*th+2, 2*tw+2 // the padded plane
	forEachBlock(chunks, n*cout*cin*g.h*g.w, func(_, lo, hi int) {
		v := getScratch[T](16 * cin * nb * th * tw)
		defer putScratch(v)
		m := getScratch[T](16 * cout * nb * th * tw)
		defer putScratch(m)
		plane := getScratch[T](ph * pw)
		defer putScratch(plane)
		clear(plane)
		for k := lo; k < hi; k++ {
			b0 := k * nb
			imgs := min(nb, n-b0)
			tiles := imgs * th * tw
			for j := 0; j < imgs; j++ {
				for ch := 0; ch < cin; ch++ {
					src := x[((b0+j)*cin+ch)*g.h*g.w:][:g.h*g.w]
					for r := 0; r < g.h; r++ {
						copy(plane[(r+1)*pw+1:][:g.w], src[r*g.w:(r+1)*g.w])
					}
					wgInput(v[ch*tiles+j*th*tw:], cin*tiles, plane, pw, th, tw)
				}
			}
			for xi := 0; xi < 16; xi++ {
				gemm(false, false, cout, tiles, cin, 1, u[xi*cout*cin:(xi+1)*cout*cin], cin,
					v[xi*cin*tiles:(xi+1)*cin*tiles], tiles, 0, m[xi*cout*tiles:(xi+1)*cout*tiles], tiles)
			}
			for j := 0; j < imgs; j++ {
				for oc := 0; oc < cout; oc++ {
					dst := y[((b0+j)*cout+oc)*g.h*g.w:][:g.h*g.w]
					wgOutput(dst, g.h, g.w, m[oc*tiles+j*th*tw:], cout*tiles, th, tw)
				}
			}
		}
	})
}

// wgInput writes the transformed tiles Bᵀ d B of one padded plane (pw
// columns; the image at row 1, column 1, zeros around it) for its th × tw
// tiles: point ξ of tile t = ty·tw + tx goes to v[ξ·stride + t].
func wgInput[T float](v []T, stride int, plane []T, pw, th, tw int) {
	for ty := 0; ty < th; ty++ {
		r0 := plane[2*ty*pw:]
		r1, r2, r3 := r0[pw:], r0[2*pw:], r0[3*pw:]
		for tx := 0; tx < tw; tx++ {
			c := 2 * tx
			t := ty*tw + tx
			// Bᵀ d, column by column: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3.
			var b [4][4]T
			for j := 0; j < 4; j++ {
				d0, d1, d2, d3 := r0[c+j], r1[c+j], r2[c+j], r3[c+j]
				b[0][j], b[1][j], b[2][j], b[3][j] = d0-d2, d1+d2, d2-d1, d1-d3
			}
			// (Bᵀ d) B, row by row.
			for i := 0; i < 4; i++ {
				e0, e1, e2, e3 := b[i][0], b[i][1], b[i][2], b[i][3]
				v[(4*i)*stride+t] = e0 - e2
				v[(4*i+1)*stride+t] = e1 + e2
				v[(4*i+2)*stride+t] = e2 - e1
				v[(4*i+3)*stride+t] = e1 - e3
			}
		}
	}
}

// wgOutput writes the output pixels Aᵀ M A of one channel's th × tw tiles
// (point ξ of tile t at m[ξ·stride + t]) into dst (h × w), dropping the
// pixels of the last row and column of tiles that fall outside.
func wgOutput[T float](dst []T, h, w int, m []T, stride, th, tw int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			t := ty*tw + tx
			// Aᵀ M, column by column: rows m0 + m1 + m2, m1 − m2 − m3.
			var s [2][4]T
			for j := 0; j < 4; j++ {
				m0, m1, m2, m3 := m[j*stride+t], m[(4+j)*stride+t], m[(8+j)*stride+t], m[(12+j)*stride+t]
				s[0][j], s[1][j] = m0+m1+m2, m1-m2-m3
			}
			y, x := 2*ty, 2*tx
			for i := 0; i < 2 && y+i < h; i++ {
				row := dst[(y+i)*w:]
				row[x] = s[i][0] + s[i][1] + s[i][2]
				if x+1 < w {
					row[x+1] = s[i][1] - s[i][2] - s[i][3]
				}
			}
		}
	}
}

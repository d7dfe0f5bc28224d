package nn

// ∂L/∂w of the 3×3 same convolution through the same F(2×2, 3×3)
// transforms, by adjoint: the forward pass is linear in U = G g Gᵀ,
// Y_t = Aᵀ [Σ_c U_c ⊙ V_{c,t}] A, so with ∂L/∂Y_t = dy_t (the tile's 2×2
// output gradient, zero outside the image)
//
//	∂L/∂U_ξ[o, c] = Σ_t (A dy_{o,t} Aᵀ)_ξ · V_ξ[c, t],   ∂L/∂g_{o,c} = Gᵀ (∂L/∂U_{o,c}) G,
//
// the first 16 gemms D_ξ (o × tiles) · V_ξᵀ (tiles × c) summed over the
// chunks, the second 3×3 = (3×4)(4×4)(4×3) per kernel at the end. Against
// the nine shifted products, 16/4 = 4 multiply-adds per pixel instead of 9.

// winogradGradW sets dw (o × c·9) to ∂Σ⟨dy, conv(x, w)⟩/∂w
// (convKernels.gradW; g winogradable). Each worker sums its chunks into
// its own 16 × o × c buffer (workerSums); no images give a zero dw.
func winogradGradW[T float](dw, x, dy []T, n, o int, g geom2d) {
	du := getScratch[T](16 * o * g.c)
	defer putScratch(du)
	acc := newWorkerSums(du)
	th, tw := wgTiles(g)
	forEachWinogradChunk(n, g.c, o, g, func(c *wgChunk[T]) {
		c.transformInput(x, g.c, g)
		for oc := 0; oc < o; oc++ { // storage order, as transformInput (see wgChunk)
			for j := 0; j < c.imgs; j++ {
				src := dy[((c.b0+j)*o+oc)*g.h*g.w:][:g.h*g.w]
				wgGradTransform(c.m[oc*c.tiles+j*th*tw:], c.ms, src, g.h, g.w, c.p.s, c.p.ld, th, tw)
			}
		}
		sum := acc.of(c.wk)
		for xi := 0; xi < 16; xi++ {
			gemm(false, true, o, g.c, c.tiles, 1, c.mBlock(xi, o), c.tiles,
				c.vBlock(xi, g.c), c.tiles, 1, sum[xi*o*g.c:(xi+1)*o*g.c], g.c)
		}
	})
	acc.sum()
	winogradWeightsAdjoint(dw, du, o, g.c)
}

// wgGradTransform writes A dy_t Aᵀ of one channel's output gradient dy
// (h × w) for its th × tw tiles, point ξ of tile t to d[ξ·stride + t]; s
// holds 8 scratch rows ld apart. A (4 × 2) has rows (1, 0), (1, 1),
// (1, −1), (0, −1): per row of tiles, the rows p, q = top, top + bottom,
// top − bottom and −bottom of the tiles' two rows of pixels (each split
// into the tiles' left and right columns), then the columns p, p + q,
// p − q, −q. Pixels outside the image count as 0.
func wgGradTransform[T float](d []T, stride int, dy []T, h, w int, s []T, ld, th, tw int) {
	for ty := 0; ty < th; ty++ {
		// s rows 0–1: the top row's left and right columns, 2–3 the bottom's.
		for i := 0; i < 2; i++ {
			p, q := s[2*i*ld:][:tw], s[(2*i+1)*ld:][:tw]
			clear(p)
			clear(q)
			if y := 2*ty + i; y < h {
				row := dy[y*w : (y+1)*w]
				for c := 0; c+1 < w; c += 2 {
					p[c/2], q[c/2] = row[c], row[c+1]
				}
				if w%2 == 1 {
					p[w/2] = row[w-1]
				}
			}
		}
		base := ty * tw
		if d32, ok := asFloat32(d); ok {
			s32, _ := asFloat32(s)
			if wgGradRows32(d32[base:], stride, s32, ld, tw) {
				continue
			}
		}
		// Rows 1 and 2 of A·dy into s rows 4–7; row 3 negates the bottom
		// in place, row 0 is the top itself.
		tp, tq, bp, bq := s[:tw], s[ld:][:tw], s[2*ld:][:tw], s[3*ld:][:tw]
		r1p, r1q, r2p, r2q := s[4*ld:][:tw], s[5*ld:][:tw], s[6*ld:][:tw], s[7*ld:][:tw]
		for t := range r1p {
			r1p[t], r1q[t], r2p[t], r2q[t] = tp[t]+bp[t], tq[t]+bq[t], tp[t]-bp[t], tq[t]-bq[t]
			bp[t], bq[t] = -bp[t], -bq[t]
		}
		for r, pq := range [4][2][]T{{tp, tq}, {r1p, r1q}, {r2p, r2q}, {bp, bq}} {
			p, q := pq[0], pq[1][:len(pq[0])]
			d0 := d[(4*r)*stride+base:][:len(p)]
			d1 := d[(4*r+1)*stride+base:][:len(p)]
			d2 := d[(4*r+2)*stride+base:][:len(p)]
			d3 := d[(4*r+3)*stride+base:][:len(p)]
			for t, pt := range p {
				d0[t], d1[t], d2[t], d3[t] = pt, pt+q[t], pt-q[t], -q[t]
			}
		}
	}
}

// winogradWeightsAdjoint writes dw[o, c, 3×3] = Gᵀ ∂U G of the 16 × o × c
// point gradients du, in float64: Gᵀ (3 × 4) has rows (1, ½, ½, 0),
// (0, ½, −½, 0), (0, ½, ½, 1).
func winogradWeightsAdjoint[T float](dw, du []T, o, c int) {
	gt := [3][4]float64{{1, 0.5, 0.5, 0}, {0, 0.5, -0.5, 0}, {0, 0.5, 0.5, 1}}
	for oc := 0; oc < o; oc++ {
		for ch := 0; ch < c; ch++ {
			var m [4][4]float64
			for xi := range 16 {
				m[xi/4][xi%4] = float64(du[(xi*o+oc)*c+ch])
			}
			k := dw[(oc*c+ch)*9 : (oc*c+ch+1)*9]
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					sum := 0.0
					for a := 0; a < 4; a++ {
						for b := 0; b < 4; b++ {
							sum += gt[i][a] * m[a][b] * gt[j][b]
						}
					}
					k[i*3+j] = T(sum)
				}
			}
		}
	}
}

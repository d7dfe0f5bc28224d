//go:build goexperiment.simd && amd64

package nn

import "simd/archsimd"

// The vector Winograd transforms do the same additions in the same order
// as the portable loops (bit-identical results), 8 tiles or columns at a
// time, with whole-block loads and stores only: AVX2's masked stores
// (VMASKMOVPS) are microcoded on some CPUs and made the transforms slower
// than the scalar loops. The layout of the transform buffers makes the
// surplus lanes safe (see wgChunk); the output rows, which are the op's
// result, get their last partial block through a copy.

// wgTransform32 is wgPlane.transform for float32. It computes each
// column-transformed value where the row transform needs it, at column t
// and t + 1, straight from the plane, rather than storing the column
// transforms and loading them back one element further on: a load that
// straddles two recent vector stores cannot take their data forwarded and
// stalls until they reach the cache (that made this loop 2× slower). It
// reports false, doing nothing, without AVX2.
func wgTransform32(v []float32, stride int, e, o []float32, ld, th, tw int) bool {
	if !useSIMD {
		return false
	}
	for ty := 0; ty < th; ty++ {
		base := ty * tw
		// Row r of Bᵀd is ra − rb, ra + rb (r = 1), rb − ra (r = 2) of the
		// tile rows (ra, rb) = (0, 2), (1, 2), (2, 1), (1, 3).
		for r := 0; r < 4; r++ {
			ra, rb := wgRowPair[r][0], wgRowPair[r][1]
			ea, eb := e[(2*ty+ra)*ld:][:ld], e[(2*ty+rb)*ld:][:ld]
			oa, ob := o[(2*ty+ra)*ld:][:ld], o[(2*ty+rb)*ld:][:ld]
			for t := 0; t < tw; t += 8 {
				e0 := wgColumn(r, archsimd.LoadFloat32x8Slice(ea[t:]), archsimd.LoadFloat32x8Slice(eb[t:]))
				e1 := wgColumn(r, archsimd.LoadFloat32x8Slice(oa[t:]), archsimd.LoadFloat32x8Slice(ob[t:]))
				e2 := wgColumn(r, archsimd.LoadFloat32x8Slice(ea[t+1:]), archsimd.LoadFloat32x8Slice(eb[t+1:]))
				e3 := wgColumn(r, archsimd.LoadFloat32x8Slice(oa[t+1:]), archsimd.LoadFloat32x8Slice(ob[t+1:]))
				e0.Sub(e2).StoreSlice(v[(4*r)*stride+base+t:])
				e1.Add(e2).StoreSlice(v[(4*r+1)*stride+base+t:])
				e2.Sub(e1).StoreSlice(v[(4*r+2)*stride+base+t:])
				e1.Sub(e3).StoreSlice(v[(4*r+3)*stride+base+t:])
			}
		}
	}
	archsimd.ClearAVXUpperBits()
	return true
}

// wgRowPair lists, per row r of Bᵀd, the two tile rows it combines.
var wgRowPair = [4][2]int{{0, 2}, {1, 2}, {2, 1}, {1, 3}}

// wgColumn is row r of Bᵀd from its two tile rows a and b (wgRowPair):
// a − b, except a + b for r = 1 (d1 + d2), in the portable loop's order.
func wgColumn(r int, a, b archsimd.Float32x8) archsimd.Float32x8 {
	if r == 1 {
		return a.Add(b)
	}
	return a.Sub(b)
}

// zipIndex interleaves the two halves of a vector: [a0 a1 a2 a3 b0 b1 b2
// b3] → [a0 b0 a1 b1 a2 b2 a3 b3].
var zipIndex = [8]uint32{0, 4, 1, 5, 2, 6, 3, 7}

// wgOutput32 is wgOutput for float32; the pixel pairs of a row are
// interleaved by a permutation. It reports false, doing nothing, without
// AVX2.
func wgOutput32(dst []float32, h, w int, m []float32, stride int, s []float32, ld, th, tw int) bool {
	if !useSIMD {
		return false
	}
	zip := archsimd.LoadUint32x8Slice(zipIndex[:])
	for ty := 0; ty < th; ty++ {
		base := ty * tw
		for j := 0; j < 4; j++ {
			for t := 0; t < tw; t += 8 {
				m0, m1 := archsimd.LoadFloat32x8Slice(m[j*stride+base+t:]), archsimd.LoadFloat32x8Slice(m[(4+j)*stride+base+t:])
				m2, m3 := archsimd.LoadFloat32x8Slice(m[(8+j)*stride+base+t:]), archsimd.LoadFloat32x8Slice(m[(12+j)*stride+base+t:])
				m0.Add(m1).Add(m2).StoreSlice(s[j*ld+t:])
				m1.Sub(m2).Sub(m3).StoreSlice(s[(4+j)*ld+t:])
			}
		}
		for i := 0; i < 2 && 2*ty+i < h; i++ {
			row := dst[(2*ty+i)*w : (2*ty+i+1)*w]
			c0, c1, c2, c3 := s[4*i*ld:][:ld], s[(4*i+1)*ld:][:ld], s[(4*i+2)*ld:][:ld], s[(4*i+3)*ld:][:ld]
			for t := 0; t < tw; t += 8 {
				a0, a1 := archsimd.LoadFloat32x8Slice(c0[t:]), archsimd.LoadFloat32x8Slice(c1[t:])
				a2, a3 := archsimd.LoadFloat32x8Slice(c2[t:]), archsimd.LoadFloat32x8Slice(c3[t:])
				p, q := a0.Add(a1).Add(a2), a1.Sub(a2).Sub(a3)
				storePixels(p.SetHi(q.GetLo()).Permute(zip), row[2*t:])           // pixels 2t … 2t+7
				storePixels(q.SetLo(p.GetHi()).Permute(zip), row[min(2*t+8, w):]) // pixels 2t+8 … 2t+15
			}
		}
	}
	archsimd.ClearAVXUpperBits()
	return true
}

// storePixels stores the first min(8, len(row)) lanes of v into row: a
// whole-block store, or for a last partial block a copy through memory.
func storePixels(v archsimd.Float32x8, row []float32) {
	if len(row) >= 8 {
		v.StoreSlice(row)
		return
	}
	var tmp [8]float32
	v.Store(&tmp)
	copy(row, tmp[:])
}

// wgGradRows32 is the arithmetic of wgGradTransform for float32, for one
// row of tiles whose split pixel rows are in s (rows 0–3, ld apart), the
// outputs to d[ξ·stride + t]: 8 tiles at a time, whole-block stores (the
// caller's order makes the surplus safe, see wgChunk). It reports false,
// doing nothing, without AVX2.
func wgGradRows32(d []float32, stride int, s []float32, ld, tw int) bool {
	if !useSIMD {
		return false
	}
	neg := archsimd.BroadcastFloat32x8(-1) // −1·x is −x exactly, zeros' signs included
	for t := 0; t < tw; t += 8 {
		tp, tq := archsimd.LoadFloat32x8Slice(s[t:]), archsimd.LoadFloat32x8Slice(s[ld+t:])
		bp, bq := archsimd.LoadFloat32x8Slice(s[2*ld+t:]), archsimd.LoadFloat32x8Slice(s[3*ld+t:])
		wgGradCols(d[t:], 0, stride, tp, tq, neg)
		wgGradCols(d[t:], 1, stride, tp.Add(bp), tq.Add(bq), neg)
		wgGradCols(d[t:], 2, stride, tp.Sub(bp), tq.Sub(bq), neg)
		wgGradCols(d[t:], 3, stride, neg.Mul(bp), neg.Mul(bq), neg)
	}
	archsimd.ClearAVXUpperBits()
	return true
}

// wgGradCols stores row r's columns p, p + q, p − q, −q of 8 tiles.
func wgGradCols(d []float32, r, stride int, p, q, neg archsimd.Float32x8) {
	p.StoreSlice(d[(4*r)*stride:])
	p.Add(q).StoreSlice(d[(4*r+1)*stride:])
	p.Sub(q).StoreSlice(d[(4*r+2)*stride:])
	neg.Mul(q).StoreSlice(d[(4*r+3)*stride:])
}

// unzipIndex gathers a vector's even lanes into its low half and its odd
// lanes into its high half.
var unzipIndex = [8]uint32{0, 2, 4, 6, 1, 3, 5, 7}

// wgSplitRow32 is the start of wgPlane.load's split of one image row src
// into the plane's odd (o, from src's even columns) and even (e, from its
// odd columns, one further on) padded columns, 8 pixels at a time while
// whole blocks fit in src; it returns how many pixels it did (0 without
// AVX2).
func wgSplitRow32(e, o, src []float32) (done int) {
	if !useSIMD {
		return 0
	}
	unzip := archsimd.LoadUint32x8Slice(unzipIndex[:])
	for ; done+8 <= len(src); done += 8 {
		v := archsimd.LoadFloat32x8Slice(src[done:]).Permute(unzip)
		v.GetLo().StoreSlice(o[done/2:])
		v.GetHi().StoreSlice(e[done/2+1:])
	}
	archsimd.ClearAVXUpperBits()
	return done
}

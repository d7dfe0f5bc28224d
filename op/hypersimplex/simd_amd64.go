//go:build goexperiment.simd && amd64

package hypersimplex

import (
	"math/bits"
	"simd/archsimd"
)

// useSIMD reports whether the vectorised float32 loops run: with AVX2.
// Each loop ends with VZEROUPPER (ClearAVXUpperBits): without it the
// scalar SSE code that follows pays for the dirty upper halves (the search
// on 128 entries ran 2× slower).
var useSIMD = archsimd.X86.AVX2()

// activeSum32 is the first pass of ProjectVJP over whole blocks of 8: the
// float64 sum of g over A = {i : 0 < y_i < 1} and |A|. done is 0 (nothing
// done, the portable loop reports the error) if a y is outside [0, 1] or NaN
// or a g is not finite.
func activeSum32(y, g []float32) (sum float64, nA, done int) {
	if !useSIMD {
		return 0, 0, 0
	}
	n := len(y) &^ 7
	g = g[:len(y)]
	zero, one := archsimd.BroadcastFloat32x8(0), archsimd.BroadcastFloat32x8(1)
	valid := zero.Equal(zero)
	s0, s1 := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(0)
	cnt := archsimd.BroadcastInt32x8(0)
	for i := 0; i < n; i += 8 {
		yv := archsimd.LoadFloat32x8Slice(y[i : i+8])
		gv := archsimd.LoadFloat32x8Slice(g[i : i+8])
		// y ∈ [0, 1] (false for NaN); g − g = 0 iff g is finite.
		valid = valid.And(yv.GreaterEqual(zero)).And(yv.LessEqual(one)).And(gv.Sub(gv).Equal(zero))
		act := yv.Greater(zero).And(yv.Less(one))
		gm := gv.Masked(act)
		s0 = s0.Add(gm.GetLo().ConvertToFloat64())
		s1 = s1.Add(gm.GetHi().ConvertToFloat64())
		cnt = cnt.Sub(act.ToInt32x8()) // a true lane is −1
	}
	ok := valid.ToBits() == 0xFF
	var s [4]float64
	s0.Add(s1).Store(&s)
	var c [8]int32
	cnt.Store(&c)
	archsimd.ClearAVXUpperBits()
	if !ok {
		return 0, 0, 0
	}
	for _, v := range c {
		nA += int(v)
	}
	return (s[0] + s[1]) + (s[2] + s[3]), nA, n
}

// writeVJP32 is the second pass of ProjectVJP over whole blocks of 8:
// dx_i = (g_i − mean)·inv on A, 0 elsewhere, computed in float64 as the
// portable loop does. dx may alias g.
func writeVJP32(dx, y, g []float32, mean, inv float64) (done int) {
	if !useSIMD {
		return 0
	}
	n := len(y) &^ 7
	g, dx = g[:len(y)], dx[:len(y)]
	zero, one := archsimd.BroadcastFloat32x8(0), archsimd.BroadcastFloat32x8(1)
	m, iv := archsimd.BroadcastFloat64x4(mean), archsimd.BroadcastFloat64x4(inv)
	for i := 0; i < n; i += 8 {
		yv := archsimd.LoadFloat32x8Slice(y[i : i+8])
		gv := archsimd.LoadFloat32x8Slice(g[i : i+8])
		act := yv.Greater(zero).And(yv.Less(one))
		lo := gv.GetLo().ConvertToFloat64().Sub(m).Mul(iv).ConvertToFloat32()
		hi := gv.GetHi().ConvertToFloat64().Sub(m).Mul(iv).ConvertToFloat32()
		zero.SetLo(lo).SetHi(hi).Masked(act).StoreSlice(dx[i : i+8])
	}
	archsimd.ClearAVXUpperBits()
	return n
}

// writeClipped32 is writeClipped over whole blocks of 8: y_i =
// clip(((x_i − ref) − rel)·invTau, 0, 1) in float64. y may alias x.
func writeClipped32(y, x []float32, ref, rel, invTau float64) (done int) {
	if !useSIMD {
		return 0
	}
	n := len(x) &^ 7
	y = y[:len(x)]
	r, rl, iv := archsimd.BroadcastFloat64x4(ref), archsimd.BroadcastFloat64x4(rel), archsimd.BroadcastFloat64x4(invTau)
	zero, one := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1)
	var out archsimd.Float32x8
	for i := 0; i < n; i += 8 {
		xv := archsimd.LoadFloat32x8Slice(x[i : i+8])
		lo := xv.GetLo().ConvertToFloat64().Sub(r).Sub(rl).Mul(iv).Max(zero).Min(one).ConvertToFloat32()
		hi := xv.GetHi().ConvertToFloat64().Sub(r).Sub(rl).Mul(iv).Max(zero).Min(one).ConvertToFloat32()
		out.SetLo(lo).SetHi(hi).StoreSlice(y[i : i+8])
	}
	archsimd.ClearAVXUpperBits()
	return n
}

// bracketPass32 is bracketPass over whole blocks of 8, with the same
// classification in float64; only the uncertain entries (rare on most
// blocks) are copied to w (packed by VCOMPRESSPD, or one by one). done is 0 (nothing done, the
// portable pass reports it) if x holds a NaN or ±Inf.
func bracketPass32(w []float64, x []float32, p1, p2, tau float64) (m, nU, nA int, sumA float64, done int) {
	if !useSIMD {
		return 0, 0, 0, 0, 0
	}
	n := len(x) &^ 7
	zero32 := archsimd.BroadcastFloat32x8(0)
	finite := zero32.Equal(zero32)
	P1, P2 := archsimd.BroadcastFloat64x4(p1), archsimd.BroadcastFloat64x4(p2)
	zero, T := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(tau)
	s0, s1 := zero, zero
	cU, cA := archsimd.BroadcastInt64x4(0), archsimd.BroadcastInt64x4(0)
	for i := 0; i < n; i += 8 {
		xv := archsimd.LoadFloat32x8Slice(x[i : i+8])
		finite = finite.And(xv.Sub(xv).Equal(zero32))
		lo, hi := xv.GetLo().ConvertToFloat64(), xv.GetHi().ConvertToFloat64()
		dl0, dh0 := lo.Sub(P1), lo.Sub(P2)
		dl1, dh1 := hi.Sub(P1), hi.Sub(P2)
		l0, l1 := dl0.LessEqual(zero), dl1.LessEqual(zero)
		u0, u1 := dh0.GreaterEqual(T), dh1.GreaterEqual(T)
		a0 := dh0.GreaterEqual(zero).And(dl0.LessEqual(T))
		a1 := dh1.GreaterEqual(zero).And(dl1.LessEqual(T))
		cU = cU.Sub(u0.ToInt64x4()).Sub(u1.ToInt64x4())
		cA = cA.Sub(a0.ToInt64x4()).Sub(a1.ToInt64x4())
		s0 = s0.Add(dh0.Masked(a0))
		s1 = s1.Add(dh1.Masked(a1))
		k0 := ^l0.Or(u0).Or(a0).ToBits() & 0xF
		k1 := ^l1.Or(u1).Or(a1).ToBits() & 0xF
		if k0|k1 == 0 {
			continue
		}
		if hasCompress {
			lo.Compress(archsimd.Mask64x4FromBits(k0)).StoreSlice(w[m:])
			m += bits.OnesCount8(k0)
			hi.Compress(archsimd.Mask64x4FromBits(k1)).StoreSlice(w[m:])
			m += bits.OnesCount8(k1)
			continue
		}
		for keep := uint(k0) | uint(k1)<<4; keep != 0; keep &= keep - 1 {
			w[m] = float64(x[i+bits.TrailingZeros(keep)])
			m++
		}
	}
	ok := finite.ToBits() == 0xFF
	var s [4]float64
	s0.Add(s1).Store(&s)
	var cu, ca [4]int64
	cU.Store(&cu)
	cA.Store(&ca)
	archsimd.ClearAVXUpperBits()
	if !ok {
		return 0, 0, 0, 0, 0
	}
	for j := range 4 {
		nU += int(cu[j])
		nA += int(ca[j])
	}
	return m, nU, nA, (s[0] + s[1]) + (s[2] + s[3]), n
}

// hasCompress reports whether VCOMPRESSPD (AVX-512) packs the kept entries
// of partition64; without it they are copied one by one.
var hasCompress = archsimd.X86.AVX512()

// clipSum2x64 is clipSum2 over whole blocks of 4 of a float64 slice. done
// is 0 (nothing done, the portable loop reports it) if w holds a NaN or
// ±Inf.
func clipSum2x64(w []float64, p, q point, invTau float64) (sp, sq float64, done int) {
	if !useSIMD {
		return 0, 0, 0
	}
	n := len(w) &^ 3
	ps, pd := archsimd.BroadcastFloat64x4(p.s), archsimd.BroadcastFloat64x4(p.d)
	qs, qd := archsimd.BroadcastFloat64x4(q.s), archsimd.BroadcastFloat64x4(q.d)
	iv := archsimd.BroadcastFloat64x4(invTau)
	zero, one := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(1)
	a, b := zero, zero
	finite := zero.Equal(zero)
	for i := 0; i < n; i += 4 {
		f := archsimd.LoadFloat64x4Slice(w[i : i+4])
		finite = finite.And(f.Sub(f).Equal(zero))
		a = a.Add(f.Sub(ps).Mul(iv).Add(pd).Max(zero).Min(one))
		b = b.Add(f.Sub(qs).Mul(iv).Add(qd).Max(zero).Min(one))
	}
	ok := finite.ToBits() == 0xF
	var s, t [4]float64
	a.Store(&s)
	b.Store(&t)
	archsimd.ClearAVXUpperBits()
	if !ok {
		return 0, 0, 0
	}
	return (s[0] + s[1]) + (s[2] + s[3]), (t[0] + t[1]) + (t[2] + t[3]), n
}

// partition64 is the loop of partition over whole blocks of 4 of a float64
// slice, with the thresholds partition computes: it copies the uncertain
// entries of w to dst (which may be w), counts U and A and sums f − ref over
// A, with the same comparisons as the portable loop.
func partition64(dst, w []float64, ls, hs, tL, tLA, tU, tHA, ref float64) (j, nU, nA int, sumA float64, done int) {
	if !useSIMD {
		return 0, 0, 0, 0, 0
	}
	n := len(w) &^ 3
	dst = dst[:len(w)]
	L, H := archsimd.BroadcastFloat64x4(ls), archsimd.BroadcastFloat64x4(hs)
	TL, TLA := archsimd.BroadcastFloat64x4(tL), archsimd.BroadcastFloat64x4(tLA)
	TU, THA := archsimd.BroadcastFloat64x4(tU), archsimd.BroadcastFloat64x4(tHA)
	R := archsimd.BroadcastFloat64x4(ref)
	sum := archsimd.BroadcastFloat64x4(0)
	cU, cA := archsimd.BroadcastInt64x4(0), archsimd.BroadcastInt64x4(0)
	for i := 0; i < n; i += 4 {
		f := archsimd.LoadFloat64x4Slice(w[i : i+4])
		dl, dh := f.Sub(L), f.Sub(H)
		notL := dl.Greater(TL) // !(dl ≤ tL)
		notU := dh.Less(TU)    // !(dh ≥ tU)
		free := notL.And(notU) // neither fixed at 0 nor at 1
		inA := dl.LessEqual(TLA).And(dh.GreaterEqual(THA)).And(free)
		keep := free.And(dl.Greater(TLA).Or(dh.Less(THA)))
		cU = cU.Sub(dh.GreaterEqual(TU).ToInt64x4()) // a true lane is −1
		cA = cA.Sub(inA.ToInt64x4())
		sum = sum.Add(f.Sub(R).Masked(inA))
		kb := keep.ToBits()
		if hasCompress {
			f.Compress(keep).StoreSlice(dst[j:])
			j += bits.OnesCount8(kb)
			continue
		}
		for ; kb != 0; kb &= kb - 1 {
			dst[j] = w[i+bits.TrailingZeros8(kb)]
			j++
		}
	}
	var s [4]float64
	sum.Store(&s)
	var cu, ca [4]int64
	cU.Store(&cu)
	cA.Store(&ca)
	archsimd.ClearAVXUpperBits()
	for k := range 4 {
		nU += int(cu[k])
		nA += int(ca[k])
	}
	return j, nU, nA, (s[0] + s[1]) + (s[2] + s[3]), n
}

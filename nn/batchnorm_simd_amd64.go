//go:build goexperiment.simd && amd64

package nn

import "simd/archsimd"

// shiftedSums32 is shiftedSums over whole blocks of 8.
func shiftedSums32(x []float32, k float64) (sum, sq float64, done int) {
	if !useSIMD {
		return 0, 0, 0
	}
	n := len(x) &^ 7
	K := archsimd.BroadcastFloat64x4(k)
	s0, s1 := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(0)
	q0, q1 := s0, s1
	for i := 0; i < n; i += 8 {
		v := archsimd.LoadFloat32x8Slice(x[i : i+8])
		lo, hi := v.GetLo().ConvertToFloat64().Sub(K), v.GetHi().ConvertToFloat64().Sub(K)
		s0, s1 = s0.Add(lo), s1.Add(hi)
		q0, q1 = q0.Add(lo.Mul(lo)), q1.Add(hi.Mul(hi))
	}
	sum, sq = horizontal(s0.Add(s1)), horizontal(q0.Add(q1))
	archsimd.ClearAVXUpperBits()
	return sum, sq, n
}

// gradSums32 is gradSums over whole blocks of 8.
func gradSums32(x, g []float32, mu float64, p bnChannel[float32], relu bool) (sg, sgx float64, done int) {
	if !useSIMD {
		return 0, 0, 0
	}
	n := len(g) &^ 7
	x = x[:len(g)]
	a, mu1, mu2, beta := broadcast(p)
	zero, one := archsimd.BroadcastFloat32x8(0), archsimd.BroadcastFloat32x8(1)
	MU := archsimd.BroadcastFloat64x4(mu)
	s0, s1 := archsimd.BroadcastFloat64x4(0), archsimd.BroadcastFloat64x4(0)
	q0, q1 := s0, s1
	for i := 0; i < n; i += 8 {
		xv, gv := archsimd.LoadFloat32x8Slice(x[i:i+8]), archsimd.LoadFloat32x8Slice(g[i:i+8])
		if relu { // g·1[z > 0], z as bnChannel.z
			gv = gv.Mul(one.Masked(a.Mul(xv.Sub(mu1).Sub(mu2)).Add(beta).Greater(zero)))
		}
		glo, ghi := gv.GetLo().ConvertToFloat64(), gv.GetHi().ConvertToFloat64()
		s0, s1 = s0.Add(glo), s1.Add(ghi)
		q0 = q0.Add(glo.Mul(xv.GetLo().ConvertToFloat64().Sub(MU)))
		q1 = q1.Add(ghi.Mul(xv.GetHi().ConvertToFloat64().Sub(MU)))
	}
	sg, sgx = horizontal(s0.Add(s1)), horizontal(q0.Add(q1))
	archsimd.ClearAVXUpperBits()
	return sg, sgx, n
}

// applyRow32 is applyRow over whole blocks of 8. The ReLU is max(0, z):
// VMAXPS returns its second operand when either is NaN or both are zeros,
// so a NaN z stays NaN, and adding +0 turns a −0 into +0, as Go's max.
func applyRow32(y, x []float32, p bnChannel[float32], relu bool) (done int) {
	if !useSIMD {
		return 0
	}
	n := len(y) &^ 7
	x = x[:len(y)]
	a, mu1, mu2, beta := broadcast(p)
	zero := archsimd.BroadcastFloat32x8(0)
	if relu {
		for i := 0; i < n; i += 8 {
			z := a.Mul(archsimd.LoadFloat32x8Slice(x[i : i+8]).Sub(mu1).Sub(mu2)).Add(beta)
			zero.Max(z).Add(zero).StoreSlice(y[i : i+8])
		}
	} else {
		for i := 0; i < n; i += 8 {
			a.Mul(archsimd.LoadFloat32x8Slice(x[i : i+8]).Sub(mu1).Sub(mu2)).Add(beta).StoreSlice(y[i : i+8])
		}
	}
	archsimd.ClearAVXUpperBits()
	return n
}

// dxRow32 is dxRow over whole blocks of 8.
func dxRow32(dx, x, g []float32, p bnChannel[float32], bx, d float32, relu bool) (done int) {
	if !useSIMD {
		return 0
	}
	n := len(dx) &^ 7
	x, g = x[:len(dx)], g[:len(dx)]
	a, mu1, mu2, beta := broadcast(p)
	zero, one := archsimd.BroadcastFloat32x8(0), archsimd.BroadcastFloat32x8(1)
	BX, D := archsimd.BroadcastFloat32x8(bx), archsimd.BroadcastFloat32x8(d)
	for i := 0; i < n; i += 8 {
		xv, gv := archsimd.LoadFloat32x8Slice(x[i:i+8]), archsimd.LoadFloat32x8Slice(g[i:i+8])
		w := xv.Sub(mu1).Sub(mu2)
		if relu { // g·1[z > 0], z as bnChannel.z
			gv = gv.Mul(one.Masked(a.Mul(w).Add(beta).Greater(zero)))
		}
		a.Mul(gv).Add(BX.Mul(w)).Add(D).StoreSlice(dx[i : i+8])
	}
	archsimd.ClearAVXUpperBits()
	return n
}

// broadcast returns p's four constants in 8 lanes each.
func broadcast(p bnChannel[float32]) (a, mu1, mu2, beta archsimd.Float32x8) {
	return archsimd.BroadcastFloat32x8(p.a), archsimd.BroadcastFloat32x8(p.mu1),
		archsimd.BroadcastFloat32x8(p.mu2), archsimd.BroadcastFloat32x8(p.beta)
}

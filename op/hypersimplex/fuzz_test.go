package hypersimplex_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Tolerances of the fuzz targets.
const (
	fuzzSortTol   = 1e-9 // |y − sortProject| per entry, relative to max(1, |x|/τ)
	fuzzSortScale = 1e12 // above this |x|/τ the reference's x/τ loses too many digits
	fuzzSumTol    = 1e-9 // |Σ dx| relative to n·max|g|/τ
)

// fuzzInput decodes a fuzzer's bytes into at most 600 entries: int16 values
// times 2^scale, so that ties, tiny and huge magnitudes all occur.
func fuzzInput(data []byte, scale int8) []float64 {
	n := min(len(data)/2, 600)
	x := make([]float64, n)
	for i := range x {
		v := int16(binary.LittleEndian.Uint16(data[2*i:]))
		x[i] = math.Ldexp(float64(v), int(scale))
	}
	return x
}

// fuzzParams maps arbitrary floats to k and τ, keeping invalid ones invalid
// so the error paths are fuzzed too.
func fuzzParams(n int, kRaw, tauRaw float64) (k, tau float64) {
	k = kRaw
	if k >= 0 && k <= math.MaxFloat64 {
		k = math.Mod(k, float64(n)+1)
	}
	return k, tauRaw
}

func validParams(n int, k, tau float64) bool {
	return k >= 0 && k <= float64(n) && tau >= 0x1p-1022 && tau <= math.MaxFloat64
}

func addFuzzSeeds(f *testing.F) {
	f.Add([]byte{1, 0, 2, 0, 3, 0, 4, 0}, int8(0), 2.0, 1.0)
	f.Add([]byte{5, 0, 5, 0, 0, 0, 0, 0}, int8(0), 2.0, 1.0)
	f.Add([]byte{255, 127, 0, 128, 7, 0}, int8(90), 1.5, 1.0)
	f.Add([]byte{1, 0, 2, 0, 3, 0}, int8(-40), 1.25, 1e-300)
	f.Add(make([]byte, 1200), int8(0), 300.5, 1.5)
	f.Add([]byte{1, 2, 3}, int8(0), math.NaN(), 1.0)
	f.Add([]byte{1, 2, 3, 4}, int8(0), 1.0, -1.0)
	spread := make([]byte, 1000)
	for i := range spread {
		spread[i] = byte(37 * i)
	}
	f.Add(spread, int8(100), 170.25, math.MaxFloat64) // n·τ overflows
}

// FuzzProject checks, for any input: an error exactly for invalid k or τ;
// otherwise feasibility, order preservation, equal-in equal-out, agreement
// with the sort-based reference where it is accurate, and a feasible float32
// result.
func FuzzProject(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, scale int8, kRaw, tauRaw float64) {
		x := fuzzInput(data, scale)
		n := len(x)
		k, tau := fuzzParams(n, kRaw, tauRaw)
		y := make([]float64, n)
		err := hypersimplex.Project(y, x, k, tau)
		if !validParams(n, k, tau) {
			if err == nil {
				t.Fatalf("k = %v, tau = %v: no error", k, tau)
			}
			return
		}
		if err != nil {
			t.Fatalf("k = %v, tau = %v: %v", k, tau, err)
		}
		checkFeasible(t, y, k, feasTol64)
		for i := 1; i < n; i++ {
			if x[i] > x[i-1] && y[i] < y[i-1] || x[i] < x[i-1] && y[i] > y[i-1] || x[i] == x[i-1] && y[i] != y[i-1] {
				t.Fatalf("order: x = %v, %v but y = %v, %v", x[i-1], x[i], y[i-1], y[i])
			}
		}
		scale64 := 1.0
		for _, v := range x {
			scale64 = max(scale64, math.Abs(v)/tau)
		}
		if scale64 < fuzzSortScale {
			want := make([]float64, n)
			sortProject(want, x, k, tau, make([]float64, n), make([]float64, n))
			for i := range y {
				if math.Abs(y[i]-want[i]) > fuzzSortTol*scale64 {
					t.Fatalf("y[%d] = %v, reference %v", i, y[i], want[i])
				}
			}
		}
		x32 := make([]float32, n)
		for i, v := range x {
			x32[i] = float32(v)
			if math.IsInf(float64(x32[i]), 0) {
				return // out of float32 range
			}
		}
		if float32(tau) <= 0 || math.IsInf(float64(float32(tau)), 0) || float32(k) > float32(n) {
			return
		}
		y32 := make([]float32, n)
		if err := hypersimplex.Project(y32, x32, float32(k), float32(tau)); err != nil {
			t.Fatalf("float32: %v", err)
		}
		checkFeasible(t, y32, float32(k), feasTol32)
	})
}

// FuzzProjectVJP checks the backward pass at the projection of any input:
// no error, no NaN, zero off the active set, zero sum over it, and the same
// result when dx aliases g.
func FuzzProjectVJP(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, scale int8, kRaw, tauRaw float64) {
		x := fuzzInput(data, scale)
		n := len(x)
		k, tau := fuzzParams(n, kRaw, tauRaw)
		if !validParams(n, k, tau) {
			return
		}
		y := make([]float64, n)
		if err := hypersimplex.Project(y, x, k, tau); err != nil {
			t.Fatal(err)
		}
		g := make([]float64, n)
		for i := range g {
			g[i] = float64(int(data[(3*i+1)%len(data)])-128) / 16
		}
		dx := make([]float64, n)
		if err := hypersimplex.ProjectVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		var sum, gmax float64
		for i := range dx {
			if math.IsNaN(dx[i]) {
				t.Fatalf("dx[%d] = NaN", i)
			}
			if (y[i] == 0 || y[i] == 1) && dx[i] != 0 {
				t.Fatalf("dx[%d] = %v off the active set (y = %v)", i, dx[i], y[i])
			}
			sum += dx[i]
			gmax = max(gmax, math.Abs(g[i]))
		}
		if math.Abs(sum) > fuzzSumTol*float64(n)*gmax/tau {
			t.Fatalf("Σ dx = %v, want 0", sum)
		}
		if err := hypersimplex.ProjectVJP(g, y, g, tau); err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if g[i] != dx[i] {
				t.Fatalf("aliased dx[%d] = %v, want %v", i, g[i], dx[i])
			}
		}
	})
}

// FuzzProjectEntropic checks, for any input: an error exactly for invalid k
// (outside (0, n)) or τ; otherwise Σ y = k to rounding, y in [0, 1], order
// preservation, equal-in equal-out, agreement with the bisection oracle
// where x/τ is moderate, a feasible float32 result, and the VJP: finite,
// zero sum, the same when dx aliases g.
func FuzzProjectEntropic(f *testing.F) {
	addFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, scale int8, kRaw, tauRaw float64) {
		x := fuzzInput(data, scale)
		n := len(x)
		k, tau := fuzzParams(n, kRaw, tauRaw)
		y := make([]float64, n)
		err := hypersimplex.ProjectEntropic(y, x, k, tau)
		if !validParams(n, k, tau) || k == 0 || k == float64(n) {
			if err == nil {
				t.Fatalf("k = %v, tau = %v: no error", k, tau)
			}
			return
		}
		if err != nil {
			t.Fatalf("k = %v, tau = %v: %v", k, tau, err)
		}
		checkFeasible(t, y, k, entFeas64)
		for i := 1; i < n; i++ {
			if x[i] > x[i-1] && y[i] < y[i-1] || x[i] < x[i-1] && y[i] > y[i-1] || x[i] == x[i-1] && y[i] != y[i-1] {
				t.Fatalf("order: x = %v, %v but y = %v, %v", x[i-1], x[i], y[i-1], y[i])
			}
		}
		scale64 := 1.0
		for _, v := range x {
			scale64 = max(scale64, math.Abs(v)/tau)
		}
		if scale64 < fuzzSortScale {
			want := bisectEntropic(x, k, tau)
			for i := range y {
				if math.Abs(y[i]-want[i]) > fuzzSortTol*scale64 {
					t.Fatalf("y[%d] = %v, oracle %v", i, y[i], want[i])
				}
			}
		}
		g := make([]float64, n)
		for i := range g {
			g[i] = float64(int(data[(3*i+1)%len(data)])-128) / 16
		}
		dx := make([]float64, n)
		if err := hypersimplex.ProjectEntropicVJP(dx, y, g, tau); err != nil {
			t.Fatal(err)
		}
		var sum, gmax float64
		for i := range dx {
			if math.IsNaN(dx[i]) || math.IsInf(dx[i], 0) {
				t.Fatalf("dx[%d] = %v", i, dx[i])
			}
			sum += dx[i]
			gmax = max(gmax, math.Abs(g[i]))
		}
		if math.Abs(sum) > fuzzSumTol*float64(n)*gmax/tau {
			t.Fatalf("Σ dx = %v, want 0", sum)
		}
		if err := hypersimplex.ProjectEntropicVJP(g, y, g, tau); err != nil {
			t.Fatal(err)
		}
		for i := range g {
			if g[i] != dx[i] {
				t.Fatalf("aliased dx[%d] = %v, want %v", i, g[i], dx[i])
			}
		}
		x32 := make([]float32, n)
		for i, v := range x {
			x32[i] = float32(v)
			if math.IsInf(float64(x32[i]), 0) {
				return // out of float32 range
			}
		}
		if k32 := float32(k); float32(tau) <= 0 || math.IsInf(float64(float32(tau)), 0) || !(k32 > 0 && k32 < float32(n)) {
			return
		}
		y32 := make([]float32, n)
		if err := hypersimplex.ProjectEntropic(y32, x32, float32(k), float32(tau)); err != nil {
			t.Fatalf("float32: %v", err)
		}
		checkFeasible(t, y32, float32(k), entFeas32)
	})
}

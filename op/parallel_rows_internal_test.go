package op

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkRowsParallel measures where splitting rows across goroutines
// pays: the op's forward (doProject) + backward (doVJP) on a float32
// 10 × n matrix, k = n/2, τ = 1.5, with rows always on one goroutine
// ("serial") or always split ("parallel"). parallelMinElems is set near the
// smallest rows × n where "parallel" wins.
func BenchmarkRowsParallel(b *testing.B) {
	const rows = 10
	for _, n := range []int{128, 256, 512, 1024, 2048, 4096, 8192, 65536} {
		rng := rand.New(rand.NewPCG(5, uint64(n)))
		xs := make([]float32, rows*n)
		gs := make([]float32, rows*n)
		for i := range xs {
			xs[i] = float32(rng.NormFloat64())
			gs[i] = float32(rng.NormFloat64())
		}
		x := tensor.New(tensor.WithShape(rows, n), tensor.WithBacking(xs))
		g := tensor.New(tensor.WithShape(rows, n), tensor.WithBacking(gs))
		k := G.NewF32(float32(n / 2))
		for _, mode := range []struct {
			name     string
			minElems int
		}{{"serial", math.MaxInt}, {"parallel", 0}} {
			b.Run(fmt.Sprintf("10x%d/%s", n, mode.name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					y, err := doProject[float32](&sbaOp{tau: 1.5}, x, k, mode.minElems)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := doVJP[float32](&sbaDiffOp{tau: 1.5}, y.(tensor.Tensor), g, mode.minElems); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkRowBlockOverhead is the fixed cost of forEachRowBlock's parallel
// path (start and join the workers) with no work in the rows: with c the
// serial cost per element (BenchmarkRowsParallel), splitting pays from
// about rows × n = 2·overhead / c on an otherwise idle machine.
func BenchmarkRowBlockOverhead(b *testing.B) {
	for _, mode := range []struct {
		name     string
		minElems int
	}{{"serial", math.MaxInt}, {"parallel", 0}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_ = forEachRowBlock(10, 1, mode.minElems, func(lo, hi int) error { return nil })
			}
		})
	}
}

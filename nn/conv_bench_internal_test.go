package nn

import (
	"fmt"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
)

// BenchmarkConvKernels times the convolution kernels alone, the column-
// matrix ones (path=column), the shifted ones (path=shifted) and the
// Winograd ones (path=winograd), on
// the CNN's layer shapes (3×3, padding 1, float32, 64 output channels;
// 64 input channels, and 1, 8 and 16 on 28×28 maps for the threshold
// shiftMinChannels) with the build's BLAS, and reports GFLOP/s
// (2·n·o·rows·cols per pass, the direct convolution's flops: Winograd's
// figure is an effective rate).
func BenchmarkConvKernels(b *testing.B) {
	accel.Setup()
	const n, o = 128, 64
	for _, shape := range [][2]int{{28, 64}, {14, 64}, {28, 1}, {28, 8}, {28, 16}} {
		size, c := shape[0], shape[1]
		g := newGeom2d(c, size, size, 3, 3, 1, 1, 1, 1)
		x := make([]float32, n*g.inSize())
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		w := make([]float32, o*g.rows)
		for i := range w {
			w[i] = float32(i%5)/8 - 0.25 // nonzero: gonum's gemm skips zeros
		}
		y := make([]float32, n*o*g.cols)
		dw := make([]float32, len(w))
		flops := 2 * float64(n*o*g.rows*g.cols)
		for round := 0; round < 2; round++ {
			for _, k := range []convKernels[float32]{columnKernels[float32](), shiftKernels[float32](), winogradKernels[float32]()} {
				passes := [3]func(){
					func() { k.forward(y, x, w, n, o, g) },
					func() { k.gradW(dw, x, y, n, o, g) },
					func() { k.gradX(x, w, y, n, o, g) },
				}
				for i, pass := range []string{"forward", "gradW", "gradX"} {
					b.Run(fmt.Sprintf("size=%d/c=%d/pass=%s/path=%s", size, c, pass, k.path), func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							passes[i]()
						}
						b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}

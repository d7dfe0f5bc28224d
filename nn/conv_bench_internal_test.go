package nn

import (
	"fmt"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
)

// BenchmarkConvKernels times the convolution kernels alone on the CNN's
// layer shapes (64 → 64 channels, 3×3, padding 1, float32) for 32 images,
// with the build's BLAS, and reports GFLOP/s (2·n·o·rows·cols per pass).
func BenchmarkConvKernels(b *testing.B) {
	accel.Setup()
	const n, o = 32, 64
	for _, size := range []int{28, 14} {
		g := newGeom2d(64, size, size, 3, 3, 1, 1, 1, 1)
		x := make([]float32, n*g.inSize())
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		w := make([]float32, o*g.rows)
		y := make([]float32, n*o*g.cols)
		dw := make([]float32, len(w))
		flops := 2 * float64(n*o*g.rows*g.cols)
		for _, pass := range []string{"forward", "gradW", "gradX"} {
			b.Run(fmt.Sprintf("size=%d/pass=%s", size, pass), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					switch pass {
					case "forward":
						convForward(y, x, w, n, o, g)
					case "gradW":
						convGradW(dw, x, y, n, o, g)
					case "gradX":
						convGradX(x, w, y, n, o, g)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

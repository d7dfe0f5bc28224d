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

// BenchmarkShiftConv times the shifted convolution against the column-
// matrix one on the CNN's layer shapes.
func BenchmarkShiftConv(b *testing.B) {
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
		flops := 2 * float64(n*o*g.rows*g.cols)
		dw := make([]float32, len(w))
		for _, kind := range []string{"im2col", "shift", "im2col", "shift"} {
			for _, pass := range []string{"forward", "gradW", "gradX"} {
				b.Run(fmt.Sprintf("size=%d/c=%d/%s=%s", size, c, pass, kind), func(b *testing.B) {
					for b.Loop() {
						switch pass + kind {
						case "forwardshift":
							shiftConvForward(y, x, w, n, o, g)
						case "forwardim2col":
							convForward(y, x, w, n, o, g)
						case "gradWshift":
							shiftConvGradW(dw, x, y, n, o, g)
						case "gradWim2col":
							convGradW(dw, x, y, n, o, g)
						case "gradXshift":
							shiftConvGradX(x, w, y, n, o, g)
						case "gradXim2col":
							convGradX(x, w, y, n, o, g)
						}
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

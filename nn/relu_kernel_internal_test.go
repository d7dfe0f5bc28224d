package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// reluKernelData returns seeded x (random sign; all positive with
// positive set) and g of length n.
func reluKernelData[T float](n int, positive bool) (x, g []T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, g = make([]T, n), make([]T, n)
	for i := range x {
		x[i], g[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
		if positive && x[i] <= 0 {
			x[i] = -x[i] + 1
		}
	}
	return x, g
}

// checkKernelsInPlace runs both kernels into fresh slices and in place
// (dst = x, dst = g) and checks that the results agree and that nothing is
// allocated.
func checkKernelsInPlace[T float](t *testing.T) {
	x, g := reluKernelData[T](257, false)
	y, dx := make([]T, len(x)), make([]T, len(x))
	reluForward(y, x)
	reluBackward(dx, y, g)
	for i, v := range x {
		if y[i] != max(v, 0) {
			t.Fatalf("y[%d] = %v, want max(%v, 0)", i, y[i], v)
		}
		if want := g[i] * indicator[T](y[i] > 0); dx[i] != want {
			t.Fatalf("dx[%d] = %v, want %v", i, dx[i], want)
		}
	}
	reluForward(x, x)
	reluBackward(g, x, g)
	for i := range x {
		if x[i] != y[i] || g[i] != dx[i] {
			t.Fatalf("in place: y[%d] = %v, dx[%d] = %v; want %v, %v", i, x[i], i, g[i], y[i], dx[i])
		}
	}
	if a := testing.AllocsPerRun(10, func() { reluForward(y, x); reluBackward(dx, y, g) }); a != 0 {
		t.Errorf("kernels allocate %v times per call, want 0", a)
	}
}

func TestReLUKernelsInPlaceWithoutAllocation(t *testing.T) {
	t.Run("float32", checkKernelsInPlace[float32])
	t.Run("float64", checkKernelsInPlace[float64])
}

// reluBranchy is the forward pass written with a branch on the sign, the
// reference that BenchmarkReLUKernel shows the branch penalty of.
func reluBranchy[T float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

// BenchmarkReLUKernel times the kernels alone on an 8192 × 512 float32
// matrix (the MLP's hidden layer at batch 8192) with random-sign and
// all-positive x: a branch-free kernel takes the same time on both, the
// branchy reference mispredicts on random signs.
func BenchmarkReLUKernel(b *testing.B) {
	n := 8192 * 512
	if testing.Short() {
		n = 1024 * 512
	}
	kernels := []struct {
		name string
		run  func(dst, x, g []float32)
	}{
		{"forward", func(dst, x, _ []float32) { reluForward(dst, x) }},
		{"backward", func(dst, x, g []float32) { reluBackward(dst, x, g) }},
		{"branchy-forward", func(dst, x, _ []float32) { reluBranchy(dst, x) }},
	}
	for _, k := range kernels {
		for _, positive := range []bool{false, true} {
			signs := "random"
			if positive {
				signs = "positive"
			}
			b.Run(fmt.Sprintf("kernel=%s/signs=%s", k.name, signs), func(b *testing.B) {
				x, g := reluKernelData[float32](n, positive)
				dst := make([]float32, n)
				for b.Loop() {
					k.run(dst, x, g)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
	}
}

// TestReLUOpSplitAcrossCores checks the ops' split of a large tensor
// (≥ 2¹⁴ elements, forEachBlock) against the kernels run in one piece.
func TestReLUOpSplitAcrossCores(t *testing.T) {
	const n = 130 * 130
	x, g := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
		g[i] = float32(i%5) + 0.5
	}
	want, wantDx := make([]float32, n), make([]float32, n)
	reluForward(want, x)
	reluBackward(wantDx, want, g)
	xt := tensor.New(tensor.WithShape(130, 130), tensor.WithBacking(x))
	y := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(130, 130))
	reluOp{}.into(y, xt)
	dx := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(130, 130))
	reluDiffOp{}.into(dx, y, tensor.New(tensor.WithShape(130, 130), tensor.WithBacking(g)))
	for i := range want {
		if y.Float32s()[i] != want[i] || dx.Float32s()[i] != wantDx[i] {
			t.Fatalf("[%d]: y %v dx %v, want %v %v", i, y.Float32s()[i], dx.Float32s()[i], want[i], wantDx[i])
		}
	}
}

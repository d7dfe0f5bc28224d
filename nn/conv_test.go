package nn_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convCase is one convolution geometry: x (n, c, h, w), w (o, c, kh, kw).
type convCase struct {
	n, c, h, w, o, kh, kw int
	pad, stride           [2]int
}

func (k convCase) String() string {
	return fmt.Sprintf("x=%dx%dx%dx%d/w=%dx%dx%dx%d/pad=%v/stride=%v", k.n, k.c, k.h, k.w, k.o, k.c, k.kh, k.kw, k.pad, k.stride)
}

// convCases are fixed geometries (the CNN's, 1×1, rectangular kernels,
// strides, padding as large as the kernel allows) plus seeded random ones.
func convCases() []convCase {
	cs := []convCase{
		{2, 3, 7, 7, 4, 3, 3, [2]int{1, 1}, [2]int{1, 1}}, // the CNN's layer shape
		{1, 1, 5, 6, 2, 3, 3, [2]int{1, 1}, [2]int{1, 1}},
		{3, 2, 4, 5, 3, 1, 1, [2]int{0, 0}, [2]int{1, 1}},
		{2, 2, 6, 5, 3, 3, 2, [2]int{1, 0}, [2]int{2, 1}},
		{1, 3, 7, 8, 2, 2, 3, [2]int{0, 2}, [2]int{2, 3}},
		{2, 1, 3, 3, 2, 3, 3, [2]int{0, 0}, [2]int{1, 1}},   // kernel = image
		{1, 2, 2, 2, 2, 3, 3, [2]int{1, 1}, [2]int{1, 1}},   // kernel > image, padded
		{5, 3, 40, 41, 4, 3, 3, [2]int{1, 1}, [2]int{1, 1}}, // one image per chunk
		// With a cgo BLAS (make test-openblas), the shifted products (c ≥
		// shiftMinChannels, stride 1, "same" padding):
		{2, 9, 7, 5, 3, 5, 3, [2]int{2, 1}, [2]int{1, 1}}, // rectangular kernel
		{3, 8, 4, 6, 2, 1, 1, [2]int{0, 0}, [2]int{1, 1}}, // 1×1
		// and Winograd (3×3, stride 1, padding 1, c ≥ shiftMinChannels):
		{7, 8, 12, 12, 8, 3, 3, [2]int{1, 1}, [2]int{1, 1}},  // 36 tiles an image: 3 images per chunk, chunks split across cores
		{13, 8, 14, 14, 3, 3, 3, [2]int{1, 1}, [2]int{1, 1}}, // 2 images per chunk, a short last one
		{3, 10, 7, 9, 5, 3, 3, [2]int{1, 1}, [2]int{1, 1}},   // odd sizes: last tiles half outside
	}
	rng := rand.New(rand.NewPCG(13, 1))
	for len(cs) < 15 {
		k := convCase{n: 1 + rng.IntN(3), c: 1 + rng.IntN(4), h: 1 + rng.IntN(8), w: 1 + rng.IntN(8), o: 1 + rng.IntN(4),
			kh: 1 + rng.IntN(4), kw: 1 + rng.IntN(4),
			pad: [2]int{rng.IntN(3), rng.IntN(3)}, stride: [2]int{1 + rng.IntN(2), 1 + rng.IntN(2)}}
		if k.kh > k.h+2*k.pad[0] || k.kw > k.w+2*k.pad[1] {
			continue
		}
		cs = append(cs, k)
	}
	return cs
}

// windowLoss is L = Σ R ⊙ f(x, w) for a fixed random R, built with our op
// or Gorgonia's (the oracle); w is nil for pooling.
type windowLoss struct {
	g          *G.ExprGraph
	x, w, loss *G.Node
}

// newWindowLoss builds L of dtype dt; f adds the op under test.
func newWindowLoss(tb testing.TB, dt tensor.Dtype, xs, ws tensor.Shape, xv, wv []float64, seed uint64,
	f func(x, w *G.Node) (*G.Node, error)) *windowLoss {
	tb.Helper()
	l := &windowLoss{g: G.NewGraph()}
	l.x = G.NewTensor(l.g, dt, 4, G.WithShape(xs...), G.WithName("x"), G.WithValue(newDense(dt, xs, xv)))
	if ws != nil {
		l.w = G.NewTensor(l.g, dt, 4, G.WithShape(ws...), G.WithName("w"), G.WithValue(newDense(dt, ws, wv)))
	}
	y, err := f(l.x, l.w)
	if err != nil {
		tb.Fatal(err)
	}
	ys := y.Shape()
	r := G.NewTensor(l.g, dt, 4, G.WithShape(ys...), G.WithName("r"),
		G.WithValue(newDense(dt, ys, randomValues(ys.TotalSize(), seed))))
	l.loss = G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	return l
}

// inputs are x and, for a convolution, w.
func (l *windowLoss) inputs() G.Nodes {
	if l.w == nil {
		return G.Nodes{l.x}
	}
	return G.Nodes{l.x, l.w}
}

// run runs L once with its gradients on the named machine ("tape" with
// Grad, or "lisp") and returns L and the gradients of inputs().
func (l *windowLoss) run(tb testing.TB, machine string) (float64, [][]float64) {
	tb.Helper()
	var vm G.VM
	if machine == "tape" {
		if _, err := G.Grad(l.loss, l.inputs()...); err != nil {
			tb.Fatal(err)
		}
		vm = G.NewTapeMachine(l.g, G.BindDualValues(l.inputs()...))
	} else {
		vm = G.NewLispMachine(l.g)
	}
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		tb.Fatal(err)
	}
	t, _ := tb.(*testing.T)
	var grads [][]float64
	for _, in := range l.inputs() {
		gv, err := in.Grad()
		if err != nil {
			tb.Fatal(err)
		}
		grads = append(grads, floats(t, gv))
	}
	return floats(t, l.loss.Value())[0], grads
}

// compareAll fails t where got and want differ by more than tol (relative
// to max(1, |want|)).
func compareAll(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !closeTo(got[i], want[i], tol) {
			t.Fatalf("%s[%d] = %v, want %v (tol %g)", what, i, got[i], want[i], tol)
		}
	}
}

// tolConvF32 is the tolerance of float32 convolution results against the
// oracle (see TestConv2DMatchesGorgonia).
const tolConvF32 = 1e-3

// TestConv2DMatchesGorgonia compares value and gradients of L = Σ R ⊙
// Conv2D(x, w) with Gorgonia's Conv2d (TapeMachine) as the oracle, ours
// under the TapeMachine and the LispMachine, both dtypes.
func TestConv2DMatchesGorgonia(t *testing.T) {
	for i, k := range convCases() {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%v/%v", dt, k), func(t *testing.T) {
				xs, ws := tensor.Shape{k.n, k.c, k.h, k.w}, tensor.Shape{k.o, k.c, k.kh, k.kw}
				xv, wv := randomValues(xs.TotalSize(), uint64(100+i)), randomValues(ws.TotalSize(), uint64(200+i))
				oracle := func(x, w *G.Node) (*G.Node, error) {
					return G.Conv2d(x, w, tensor.Shape{k.kh, k.kw}, k.pad[:], k.stride[:], []int{1, 1})
				}
				ours := func(x, w *G.Node) (*G.Node, error) { return nn.Conv2D(x, w, k.pad, k.stride) }
				wantL, want := newWindowLoss(t, dt, xs, ws, xv, wv, 7, oracle).run(t, "tape")
				// float32 gradients of w sum up to n·oh·ow ≈ 10⁴ products, in
				// another order than Gorgonia's: rounding of about √10⁴·2⁻²⁴
				// relative to the terms' magnitude, well inside 1e-3.
				tol := tolFor(dt) * 10
				if dt == tensor.Float32 {
					tol = tolConvF32
				}
				for _, m := range []string{"tape", "lisp"} {
					gotL, got := newWindowLoss(t, dt, xs, ws, xv, wv, 7, ours).run(t, m)
					compareAll(t, m+" L", []float64{gotL}, []float64{wantL}, tol)
					compareAll(t, m+" dx", got[0], want[0], tol)
					compareAll(t, m+" dw", got[1], want[1], tol)
				}
			})
		}
	}
}

// TestMaxPool2DMatchesGorgonia compares value and gradient of L = Σ R ⊙
// MaxPool2D(x) with Gorgonia's MaxPool2D (TapeMachine) as the oracle.
// Inputs are distinct values (no ties), so the argmax is unambiguous.
func TestMaxPool2DMatchesGorgonia(t *testing.T) {
	type poolCase struct {
		n, c, h, w          int
		kernel, pad, stride [2]int
	}
	cases := []poolCase{
		{2, 3, 28, 28, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2}}, // the CNN's
		{4, 8, 28, 28, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2}}, // planes split across cores
		{1, 2, 7, 7, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2}},   // odd size: last row/column dropped
		{2, 1, 6, 5, [2]int{3, 2}, [2]int{0, 0}, [2]int{1, 1}},   // overlapping windows
		{1, 2, 5, 6, [2]int{3, 3}, [2]int{1, 1}, [2]int{2, 2}},   // padding
		{3, 1, 4, 4, [2]int{2, 3}, [2]int{1, 2}, [2]int{3, 1}},
	}
	for i, k := range cases {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%v/%d", dt, i), func(t *testing.T) {
				xs := tensor.Shape{k.n, k.c, k.h, k.w}
				xv := distinctValues(xs.TotalSize(), uint64(300+i))
				oracle := func(x, _ *G.Node) (*G.Node, error) {
					return G.MaxPool2D(x, tensor.Shape{k.kernel[0], k.kernel[1]}, k.pad[:], k.stride[:])
				}
				ours := func(x, _ *G.Node) (*G.Node, error) { return nn.MaxPool2D(x, k.kernel, k.pad, k.stride) }
				wantL, want := newWindowLoss(t, dt, xs, nil, xv, nil, 9, oracle).run(t, "tape")
				for _, m := range []string{"tape", "lisp"} {
					gotL, got := newWindowLoss(t, dt, xs, nil, xv, nil, 9, ours).run(t, m)
					compareAll(t, m+" L", []float64{gotL}, []float64{wantL}, tolFor(dt))
					compareAll(t, m+" dx", got[0], want[0], tolFor(dt))
				}
			})
		}
	}
}

// distinctValues returns a seeded permutation of n distinct values spaced
// 1/n apart in [−1, 1).
func distinctValues(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 5))
	v := make([]float64, n)
	for i, p := range rng.Perm(n) {
		v[i] = 2*float64(p)/float64(n) - 1
	}
	return v
}

// fdTolWindow is the tolerance of float64 central differences (step
// fdStep) against the analytic gradient: L is linear in x for a
// convolution and piecewise linear for pooling (whose inputs are 1/n
// apart, more than 2·fdStep, so no argmax changes), so only rounding
// separates them.
const fdTolWindow = 1e-8

// TestWindowOpsFiniteDifferences checks the gradients of Conv2D (x and w;
// a strided geometry for the column-matrix path, and same-padded ones with
// 8 channels for the Winograd (3×3) and shifted (3×5) paths, which run with
// a cgo BLAS: make test-openblas) and MaxPool2D (x; a general window and
// the CNN's 2×2),
// float64, TapeMachine, against central differences of L = Σ R ⊙ f in
// every coordinate.
func TestWindowOpsFiniteDifferences(t *testing.T) {
	type opCase struct {
		name   string
		xs, ws tensor.Shape
		f      func(x, w *G.Node) (*G.Node, error)
	}
	var cases []opCase
	for _, k := range []convCase{
		{2, 2, 5, 4, 3, 3, 2, [2]int{1, 1}, [2]int{2, 1}},
		{2, 8, 4, 3, 2, 3, 3, [2]int{1, 1}, [2]int{1, 1}},
		{2, 8, 3, 5, 2, 3, 5, [2]int{1, 2}, [2]int{1, 1}},
	} {
		cases = append(cases, opCase{"Conv2D/" + k.String(), tensor.Shape{k.n, k.c, k.h, k.w}, tensor.Shape{k.o, k.c, k.kh, k.kw},
			func(x, w *G.Node) (*G.Node, error) { return nn.Conv2D(x, w, k.pad, k.stride) }})
	}
	cases = append(cases, opCase{"MaxPool2D", tensor.Shape{2, 2, 5, 4}, nil, func(x, _ *G.Node) (*G.Node, error) {
		return nn.MaxPool2D(x, [2]int{3, 2}, [2]int{1, 0}, [2]int{2, 1})
	}}, opCase{"MaxPool2D/2x2", tensor.Shape{2, 2, 6, 4}, nil, func(x, _ *G.Node) (*G.Node, error) {
		return nn.MaxPool2D(x, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2}) // the CNN's unrolled kernels
	}})
	for _, c := range cases {
		xs := c.xs
		t.Run(c.name, func(t *testing.T) {
			vals := [][]float64{distinctValues(xs.TotalSize(), 41)}
			if c.ws != nil {
				vals = append(vals, randomValues(c.ws.TotalSize(), 42))
			}
			wv := []float64(nil)
			if c.ws != nil {
				wv = vals[1]
			}
			_, grads := newWindowLoss(t, tensor.Float64, xs, c.ws, vals[0], wv, 43, c.f).run(t, "tape")
			for in := range vals {
				for j := range vals[in] {
					orig := vals[in][j]
					lossAt := func(v float64) float64 {
						vals[in][j] = v
						defer func() { vals[in][j] = orig }()
						wv := []float64(nil)
						if c.ws != nil {
							wv = vals[1]
						}
						l := newWindowLoss(t, tensor.Float64, xs, c.ws, vals[0], wv, 43, c.f)
						vm := G.NewTapeMachine(l.g)
						defer vm.Close()
						if err := vm.RunAll(); err != nil {
							t.Fatal(err)
						}
						return l.loss.Value().Data().(float64)
					}
					fd := (lossAt(orig+fdStep) - lossAt(orig-fdStep)) / (2 * fdStep)
					if !closeTo(grads[in][j], fd, fdTolWindow) {
						t.Fatalf("input %d [%d]: gradient %v, central difference %v", in, j, grads[in][j], fd)
					}
				}
			}
		})
	}
}

// TestWindowOpsErrors checks that bad shapes and parameters give errors
// that name the argument, never a panic.
func TestWindowOpsErrors(t *testing.T) {
	g := G.NewGraph()
	node := func(name string, s ...int) *G.Node {
		return G.NewTensor(g, tensor.Float64, len(s), G.WithShape(s...), G.WithName(name))
	}
	x := node("x", 2, 3, 5, 5)
	w := node("w", 4, 3, 3, 3)
	x32 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 5, 5), G.WithName("x32"))
	xi := G.NewTensor(g, tensor.Int, 4, G.WithShape(2, 3, 5, 5), G.WithName("xi"))
	one, zero := [2]int{1, 1}, [2]int{0, 0}
	for _, c := range []struct {
		name string
		f    func() (*G.Node, error)
		want string
	}{
		{"conv nil x", func() (*G.Node, error) { return nn.Conv2D(nil, w, one, one) }, "x or w is nil"},
		{"conv x 3-D", func() (*G.Node, error) { return nn.Conv2D(node("x3", 3, 5, 5), w, one, one) }, "x has shape"},
		{"conv w 3-D", func() (*G.Node, error) { return nn.Conv2D(x, node("w3", 3, 3, 3), one, one) }, "w has shape"},
		{"conv channels", func() (*G.Node, error) { return nn.Conv2D(x, node("w2", 4, 2, 3, 3), one, one) }, "w has 2 input channels"},
		{"conv kernel too large", func() (*G.Node, error) { return nn.Conv2D(x, node("w7", 4, 3, 8, 3), zero, one) }, "w: kernel 8×3 larger than the padded input 5×5"},
		{"conv pad", func() (*G.Node, error) { return nn.Conv2D(x, w, [2]int{-1, 0}, one) }, "pad = [-1 0]"},
		{"conv stride", func() (*G.Node, error) { return nn.Conv2D(x, w, one, [2]int{1, 0}) }, "stride = [1 0]"},
		{"conv dtypes", func() (*G.Node, error) { return nn.Conv2D(x32, w, one, one) }, "w has dtype float64, x float32"},
		{"conv int", func() (*G.Node, error) { return nn.Conv2D(xi, node("wi", 4, 3, 3, 3), one, one) }, "dtype"},
		{"pool nil", func() (*G.Node, error) { return nn.MaxPool2D(nil, one, zero, one) }, "x is nil"},
		{"pool x 2-D", func() (*G.Node, error) { return nn.MaxPool2D(node("x2", 5, 5), one, zero, one) }, "x has shape"},
		{"pool kernel", func() (*G.Node, error) { return nn.MaxPool2D(x, [2]int{0, 2}, zero, one) }, "kernel = [0 2]"},
		{"pool kernel too large", func() (*G.Node, error) { return nn.MaxPool2D(x, [2]int{6, 2}, zero, one) }, "kernel: kernel 6×2 larger"},
		{"pool pad", func() (*G.Node, error) { return nn.MaxPool2D(x, [2]int{2, 2}, [2]int{2, 0}, one) }, "pad = [2 0]"},
		{"pool stride", func() (*G.Node, error) { return nn.MaxPool2D(x, [2]int{2, 2}, zero, [2]int{0, 1}) }, "stride = [0 1]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			y, err := c.f()
			if err == nil {
				t.Fatalf("got %v, want an error", y)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

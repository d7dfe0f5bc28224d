package op_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// projectRowsAs is Project applied row by row in dtype dt itself (not the
// float64 oracle), returned as valueFloat64s: the op must reproduce it bit for bit.
func projectRowsAs(t *testing.T, dt tensor.Dtype, x []float64, rows, n int, k []float64, tau float64) []float64 {
	t.Helper()
	if dt == tensor.Float64 {
		return projectRowsOracle(t, x, rows, n, k, tau)
	}
	y := make([]float64, len(x))
	xr, yr := make([]float32, n), make([]float32, n)
	for r := 0; r < rows; r++ {
		kr := k[0]
		if len(k) > 1 {
			kr = k[r]
		}
		for i := range xr {
			xr[i] = float32(x[r*n+i])
		}
		if err := hypersimplex.Project(yr, xr, float32(kr), float32(tau)); err != nil {
			t.Fatalf("Project row %d: %v", r, err)
		}
		for i, v := range yr {
			y[r*n+i] = float64(v)
		}
	}
	return y
}

// TestSoftBinaryArgmaxForwardEqualsKernel checks the op's output against
// Project row by row, exactly, for both floatDtypes, vector and matrix inputs,
// scalar and per-row k, and a matrix large enough for the parallel path.
func TestSoftBinaryArgmaxForwardEqualsKernel(t *testing.T) {
	cases := []struct {
		rows, n int
		vector  bool
		perRowK bool
	}{
		{1, 9, true, false},
		{1, 1, true, false},
		{4, 7, false, false},
		{4, 7, false, true},
		{1, 5, false, true},
		{16, 4096, false, true}, // rows × n above the parallel threshold
	}
	const tau = 0.7
	for _, dt := range floatDtypes {
		for _, c := range cases {
			name := fmt.Sprintf("%v/%s/perRowK=%v", dt, caseShapeName(c.rows, c.n, c.vector), c.perRowK)
			t.Run(name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, uint64(c.rows*c.n)))
				x := roundToDtype(dt, gaussianFloats(rng, c.rows*c.n, 2))
				k := []float64{float64(c.n) / 3}
				if c.perRowK {
					k = make([]float64, c.rows)
					for r := range k {
						k[r] = float64(r%(c.n+1)) + 0.25*float64(r%2) // integer and fractional, 0 included
						if k[r] > float64(c.n) {
							k[r] = float64(c.n)
						}
					}
				}
				g := G.NewGraph()
				xs := []int{c.rows, c.n}
				if c.vector {
					xs = []int{c.n}
				}
				xn := namedInput(g, dt, "x", x, xs...)
				var kn *G.Node
				if c.perRowK {
					kn = namedInput(g, dt, "k", k, len(k))
				} else {
					kn = namedInput(g, dt, "k", k)
				}
				y, err := op.SoftBinaryArgmax(xn, kn, tau)
				if err != nil {
					t.Fatal(err)
				}
				if !y.Shape().Eq(tensor.Shape(xs)) || y.Dtype() != dt {
					t.Fatalf("node is %v %v, want %v %v", y.Shape(), y.Dtype(), tensor.Shape(xs), dt)
				}
				m := G.NewTapeMachine(g)
				defer m.Close()
				if err := m.RunAll(); err != nil {
					t.Fatal(err)
				}
				got := valueFloat64s(t, y.Value())
				want := projectRowsAs(t, dt, x, c.rows, c.n, k, tau)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("y[%d] = %v, want Project's %v", i, got[i], want[i])
					}
				}
				if in := valueFloat64s(t, xn.Value()); !sameFloats(in, x) {
					t.Fatal("the op changed its input x")
				}
			})
		}
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSoftBinaryArgmaxTauInHash checks that two ops on the same inputs with
// different τ are different nodes with different values, and that the same
// τ gives the same (deduplicated) node.
func TestSoftBinaryArgmaxTauInHash(t *testing.T) {
	g := G.NewGraph()
	x := []float64{0.3, -1.2, 0.8, 2.5, 0.1}
	xn := namedInput(g, tensor.Float64, "x", x, len(x))
	kn := namedInput(g, tensor.Float64, "k", []float64{2})
	y1, err1 := op.SoftBinaryArgmax(xn, kn, 1)
	y2, err2 := op.SoftBinaryArgmax(xn, kn, 2)
	y1again, err3 := op.SoftBinaryArgmax(xn, kn, 1)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if y1 == y2 {
		t.Fatalf("τ = 1 and τ = 2 gave the same node %v", y1)
	}
	if y1 != y1again {
		t.Fatalf("the same op on the same inputs gave two nodes %v and %v", y1, y1again)
	}
	// Differentiate both: the two backward nodes must keep their own τ.
	w := namedInput(g, tensor.Float64, "w", []float64{1, 2, 3, 4, 5}, len(x))
	l1 := G.Must(G.Sum(G.Must(G.HadamardProd(y1, w))))
	l2 := G.Must(G.Sum(G.Must(G.HadamardProd(y2, w))))
	_, grad := tapeRun(t, g, G.Must(G.Add(l1, l2)), xn)
	for i, c := range []struct {
		y   *G.Node
		tau float64
	}{{y1, 1}, {y2, 2}} {
		want := projectRowsOracle(t, x, 1, len(x), []float64{2}, c.tau)
		assertClose(t, fmt.Sprintf("y%d", i+1), valueFloat64s(t, c.y.Value()), want, lossTol64)
	}
	// d/dx Σ w⊙(y1 + y2) = Jᵀ(τ=1)w + Jᵀ(τ=2)w.
	wv := []float64{1, 2, 3, 4, 5}
	want := make([]float64, len(x))
	for _, tau := range []float64{1, 2} {
		y := projectRowsOracle(t, x, 1, len(x), []float64{2}, tau)
		dx := make([]float64, len(x))
		if err := hypersimplex.ProjectVJP(dx, y, wv, tau); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			want[i] += dx[i]
		}
	}
	assertClose(t, "gradient", grad, want, gradTolGraph64)
}

// TestSoftBinaryArgmaxViews feeds views of a larger matrix through Let: a
// block of rows (contiguous, read in place) and a block of columns (strided,
// copied first); the output must equal Project on the viewed values.
func TestSoftBinaryArgmaxViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	big := gaussianFloats(rng, 6*8, 1)
	cases := []struct {
		name       string
		rows, cols []int // half-open ranges of the view
	}{
		{"rows 2:5", []int{2, 5}, []int{0, 8}},
		{"columns 1:5", []int{0, 6}, []int{1, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, n := c.rows[1]-c.rows[0], c.cols[1]-c.cols[0]
			view, err := denseOf(tensor.Float64, big, 6, 8).Slice(G.S(c.rows[0], c.rows[1]), G.S(c.cols[0], c.cols[1]))
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, 0, r*n)
			for i := c.rows[0]; i < c.rows[1]; i++ {
				want = append(want, big[i*8+c.cols[0]:i*8+c.cols[1]]...)
			}
			want = projectRowsOracle(t, want, r, n, []float64{1.5}, 1)
			g := G.NewGraph()
			x := G.NewMatrix(g, tensor.Float64, G.WithShape(r, n), G.WithName("x"))
			y, err := op.SoftBinaryArgmax(x, namedInput(g, tensor.Float64, "k", []float64{1.5}), 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := G.Let(x, view); err != nil {
				t.Fatal(err)
			}
			m := G.NewTapeMachine(g)
			defer m.Close()
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			assertClose(t, "y", valueFloat64s(t, y.Value()), want, lossTol64)
		})
	}
}

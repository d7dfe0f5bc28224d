package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reluShapes are the shapes of x every ReLU test runs with: a vector, a
// matrix and an NCHW tensor.
var reluShapes = []tensor.Shape{{7}, {5, 6}, {2, 3, 2, 2}}

// Finite differences of the ReLU losses: the step, the smallest distance
// of a pre-activation from the kink at 0 (so x ± h never crosses it), and
// the tolerance of a float64 gradient (the loss is linear around x, so
// only rounding separates the difference quotient from the derivative; a
// float32 gradient gets tolF32).
const (
	fdStep     = 1e-3
	fdKinkGap  = 0.25
	fdTolReLU  = 1e-9
	reluSScale = 1.5 // S ∈ [0.5, 1.5): |S·h| < fdKinkGap
)

// awayFromZero returns n seeded values of random sign with magnitude in
// [fdKinkGap, fdKinkGap + 2).
func awayFromZero(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	v := make([]float64, n)
	for i := range v {
		v[i] = fdKinkGap + 2*rng.Float64()
		if rng.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return v
}

// scales returns n seeded values in [0.5, reluSScale).
func scales(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 4))
	v := make([]float64, n)
	for i := range v {
		v[i] = 0.5 + (reluSScale-0.5)*rng.Float64()
	}
	return v
}

// reluLoss is one graph computing
//
//	L = Σ R ⊙ ReLU(z),  z = S ⊙ x
//
// for fixed tensors S and R. Through S ⊙ x, ReLU's input is an
// intermediate node (which the TapeMachine may overwrite, unlike an input),
// and R makes the upstream gradient ∂L/∂y = R non-uniform.
type reluLoss struct {
	g             *G.ExprGraph
	x, z, y, loss *G.Node
}

// newReLULoss builds a reluLoss of dtype dt for x, S and R of the given
// shape (S nil: z = x, ReLU applied to the input node itself).
func newReLULoss(tb testing.TB, dt tensor.Dtype, shape tensor.Shape, x, s, r []float64) *reluLoss {
	tb.Helper()
	l := &reluLoss{g: G.NewGraph()}
	l.x = G.NewTensor(l.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("x"), G.WithValue(newDense(dt, shape, x)))
	rn := G.NewTensor(l.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("r"), G.WithValue(newDense(dt, shape, r)))
	l.z = l.x
	if s != nil {
		sn := G.NewTensor(l.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("s"), G.WithValue(newDense(dt, shape, s)))
		l.z = G.Must(G.HadamardProd(sn, l.x))
	}
	var err error
	if l.y, err = nn.ReLU(l.z); err != nil {
		tb.Fatal(err)
	}
	l.loss = G.Must(G.Sum(G.Must(G.HadamardProd(l.y, rn))))
	return l
}

// reluRun is what one run of a reluLoss gives: L, y and ∂L/∂x.
type reluRun struct {
	loss  float64
	y, dx []float64
}

// runTape differentiates l with Grad and runs it once on a TapeMachine.
func (l *reluLoss) runTape(t *testing.T) reluRun {
	t.Helper()
	if _, err := G.Grad(l.loss, l.x); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(l.g, G.BindDualValues(l.x))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return l.read(t)
}

// runLisp runs l once on a LispMachine (forward and DoDiff backward).
func (l *reluLoss) runLisp(t *testing.T) reluRun {
	t.Helper()
	m := G.NewLispMachine(l.g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return l.read(t)
}

func (l *reluLoss) read(t *testing.T) reluRun {
	t.Helper()
	dx, err := l.x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return reluRun{loss: floats(t, l.loss.Value())[0], y: floats(t, l.y.Value()), dx: floats(t, dx)}
}

// machines runs a fresh reluLoss on each VM.
var machines = []struct {
	name string
	run  func(*reluLoss, *testing.T) reluRun
}{
	{"tape", (*reluLoss).runTape},
	{"lisp", (*reluLoss).runLisp},
}

// TestReLUForward compares y with max(x, 0) computed directly and with
// G.Rectify on random-sign data, every dtype and shape. Values must be
// equal (== does not see the sign of a zero: G.Rectify gives −0 for x < 0)
// and the input must be left unchanged.
func TestReLUForward(t *testing.T) {
	for _, dt := range dtypes {
		for _, shape := range reluShapes {
			t.Run(fmt.Sprintf("%v/%v", dt, shape), func(t *testing.T) {
				x := randomValues(shape.TotalSize(), 21)
				x[0] = 0 // an exact zero
				g := G.NewGraph()
				xn := G.NewTensor(g, dt, shape.Dims(), G.WithShape(shape...), G.WithName("x"), G.WithValue(newDense(dt, shape, x)))
				y, err := nn.ReLU(xn)
				if err != nil {
					t.Fatal(err)
				}
				rect, err := G.Rectify(xn)
				if err != nil {
					t.Fatal(err)
				}
				vm := G.NewTapeMachine(g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if !y.Shape().Eq(shape) || !y.Value().Shape().Eq(shape) || y.Dtype() != dt {
					t.Fatalf("y is %v %v (value %v), want %v %v", y.Dtype(), y.Shape(), y.Value().Shape(), dt, shape)
				}
				got, gr, in := floats(t, y.Value()), floats(t, rect.Value()), floats(t, xn.Value())
				want := floats(t, newDense(dt, shape, x)) // x rounded to dt
				for i, v := range want {
					if in[i] != v {
						t.Errorf("x[%d] changed to %v, was %v", i, in[i], v)
					}
					if got[i] != max(v, 0) || math.Signbit(got[i]) {
						t.Errorf("ReLU(%v) = %v, want %v", v, got[i], max(v, 0))
					}
					if got[i] != gr[i] {
						t.Errorf("x[%d] = %v: ReLU %v, G.Rectify %v", i, v, got[i], gr[i])
					}
				}
			})
		}
	}
}

// TestReLUGradientFiniteDifferences checks ∂L/∂x of L = Σ R ⊙ ReLU(S ⊙ x)
// from Grad + TapeMachine and from the LispMachine against central
// differences of L (a float64 graph, stepped away from the kink), for
// every dtype and shape. The loss and y must agree between the machines.
func TestReLUGradientFiniteDifferences(t *testing.T) {
	for _, dt := range dtypes {
		for _, shape := range reluShapes {
			n := shape.TotalSize()
			x, s, r := awayFromZero(n, 31), scales(n, 32), randomValues(n, 33)
			fd := reluFiniteDifferences(t, shape, x, s, r)
			var losses []float64
			for _, m := range machines {
				t.Run(fmt.Sprintf("%v/%v/%s", dt, shape, m.name), func(t *testing.T) {
					got := m.run(newReLULoss(t, dt, shape, x, s, r), t)
					losses = append(losses, got.loss)
					for i := range fd {
						if !closeTo(got.dx[i], fd[i], gradTolReLU(dt)) {
							t.Errorf("dL/dx[%d] = %.10g, finite difference %.10g", i, got.dx[i], fd[i])
						}
					}
				})
			}
			if len(losses) == 2 && !closeTo(losses[0], losses[1], tolFor(dt)) {
				t.Errorf("%v/%v: loss %v (tape), %v (lisp)", dt, shape, losses[0], losses[1])
			}
		}
	}
}

// gradTolReLU is the tolerance of a gradient of dtype dt against a float64
// finite difference.
func gradTolReLU(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return tolF32
	}
	return fdTolReLU
}

// reluFiniteDifferences returns (L(x + h·e_i) − L(x − h·e_i))/(2h) for
// every i, evaluating the float64 graph of L = Σ R ⊙ ReLU(S ⊙ x).
func reluFiniteDifferences(t *testing.T, shape tensor.Shape, x, s, r []float64) []float64 {
	t.Helper()
	l := newReLULoss(t, tensor.Float64, shape, x, s, r)
	vm := G.NewTapeMachine(l.g)
	defer vm.Close()
	at := append([]float64(nil), x...)
	lossAt := func() float64 {
		if err := G.Let(l.x, newDense(tensor.Float64, shape, at)); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		defer vm.Reset()
		return l.loss.Value().Data().(float64)
	}
	fd := make([]float64, len(x))
	for i := range x {
		at[i] = x[i] + fdStep
		up := lossAt()
		at[i] = x[i] - fdStep
		down := lossAt()
		at[i] = x[i]
		fd[i] = (up - down) / (2 * fdStep)
	}
	return fd
}

// TestReLUSpecialValues runs ReLU and its gradient (upstream gradient 2)
// on zeros of both signs, subnormals, ±Inf and NaN, under both machines:
// y = +0 for every x ≤ 0, NaN propagates forward and passes no gradient,
// and ReLU′(0) = 0.
func TestReLUSpecialValues(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, dt := range dtypes {
		tiny := math.SmallestNonzeroFloat64
		if dt == tensor.Float32 {
			tiny = math.SmallestNonzeroFloat32
		}
		cases := []struct {
			name     string
			x, y, dx float64
			wantNaN  bool
		}{
			{name: "-Inf", x: math.Inf(-1), y: 0, dx: 0},
			{name: "-1", x: -1, y: 0, dx: 0},
			{name: "-subnormal", x: -tiny, y: 0, dx: 0},
			{name: "-0", x: negZero, y: 0, dx: 0},
			{name: "+0", x: 0, y: 0, dx: 0},
			{name: "+subnormal", x: tiny, y: tiny, dx: 2},
			{name: "1", x: 1, y: 1, dx: 2},
			{name: "+Inf", x: math.Inf(1), y: math.Inf(1), dx: 2},
			{name: "NaN", x: math.NaN(), wantNaN: true, dx: 0},
		}
		x, r := make([]float64, len(cases)), make([]float64, len(cases))
		for i, c := range cases {
			x[i], r[i] = c.x, 2
		}
		shape := tensor.Shape{len(cases)}
		for _, m := range machines {
			got := m.run(newReLULoss(t, dt, shape, x, nil, r), t)
			for i, c := range cases {
				t.Run(fmt.Sprintf("%v/%s/x=%s", dt, m.name, c.name), func(t *testing.T) {
					switch {
					case c.wantNaN && !math.IsNaN(got.y[i]):
						t.Errorf("y = %v, want NaN", got.y[i])
					case !c.wantNaN && (got.y[i] != c.y || math.Signbit(got.y[i])):
						t.Errorf("y = %v (sign bit %v), want %v", got.y[i], math.Signbit(got.y[i]), c.y)
					}
					if got.dx[i] != c.dx {
						t.Errorf("dL/dx = %v, want %v", got.dx[i], c.dx)
					}
				})
			}
		}
	}
}

// TestReLUZeroConventionDiffersFromRectify pins the one place where the
// gradients of ReLU and G.Rectify differ: at x = ±0, ReLU′ = 0 (PyTorch)
// and G.Rectify′ = 1 (its x ⊙ 1[x ≥ 0]). The hinge head keeps G.Rectify
// for this reason.
func TestReLUZeroConventionDiffersFromRectify(t *testing.T) {
	x := []float64{math.Copysign(0, -1), 0, 1, -1}
	want := map[string][]float64{"nn.ReLU": {0, 0, 1, 0}, "G.Rectify": {1, 1, 1, 0}}
	for _, dt := range dtypes {
		for name, act := range map[string]func(*G.Node) (*G.Node, error){"nn.ReLU": nn.ReLU, "G.Rectify": G.Rectify} {
			t.Run(fmt.Sprintf("%v/%s", dt, name), func(t *testing.T) {
				g := G.NewGraph()
				xn := G.NewVector(g, dt, G.WithShape(len(x)), G.WithName("x"), G.WithValue(newDense(dt, tensor.Shape{len(x)}, x)))
				loss := G.Must(G.Sum(G.Must(act(xn))))
				if _, err := G.Grad(loss, xn); err != nil {
					t.Fatal(err)
				}
				vm := G.NewTapeMachine(g, G.BindDualValues(xn))
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				dx, err := xn.Grad()
				if err != nil {
					t.Fatal(err)
				}
				got := floats(t, dx)
				for i, w := range want[name] {
					if got[i] != w {
						t.Errorf("d/dx at x = %v: got %v, want %v", x[i], got[i], w)
					}
				}
			})
		}
	}
}

// TestReLURunsInPlace checks what the doc of ReLU promises for the
// TapeMachine: when ReLU's input is an intermediate used nowhere else, y is
// written into the input's tensor, and ∂L/∂x into ∂L/∂y's.
func TestReLURunsInPlace(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			shape := tensor.Shape{4, 5}
			n := shape.TotalSize()
			l := newReLULoss(t, dt, shape, awayFromZero(n, 41), scales(n, 42), randomValues(n, 43))
			l.runTape(t)
			if l.y.Value().Uintptr() != l.z.Value().Uintptr() {
				t.Error("y has its own tensor, want the one of its input S ⊙ x")
			}
			dz, dy := l.z.Deriv(), l.y.Deriv()
			if dz == nil || dy == nil {
				t.Fatal("no gradient nodes for z or y")
			}
			if dz.Op().String() != "nn.ReLUDiff" {
				t.Fatalf("∂L/∂z is computed by %v, want nn.ReLUDiff", dz.Op())
			}
			if dz.Value().Uintptr() != dy.Value().Uintptr() {
				t.Error("∂L/∂z has its own tensor, want the one of ∂L/∂y")
			}
		})
	}
}

// TestReLUNodesAndHashes checks the graph identity of ReLU nodes: two ReLU
// nodes of one input are one node (and get one gradient node); ReLU of
// another input, G.Rectify and other elementwise ops are other nodes; the
// forward and backward ops hash apart from each other and from those ops.
func TestReLUNodesAndHashes(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2, 3}, randomValues(6, 51))))
	x2 := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x2"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2, 3}, randomValues(6, 52))))
	a, b := G.Must(nn.ReLU(x)), G.Must(nn.ReLU(x))
	if a != b {
		t.Error("ReLU(x) twice gave two nodes, want one")
	}
	others := map[string]*G.Node{
		"ReLU(x2)":  G.Must(nn.ReLU(x2)),
		"G.Rectify": G.Must(G.Rectify(x)),
		"G.Tanh":    G.Must(G.Tanh(x)),
		"G.Abs":     G.Must(G.Abs(x)),
		"G.Neg":     G.Must(G.Neg(x)),
		"G.Sigmoid": G.Must(G.Sigmoid(x)),
		"G.Square":  G.Must(G.Square(x)),
		"G.Exp":     G.Must(G.Exp(x)),
	}
	for name, o := range others {
		if o == a {
			t.Errorf("%s is the ReLU(x) node", name)
		}
	}
	loss := G.Must(G.Add(G.Must(G.Sum(a)), G.Must(G.Sum(b))))
	if _, err := G.Grad(loss, x); err != nil {
		t.Fatal(err)
	}
	var diffs G.Nodes
	for _, n := range g.AllNodes() {
		if n.Op() != nil && n.Op().String() == "nn.ReLUDiff" {
			diffs = append(diffs, n)
		}
	}
	if len(diffs) != 1 {
		t.Fatalf("%d nn.ReLUDiff nodes, want 1", len(diffs))
	}
	hashes := map[uint32]string{}
	for name, op := range map[string]G.Op{"nn.ReLU": a.Op(), "nn.ReLUDiff": diffs[0].Op(),
		"G.Tanh": others["G.Tanh"].Op(), "G.Abs": others["G.Abs"].Op(), "G.Neg": others["G.Neg"].Op(),
		"G.Sigmoid": others["G.Sigmoid"].Op(), "G.Square": others["G.Square"].Op()} {
		h := op.Hashcode()
		if prev, ok := hashes[h]; ok {
			t.Errorf("%s and %s have the same op hash %#x", name, prev, h)
		}
		hashes[h] = name
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(x))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	dx, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	xs, got := floats(t, x.Value()), floats(t, dx)
	for i, v := range xs {
		want := 0.0
		if v > 0 {
			want = 2 // the loss counts the one ReLU node twice
		}
		if got[i] != want {
			t.Errorf("dL/dx[%d] = %v at x = %v, want %v", i, got[i], v, want)
		}
	}
}

func TestReLUErrors(t *testing.T) {
	g := G.NewGraph()
	cases := []struct {
		name string
		x    *G.Node
	}{
		{"nil", nil},
		{"scalar", G.NewScalar(g, tensor.Float64, G.WithName("s"))},
		{"int", G.NewMatrix(g, tensor.Int, G.WithShape(2, 2), G.WithName("i"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := nn.ReLU(c.x); err == nil {
				t.Error("accepted, want an error")
			}
		})
	}
}

// TestReLUOpRejectsValues calls the ops' Do and UsePreallocDo with values
// that no graph built by ReLU passes them.
func TestReLUOpRejectsValues(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2, 3}, randomValues(6, 61))))
	y := G.Must(nn.ReLU(x))
	if _, err := G.Grad(G.Must(G.Sum(y)), x); err != nil {
		t.Fatal(err)
	}
	fwd, bwd := y.Op(), x.Deriv().Op()
	m23 := newDense(tensor.Float64, tensor.Shape{2, 3}, make([]float64, 6))
	m32 := newDense(tensor.Float64, tensor.Shape{3, 2}, make([]float64, 6))
	f32 := newDense(tensor.Float32, tensor.Shape{2, 3}, make([]float64, 6))
	ints := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]int, 6)))
	cases := []struct {
		name   string
		op     G.Op
		values []G.Value
	}{
		{"forward/no values", fwd, nil},
		{"forward/two values", fwd, []G.Value{m23, m23}},
		{"forward/scalar", fwd, []G.Value{G.NewF64(1)}},
		{"forward/int", fwd, []G.Value{ints}},
		{"backward/one value", bwd, []G.Value{m23}},
		{"backward/shapes differ", bwd, []G.Value{m23, m32}},
		{"backward/dtypes differ", bwd, []G.Value{m23, f32}},
		{"backward/int", bwd, []G.Value{ints, ints}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.op.Do(c.values...); err == nil {
				t.Error("Do accepted, want an error")
			}
			if _, err := c.op.(G.UsePreallocDoer).UsePreallocDo(newDense(tensor.Float64, tensor.Shape{2, 3}, make([]float64, 6)), c.values...); err == nil {
				t.Error("UsePreallocDo accepted, want an error")
			}
		})
	}
}

// TestReLUPreallocFallsBack checks that UsePreallocDo writes into a
// matching buffer and computes into a new tensor, leaving the buffer alone,
// when the buffer has another shape or dtype or is nil.
func TestReLUPreallocFallsBack(t *testing.T) {
	g := G.NewGraph()
	xv := []float64{-1, 2, -3, 4, 0, 6}
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"), G.WithValue(newDense(tensor.Float64, tensor.Shape{2, 3}, xv)))
	op := G.Must(nn.ReLU(x)).Op().(G.UsePreallocDoer)
	want := []float64{0, 2, 0, 4, 0, 6}
	cases := []struct {
		name    string
		buf     G.Value
		written bool
	}{
		{"matching", newDense(tensor.Float64, tensor.Shape{2, 3}, make([]float64, 6)), true},
		{"other shape", newDense(tensor.Float64, tensor.Shape{3, 2}, make([]float64, 6)), false},
		{"other dtype", newDense(tensor.Float32, tensor.Shape{2, 3}, make([]float64, 6)), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			y, err := op.UsePreallocDo(c.buf, x.Value())
			if err != nil {
				t.Fatal(err)
			}
			if got := floats(t, y); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("y = %v, want %v", got, want)
			}
			if c.buf == nil {
				return
			}
			if same := y.Uintptr() == c.buf.Uintptr(); same != c.written {
				t.Errorf("result in the buffer: %v, want %v", same, c.written)
			}
			if !c.written {
				for i, v := range floats(t, c.buf) {
					if v != 0 {
						t.Errorf("buffer[%d] = %v, want it untouched (0)", i, v)
					}
				}
			}
		})
	}
}

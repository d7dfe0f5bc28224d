package nn_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// linearLoss is L = Σ R ⊙ f(x, W, b) for a fixed random R.
type linearLoss struct {
	g             *G.ExprGraph
	x, w, b, loss *G.Node
}

func newLinearLoss(tb testing.TB, dt tensor.Dtype, n, in, out int, vals [3][]float64,
	f func(x, w, b *G.Node) (*G.Node, error)) *linearLoss {
	tb.Helper()
	l := &linearLoss{g: G.NewGraph()}
	l.x = G.NewMatrix(l.g, dt, G.WithShape(n, in), G.WithName("x"), G.WithValue(newDense(dt, tensor.Shape{n, in}, vals[0])))
	l.w = G.NewMatrix(l.g, dt, G.WithShape(in, out), G.WithName("W"), G.WithValue(newDense(dt, tensor.Shape{in, out}, vals[1])))
	l.b = G.NewMatrix(l.g, dt, G.WithShape(1, out), G.WithName("b"), G.WithValue(newDense(dt, tensor.Shape{1, out}, vals[2])))
	y, err := f(l.x, l.w, l.b)
	if err != nil {
		tb.Fatal(err)
	}
	r := G.NewMatrix(l.g, dt, G.WithShape(n, out), G.WithName("r"),
		G.WithValue(newDense(dt, tensor.Shape{n, out}, randomValues(n*out, 77))))
	l.loss = G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	return l
}

// run runs L with its gradients on the named machine and returns L and
// the gradients of x, W, b. On the TapeMachine it runs a second time after
// Reset and checks that L is the same and the gradients doubled (bound
// dual values accumulate across runs): the op reuses its output tensors
// from run to run, and that must not change a result.
func (l *linearLoss) run(t *testing.T, machine string) (float64, [][]float64) {
	t.Helper()
	in := G.Nodes{l.x, l.w, l.b}
	var vm G.VM
	if machine == "tape" {
		if _, err := G.Grad(l.loss, in...); err != nil {
			t.Fatal(err)
		}
		vm = G.NewTapeMachine(l.g, G.BindDualValues(in...))
	} else {
		vm = G.NewLispMachine(l.g)
	}
	defer vm.Close()
	read := func() (float64, [][]float64) {
		var grads [][]float64
		for _, n := range in {
			gv, err := n.Grad()
			if err != nil {
				t.Fatal(err)
			}
			grads = append(grads, floats(t, gv))
		}
		return floats(t, l.loss.Value())[0], grads
	}
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	loss, grads := read()
	if machine == "tape" {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		loss2, grads2 := read()
		compareAll(t, "second run L", []float64{loss2}, []float64{loss}, tolF32)
		for i := range grads {
			for j := range grads[i] {
				grads[i][j] *= 2
			}
			compareAll(t, "second run gradient (accumulated)", grads2[i], grads[i], tolF32)
			for j := range grads[i] {
				grads[i][j] /= 2
			}
		}
	}
	return loss, grads
}

// TestLinearMatchesGorgonia compares Linear with G.Mul + G.BroadcastAdd
// (TapeMachine) as the oracle, ours under both machines and dtypes.
func TestLinearMatchesGorgonia(t *testing.T) {
	oracle := func(x, w, b *G.Node) (*G.Node, error) {
		return G.BroadcastAdd(G.Must(G.Mul(x, w)), b, nil, []byte{0})
	}
	// 64×40→30 is large enough (n·in·out ≥ 2¹⁴) to run split across cores.
	for _, s := range [][3]int{{1, 1, 1}, {5, 3, 4}, {16, 9, 2}, {7, 20, 13}, {64, 40, 30}} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%v/%dx%d→%d", dt, s[0], s[1], s[2]), func(t *testing.T) {
				n, in, out := s[0], s[1], s[2]
				vals := [3][]float64{randomValues(n*in, 1), randomValues(in*out, 2), randomValues(out, 3)}
				wantL, want := newLinearLoss(t, dt, n, in, out, vals, oracle).run(t, "tape")
				for _, m := range []string{"tape", "lisp"} {
					gotL, got := newLinearLoss(t, dt, n, in, out, vals, nn.Linear).run(t, m)
					compareAll(t, m+" L", []float64{gotL}, []float64{wantL}, 10*tolFor(dt))
					for i, name := range []string{"dx", "dW", "db"} {
						compareAll(t, m+" "+name, got[i], want[i], 10*tolFor(dt))
					}
				}
			})
		}
	}
}

// TestLinearFiniteDifferences checks the float64 gradients of Linear
// against central differences in every coordinate (L is linear in each
// input, so only rounding separates them).
func TestLinearFiniteDifferences(t *testing.T) {
	n, in, out := 3, 4, 2
	vals := [3][]float64{randomValues(n*in, 11), randomValues(in*out, 12), randomValues(out, 13)}
	_, grads := newLinearLoss(t, tensor.Float64, n, in, out, vals, nn.Linear).run(t, "tape")
	for k := range vals {
		for j := range vals[k] {
			orig := vals[k][j]
			lossAt := func(v float64) float64 {
				vals[k][j] = v
				defer func() { vals[k][j] = orig }()
				l := newLinearLoss(t, tensor.Float64, n, in, out, vals, nn.Linear)
				vm := G.NewTapeMachine(l.g)
				defer vm.Close()
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				return l.loss.Value().Data().(float64)
			}
			fd := (lossAt(orig+fdStep) - lossAt(orig-fdStep)) / (2 * fdStep)
			if !closeTo(grads[k][j], fd, fdTolWindow) {
				t.Fatalf("input %d [%d]: gradient %v, central difference %v", k, j, grads[k][j], fd)
			}
		}
	}
}

// TestLinearErrors checks errors that name the argument.
func TestLinearErrors(t *testing.T) {
	g := G.NewGraph()
	m := func(name string, dt tensor.Dtype, s ...int) *G.Node {
		return G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName(name))
	}
	f64 := tensor.Float64
	x, w, b := m("x", f64, 4, 3), m("W", f64, 3, 2), m("b", f64, 1, 2)
	for _, c := range []struct {
		name    string
		x, w, b *G.Node
		want    string
	}{
		{"nil", nil, w, b, "x, W or b is nil"},
		{"x vector", m("xv", f64, 3), w, b, "x has shape"},
		{"W rows", x, m("W4", f64, 4, 2), b, "W has shape (4, 2), want (3, out ≥ 1)"},
		{"b shape", x, w, m("b3", f64, 1, 3), "b has shape (1, 3), want (1, 2)"},
		{"b vector", x, w, m("bv", f64, 2), "b has shape"},
		{"dtype", m("x32", tensor.Float32, 4, 3), w, b, "want x's dtype float32"},
	} {
		t.Run(c.name, func(t *testing.T) {
			y, err := nn.Linear(c.x, c.w, c.b)
			if err == nil {
				t.Fatalf("got %v, want an error", y)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

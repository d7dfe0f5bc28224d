package nn_test

import (
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mlpReference computes the MLP forward pass directly: h ← ReLU(h·W + b) for
// the hidden layers and h·W + b for the last, with float64 loops.
func mlpReference(t *testing.T, ps []nn.Param, x []float64, n int) []float64 {
	t.Helper()
	h := x
	layers := len(ps) / 2
	for l := 0; l < layers; l++ {
		w := floats(t, ps[2*l].Value)
		b := floats(t, ps[2*l+1].Value)
		in, out := ps[2*l].Value.Shape()[0], ps[2*l].Value.Shape()[1]
		next := make([]float64, n*out)
		for i := 0; i < n; i++ {
			for j := 0; j < out; j++ {
				s := b[j]
				for k := 0; k < in; k++ {
					s += h[i*in+k] * w[k*out+j]
				}
				if l < layers-1 && s < 0 {
					s = 0
				}
				next[i*out+j] = s
			}
		}
		h = next
	}
	return h
}

// runForward builds arch in a fresh graph bound to ps, feeds x (n rows) and
// returns the logits' values.
func runForward(t *testing.T, arch nn.Architecture, ps []nn.Param, dt tensor.Dtype, x []float64, n, features int, training bool) []float64 {
	t.Helper()
	g := G.NewGraph()
	xn := G.NewMatrix(g, dt, G.WithShape(n, features), G.WithName("x"),
		G.WithValue(newDense(dt, tensor.Shape{n, features}, x)))
	logits, err := arch.Forward(xn, mustBind(t, g, ps), training)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	return floats(t, logits.Value())
}

// seededInput returns n·features deterministic inputs in [−1, 1].
func seededInput(n, features int) []float64 {
	x := make([]float64, n*features)
	for i := range x {
		x[i] = float64((i*7919)%201)/100 - 1
	}
	return x
}

func TestMLPForwardMatchesDirectComputation(t *testing.T) {
	const n, features, classes = 5, 7, 3
	for _, dt := range dtypes {
		for _, hidden := range [][]int{nil, {6}, {8, 4}} {
			arch, err := nn.NewMLP(features, hidden, classes)
			if err != nil {
				t.Fatal(err)
			}
			t.Run(arch.Name()+"/"+dt.String(), func(t *testing.T) {
				ps, err := arch.Init(dt, 42)
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 2*(len(hidden)+1) {
					t.Fatalf("got %d params, want %d", len(ps), 2*(len(hidden)+1))
				}
				// Non-zero biases so that the bias path is exercised.
				for i := 1; i < len(ps); i += 2 {
					b := floats(t, ps[i].Value)
					for j := range b {
						b[j] = 0.1 * float64(j+i)
					}
					ps[i].Value = newDense(dt, ps[i].Value.Shape(), b)
				}
				x := seededInput(n, features)
				got := runForward(t, arch, ps, dt, x, n, features, true)
				want := mlpReference(t, ps, x, n)
				if len(got) != n*classes {
					t.Fatalf("got %d logits, want %d", len(got), n*classes)
				}
				for i := range want {
					if !closeTo(got[i], want[i], tolFor(dt)) {
						t.Errorf("logit %d = %.10g, want %.10g", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func TestInitSeeded(t *testing.T) {
	cnn, err := nn.NewCNNSized([3]int{1, 8, 8}, 3, 4, 5)
	if err != nil {
		t.Fatal(err)
	}
	mlp, err := nn.NewMLP(10, []int{6}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []nn.Architecture{mlp, cnn} {
		for _, dt := range dtypes {
			t.Run(arch.Name()+"/"+dt.String(), func(t *testing.T) {
				a, _ := arch.Init(dt, 7)
				b, _ := arch.Init(dt, 7)
				c, err := arch.Init(dt, 8)
				if err != nil {
					t.Fatal(err)
				}
				differs := false
				for i := range a {
					if a[i].Value.Dtype() != dt {
						t.Errorf("%s dtype %v, want %v", a[i].Name, a[i].Value.Dtype(), dt)
					}
					va, vb, vc := floats(t, a[i].Value), floats(t, b[i].Value), floats(t, c[i].Value)
					for j := range va {
						if va[j] != vb[j] {
							t.Fatalf("%s[%d]: seed 7 gave %v and %v", a[i].Name, j, va[j], vb[j])
						}
						if va[j] != vc[j] {
							differs = true
						}
					}
					if a[i].Value == b[i].Value {
						t.Errorf("%s: two Inits share one tensor", a[i].Name)
					}
				}
				if !differs {
					t.Error("seeds 7 and 8 gave identical parameters")
				}
			})
		}
	}
}

func TestInitRejectsDtype(t *testing.T) {
	arch, _ := nn.NewMLP(4, nil, 2)
	if _, err := arch.Init(tensor.Int, 1); err == nil {
		t.Error("Init(Int) succeeded, want an error")
	}
}

func TestNewMLPErrors(t *testing.T) {
	cases := []struct {
		name     string
		features int
		hidden   []int
		classes  int
	}{
		{"zero features", 0, nil, 2},
		{"one class", 4, nil, 1},
		{"zero hidden", 4, []int{3, 0}, 2},
		{"negative hidden", 4, []int{-3}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := nn.NewMLP(c.features, c.hidden, c.classes); err == nil {
				t.Error("accepted, want an error")
			}
		})
	}
}

func TestForwardShapeErrors(t *testing.T) {
	arch, _ := nn.NewMLP(4, []int{3}, 2)
	ps, _ := arch.Init(tensor.Float64, 1)
	g := G.NewGraph()
	params := mustBind(t, g, ps)
	wrongX := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 5), G.WithName("x5"))
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x4"))
	x32 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 4), G.WithName("x32"))
	if _, err := arch.Forward(wrongX, params, true); err == nil {
		t.Error("x with 5 features accepted by a 4-feature MLP")
	}
	if _, err := arch.Forward(x, params[:3], true); err == nil {
		t.Error("3 of 4 parameter nodes accepted")
	}
	if _, err := arch.Forward(x, G.Nodes{params[2], params[3], params[0], params[1]}, true); err == nil {
		t.Error("parameters in the wrong order accepted")
	}
	if _, err := arch.Forward(x32, params, true); err == nil {
		t.Error("float32 x with float64 parameters accepted")
	}
}

func TestBindNamesUniqueAndStorageShared(t *testing.T) {
	arch, _ := nn.NewMLP(3, []int{2}, 2)
	ps, _ := arch.Init(tensor.Float64, 3)
	ps = append(ps, nn.Param{Name: ps[0].Name, Value: ps[0].Value.Clone().(tensor.Tensor)})
	g := G.NewGraph()
	first := mustBind(t, g, ps)
	second := mustBind(t, g, ps) // a second binding into the same graph
	seen := map[string]bool{}
	for _, n := range append(first, second...) {
		if seen[n.Name()] {
			t.Errorf("name %q used twice", n.Name())
		}
		seen[n.Name()] = true
	}
	for i := range ps {
		if first[i] == second[i] {
			t.Errorf("Bind twice returned the same node for %s", ps[i].Name)
		}
	}

	// An update through one graph's node is visible in another graph.
	g2 := G.NewGraph()
	other := mustBind(t, g2, ps)
	w := first[0].Value().Data().([]float64)
	w[0] = 12.5
	if got := other[0].Value().Data().([]float64)[0]; got != 12.5 {
		t.Errorf("other graph sees %v after update, want 12.5", got)
	}
	if got := ps[0].Value.Data().([]float64)[0]; got != 12.5 {
		t.Errorf("Param sees %v after update, want 12.5", got)
	}
}

func TestSolverStepVisibleInEvalGraph(t *testing.T) {
	const n, features, classes = 4, 3, 2
	arch, _ := nn.NewMLP(features, []int{5}, classes)
	for _, dt := range dtypes {
		t.Run(dt.String(), func(t *testing.T) {
			ps, _ := arch.Init(dt, 9)
			before := floats(t, ps[0].Value)
			params, _, vm := ceGraph(t, arch, ps, dt, seededInput(n, features), []int{0, 1, 1, 0}, classes)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			solver := G.NewVanillaSolver(G.WithLearnRate(0.5))
			if err := solver.Step(G.NodesToValueGrads(params)); err != nil {
				t.Fatal(err)
			}
			after := floats(t, ps[0].Value)
			changed := false
			for i := range before {
				changed = changed || before[i] != after[i]
			}
			if !changed {
				t.Fatal("the solver step did not change the Param's tensor")
			}
			// An evaluation graph with another batch size sees the new weights.
			x1 := seededInput(1, features)
			got := runForward(t, arch, ps, dt, x1, 1, features, false)
			want := mlpReference(t, ps, x1, 1)
			for i := range want {
				if !closeTo(got[i], want[i], tolFor(dt)) {
					t.Errorf("eval logit %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}

// The zero values of MLP and CNN have no layers: every method that needs
// them returns an error rather than panicking or building nothing.
func TestZeroValueArchitecturesFail(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x"))
	for _, arch := range []nn.Architecture{&nn.MLP{}, &nn.CNN{}} {
		if ps, err := arch.Init(tensor.Float64, 1); err == nil {
			t.Errorf("%T zero value: Init gave %d params and no error", arch, len(ps))
		}
		if _, err := arch.Forward(x, nil, true); err == nil {
			t.Errorf("%T zero value: Forward succeeded", arch)
		}
	}
	if _, err := (&nn.CNN{}).RunningStats(nil); err == nil {
		t.Error("CNN zero value: RunningStats succeeded")
	}
	cnn, _ := nn.NewCNNSized([3]int{1, 4, 4}, 2, 1, 1)
	if _, err := cnn.RunningStats(make(G.Nodes, 16)); err == nil {
		t.Error("CNN RunningStats accepted nil nodes")
	}
	// Sixteen nodes of another CNN's shapes are not this CNN's parameters.
	wider, _ := nn.NewCNNSized([3]int{1, 4, 4}, 2, 2, 1)
	ps, _ := wider.Init(tensor.Float64, 1)
	nodes := mustBind(t, G.NewGraph(), ps)
	if _, err := cnn.RunningStats(nodes); err == nil || !strings.Contains(err.Error(), "has shape") {
		t.Errorf("CNN RunningStats of another CNN's parameters: err = %v, want a shape error", err)
	}
}

// Bind refuses what it cannot bind with an error naming the parameter,
// instead of Gorgonia's panic.
func TestBindRejectsBadParams(t *testing.T) {
	ints := tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))
	good := nn.Param{Name: "b", Value: tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))}
	for _, tc := range []struct {
		name string
		g    *G.ExprGraph
		ps   []nn.Param
		want string
	}{
		{"nil graph", nil, []nn.Param{good}, "nil graph"},
		{"no value", G.NewGraph(), []nn.Param{good, {Name: "w"}}, `parameter 1 ("w") has no value`},
		{"int dtype", G.NewGraph(), []nn.Param{{Name: "w", Value: ints}}, `parameter 0 ("w"): nn: dtype int`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes, err := nn.Bind(tc.g, tc.ps)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if nodes != nil {
				t.Errorf("nodes = %v alongside an error", nodes)
			}
		})
	}
}

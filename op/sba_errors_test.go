package op_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestSoftBinaryArgmaxBuildErrors checks the errors raised while building
// the graph: each names the argument and its value or shape.
func TestSoftBinaryArgmaxBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		build func(g *G.ExprGraph) inputPair
		tau   float64
		want  string
	}{
		{"nil x", func(g *G.ExprGraph) inputPair {
			return inputPair{nil, namedInput(g, tensor.Float64, "k", []float64{1})}
		}, 1, "non-nil"},
		{"tau zero", vectorAndScalarK(tensor.Float64, 4, 1), 0, "tau = 0"},
		{"tau negative", vectorAndScalarK(tensor.Float64, 4, 1), -1.5, "tau = -1.5"},
		{"tau NaN", vectorAndScalarK(tensor.Float64, 4, 1), math.NaN(), "tau = NaN"},
		{"tau +Inf", vectorAndScalarK(tensor.Float64, 4, 1), math.Inf(1), "tau = +Inf"},
		{"tau subnormal", vectorAndScalarK(tensor.Float64, 4, 1), 1e-310, "tau = 1e-310 is below the smallest normal"},
		{"tau 0 in float32", vectorAndScalarK(tensor.Float32, 4, 1), 1e-50, "tau = 1e-50 is 0 in float32"},
		{"tau +Inf in float32", vectorAndScalarK(tensor.Float32, 4, 1), 1e39, "tau = 1e+39 is +Inf in float32"},
		{"x rank 3", func(g *G.ExprGraph) inputPair {
			x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 2, 2), G.WithName("x"))
			return inputPair{x, namedInput(g, tensor.Float64, "k", []float64{1})}
		}, 1, "x has shape (2, 2, 2)"},
		{"x scalar", func(g *G.ExprGraph) inputPair {
			return inputPair{namedInput(g, tensor.Float64, "x", []float64{1}), namedInput(g, tensor.Float64, "k", []float64{1})}
		}, 1, "x has shape ()"},
		{"k length differs from rows", func(g *G.ExprGraph) inputPair {
			x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 5), G.WithName("x"))
			return inputPair{x, G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("k"))}
		}, 1, "k has shape (2), want a scalar or a vector of 3 entries"},
		{"k matrix", func(g *G.ExprGraph) inputPair {
			x := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 5), G.WithName("x"))
			return inputPair{x, G.NewMatrix(g, tensor.Float64, G.WithShape(3, 1), G.WithName("k"))}
		}, 1, "k has shape (3, 1)"},
		{"k dtype", func(g *G.ExprGraph) inputPair {
			x := G.NewVector(g, tensor.Float64, G.WithShape(5), G.WithName("x"))
			return inputPair{x, namedInput(g, tensor.Float32, "k", []float64{1})}
		}, 1, "k has dtype float32, want x's dtype float64"},
		{"x dtype", func(g *G.ExprGraph) inputPair {
			x := G.NewVector(g, tensor.Int, G.WithShape(5), G.WithName("x"))
			return inputPair{x, G.NewScalar(g, tensor.Int, G.WithName("k"))}
		}, 1, "x has dtype int"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.build(G.NewGraph())
			y, err := op.SoftBinaryArgmax(in.x, in.k, c.tau)
			if err == nil {
				t.Fatalf("got node %v and no error, want an error containing %q", y, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
			var ae *op.ArgError
			if !errors.As(err, &ae) || ae.Func != "SoftBinaryArgmax" || !strings.Contains(err.Error(), strings.Split(ae.Arg, ",")[0]) {
				t.Fatalf("error %q is not an *op.ArgError naming its argument (%+v)", err, ae)
			}
			if kind := buildErrKind(c.want); !errors.Is(err, kind) {
				t.Fatalf("error %q is not errors.Is %v", err, kind)
			}
		})
	}
}

// buildErrKind is the kind a build error described by want must wrap.
func buildErrKind(want string) error {
	switch {
	case strings.HasPrefix(want, "tau"):
		return op.ErrTau
	case strings.Contains(want, "dtype"):
		return op.ErrDtype
	case strings.Contains(want, "shape"):
		return op.ErrShape
	}
	return op.ErrNil
}

// inputPair are the inputs x and k of a build-error case.
type inputPair struct{ x, k *G.Node }

// vectorAndScalarK builds x, a vector of n, and a scalar k, of dtype dt.
func vectorAndScalarK(dt tensor.Dtype, n int, k float64) func(g *G.ExprGraph) inputPair {
	return func(g *G.ExprGraph) inputPair {
		x := G.NewVector(g, dt, G.WithShape(n), G.WithName("x"))
		return inputPair{x, namedInput(g, dt, "k", []float64{k})}
	}
}

// TestSoftBinaryArgmaxRunErrors checks that bad values found while the graph
// runs (NaN or ±Inf in x, k outside [0, n] or NaN) come back as errors from
// RunAll of both machines, not as panics or NaN outputs, and name the row.
func TestSoftBinaryArgmaxRunErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		x    []float64 // 2 × 3
		k    []float64 // per row
		want string    // in the error
	}{
		{"NaN in x", []float64{0, 1, 2, 3, nan, 5}, []float64{1, 1}, "row 1 of 2: x[1] = NaN"},
		{"+Inf in x", []float64{inf, 1, 2, 3, 4, 5}, []float64{1, 1}, "row 0 of 2: x[0] = +Inf"},
		{"-Inf in x", []float64{0, 1, 2, 3, 4, -inf}, []float64{1, 1}, "row 1 of 2: x[2] = -Inf"},
		{"k above n", []float64{0, 1, 2, 3, 4, 5}, []float64{1, 3.5}, "row 1 of 2: k = 3.5 outside [0, 3]"},
		{"k negative", []float64{0, 1, 2, 3, 4, 5}, []float64{-1, 1}, "row 0 of 2: k = -1 outside [0, 3]"},
		{"k NaN", []float64{0, 1, 2, 3, 4, 5}, []float64{1, nan}, "row 1 of 2: k = NaN"},
	}
	for _, dt := range floatDtypes {
		for _, c := range cases {
			for _, machine := range []string{"tape", "lisp"} {
				t.Run(dt.String()+"/"+c.name+"/"+machine, func(t *testing.T) {
					g := G.NewGraph()
					x := namedInput(g, dt, "x", c.x, 2, 3)
					k := namedInput(g, dt, "k", c.k, 2)
					y, err := op.SoftBinaryArgmax(x, k, 1)
					if err != nil {
						t.Fatal(err)
					}
					G.Must(G.Sum(y))
					var m G.VM
					if machine == "tape" {
						m = G.NewTapeMachine(g)
					} else {
						m = G.NewLispMachine(g, G.ExecuteFwdOnly())
					}
					defer m.Close()
					err = m.RunAll()
					if err == nil {
						t.Fatalf("RunAll returned no error; y = %v", y.Value())
					}
					if !strings.Contains(err.Error(), c.want) {
						t.Fatalf("error %q does not contain %q", err, c.want)
					}
				})
			}
		}
	}
}

package hypersimplex_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// sentinel fills a destination so that tests can see it was left unchanged.
const sentinel = -42

func filled(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = sentinel
	}
	return v
}

func untouched(v []float64) bool {
	for _, e := range v {
		if e != sentinel {
			return false
		}
	}
	return true
}

// kindOf is the sentinel an error described by want must wrap.
func kindOf(want string) error {
	switch {
	case strings.HasPrefix(want, "len("):
		return hypersimplex.ErrLength
	case strings.HasPrefix(want, "tau"):
		return hypersimplex.ErrTau
	case strings.HasPrefix(want, "k ="):
		return hypersimplex.ErrK
	case strings.HasPrefix(want, "y["):
		return hypersimplex.ErrRange
	}
	return hypersimplex.ErrNotFinite
}

func TestKernelErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x4 := []float64{1, 2, 3, 4}
	withAt := func(n, i int, v float64) []float64 {
		x := make([]float64, n)
		for j := range x {
			x[j] = float64(j % 7)
		}
		x[i] = v
		return x
	}
	y4 := []float64{0, 0.5, 1, 0.5}
	cases := []struct {
		name string
		call func(dst []float64) error
		n    int    // len(dst)
		want string // substring of the error
	}{
		{"Project len", func(y []float64) error { return hypersimplex.Project(y, x4, 1, 1) }, 3, "len(y) = 3, len(x) = 4"},
		{"Project k<0", func(y []float64) error { return hypersimplex.Project(y, x4, -0.5, 1) }, 4, "k = -0.5 outside [0, 4]"},
		{"Project k>n", func(y []float64) error { return hypersimplex.Project(y, x4, 5, 1) }, 4, "k = 5 outside [0, 4]"},
		{"Project k NaN", func(y []float64) error { return hypersimplex.Project(y, x4, nan, 1) }, 4, "k = NaN"},
		{"Project k Inf", func(y []float64) error { return hypersimplex.Project(y, x4, inf, 1) }, 4, "k = +Inf outside [0, 4]"},
		{"Project tau 0", func(y []float64) error { return hypersimplex.Project(y, x4, 1, 0) }, 4, "tau = 0 must be finite and > 0"},
		{"Project tau<0", func(y []float64) error { return hypersimplex.Project(y, x4, 1, -1) }, 4, "tau = -1"},
		{"Project tau NaN", func(y []float64) error { return hypersimplex.Project(y, x4, 1, nan) }, 4, "tau = NaN"},
		{"Project tau subnormal", func(y []float64) error { return hypersimplex.Project(y, x4, 1, 1e-310) }, 4, "tau = 1e-310 is below the smallest normal"},
		{"Project tau Inf", func(y []float64) error { return hypersimplex.Project(y, x4, 1, inf) }, 4, "tau = +Inf"},
		{"Project x NaN", func(y []float64) error { return hypersimplex.Project(y, withAt(4, 2, nan), 1, 1) }, 4, "x[2] = NaN is not finite"},
		{"Project x +Inf", func(y []float64) error { return hypersimplex.Project(y, withAt(4, 1, inf), 1, 1) }, 4, "x[1] = +Inf"},
		{"Project x -Inf", func(y []float64) error { return hypersimplex.Project(y, withAt(4, 0, -inf), 1, 1) }, 4, "x[0] = -Inf"},
		{"Project x NaN k=0", func(y []float64) error { return hypersimplex.Project(y, withAt(4, 3, nan), 0, 1) }, 4, "x[3] = NaN"},
		{"Project x NaN large", func(y []float64) error { return hypersimplex.Project(y, withAt(1000, 700, nan), 300, 1) }, 1000, "x[700] = NaN"},
		{"Project x Inf large", func(y []float64) error { return hypersimplex.Project(y, withAt(1000, 3, -inf), 300, 1) }, 1000, "x[3] = -Inf"},
		{"Project x Inf sampled", func(y []float64) error { return hypersimplex.Project(y, withAt(1000, 7+3*15, inf), 300, 1) }, 1000, "x[52] = +Inf"}, // a sampled entry

		{"VJP len dx", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, y4, 1) }, 3, "len(dx) = 3, len(y) = 4"},
		{"VJP len g", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, x4[:3], 1) }, 4, "len(g) = 3, len(y) = 4"},
		{"VJP tau", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, x4, 0) }, 4, "tau = 0"},
		{"VJP tau NaN", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, x4, nan) }, 4, "tau = NaN"},
		{"VJP y>1", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, []float64{0, 1.5, 0, 0}, x4, 1) }, 4, "y[1] = 1.5 outside [0, 1]"},
		{"VJP y NaN", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, []float64{0, 0, nan, 0}, x4, 1) }, 4, "y[2] = NaN"},
		{"VJP g NaN", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, withAt(4, 1, nan), 1) }, 4, "g[1] = NaN is not finite"},
		{"VJP g Inf", func(dx []float64) error { return hypersimplex.ProjectVJP(dx, y4, withAt(4, 0, inf), 1) }, 4, "g[0] = +Inf"},

		{"Argmax len", func(y []float64) error { return hypersimplex.BinaryArgmax(y, x4, 1) }, 5, "len(y) = 5, len(x) = 4"},
		{"Argmax k<0", func(y []float64) error { return hypersimplex.BinaryArgmax(y, x4, -1) }, 4, "k = -1 outside [0, 4]"},
		{"Argmax k>n", func(y []float64) error { return hypersimplex.BinaryArgmax(y, x4, 11) }, 4, "k = 11 outside [0, 4]"},
		{"Argmax x NaN", func(y []float64) error { return hypersimplex.BinaryArgmax(y, withAt(4, 2, nan), 1) }, 4, "x[2] = NaN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := filled(c.n)
			err := c.call(dst)
			if err == nil {
				t.Fatalf("got no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "hypersimplex: ") {
				t.Fatalf("got error %q, want one containing %q", err, c.want)
			}
			var ae *hypersimplex.ArgError
			if !errors.As(err, &ae) || !strings.HasPrefix(c.want, ae.Arg) {
				t.Fatalf("error %q is not an *ArgError naming the argument of %q (%+v)", err, c.want, ae)
			}
			if kind := kindOf(c.want); !errors.Is(err, kind) {
				t.Fatalf("error %q is not errors.Is %v", err, kind)
			}
			if !untouched(dst) {
				t.Fatalf("destination written on error")
			}
		})
	}
}

// TestKernelErrorsFloat32 checks that float32 arguments are reported the
// same way.
func TestKernelErrorsFloat32(t *testing.T) {
	x := []float32{1, 2, float32(math.Inf(-1))}
	y := make([]float32, 3)
	if err := hypersimplex.Project(y, x, 1, 1); err == nil || !strings.Contains(err.Error(), "x[2] = -Inf") {
		t.Fatalf("got %v, want x[2] = -Inf", err)
	}
	if err := hypersimplex.Project(y, x[:2], float32(math.NaN()), 1); err == nil || !strings.Contains(err.Error(), "len(y) = 3, len(x) = 2") {
		t.Fatalf("got %v, want a length error", err)
	}
	if err := hypersimplex.Project(y[:2], x[:2], 1, float32(math.NaN())); err == nil || !strings.Contains(err.Error(), "tau = NaN") {
		t.Fatalf("got %v, want tau = NaN", err)
	}
}

// TestKernelEmpty: n = 0 is valid with k = 0.
func TestKernelEmpty(t *testing.T) {
	if err := hypersimplex.Project[float64](nil, nil, 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := hypersimplex.ProjectVJP[float64](nil, nil, nil, 1); err != nil {
		t.Fatal(err)
	}
	if err := hypersimplex.BinaryArgmax[float64](nil, nil, 0); err != nil {
		t.Fatal(err)
	}
}

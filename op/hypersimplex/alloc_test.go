package hypersimplex_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// TestKernelsDoNotAllocate checks that Project (both search paths, and the
// rescaled one for huge τ), ProjectVJP, BinaryArgmax, ProjectEntropic and
// ProjectEntropicVJP allocate nothing
// per call once their pooled scratch exists.
func TestKernelsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	for _, n := range []int{10, 1000, 100000} {
		t.Run(fmt.Sprintf("float32/n=%d", n), func(t *testing.T) { checkNoAllocs[float32](t, n, 1.5) })
		t.Run(fmt.Sprintf("float64/n=%d", n), func(t *testing.T) { checkNoAllocs[float64](t, n, 1.5) })
		t.Run(fmt.Sprintf("float64/n=%d/huge tau", n), func(t *testing.T) { checkNoAllocs[float64](t, n, math.MaxFloat64) })
	}
}

func checkNoAllocs[T hypersimplex.Float](t *testing.T, n int, tau T) {
	const runs = 20
	r := rand.New(rand.NewPCG(41, uint64(n)))
	x, g, y, dx := make([]T, n), make([]T, n), make([]T, n), make([]T, n)
	for i := range x {
		x[i], g[i] = T(r.NormFloat64()), T(r.NormFloat64())
	}
	k := T(n) / 3
	calls := []struct {
		name string
		f    func() error
	}{
		{"Project", func() error { return hypersimplex.Project(y, x, k, tau) }},
		{"ProjectVJP", func() error { return hypersimplex.ProjectVJP(dx, y, g, tau) }},
		{"BinaryArgmax", func() error { return hypersimplex.BinaryArgmax(dx, x, n/3) }},
		{"ProjectEntropic", func() error { return hypersimplex.ProjectEntropic(y, x, k, tau) }},
		{"ProjectEntropicVJP", func() error { return hypersimplex.ProjectEntropicVJP(dx, y, g, tau) }},
	}
	for _, c := range calls {
		var err error
		allocs := testing.AllocsPerRun(runs, func() { err = c.f() })
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if allocs != 0 {
			t.Errorf("%s allocates %v times per call, want 0", c.name, allocs)
		}
	}
}

package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is a named, initialised parameter tensor; the same Param backs nodes
// in several graphs (see Bind).
type Param struct {
	Name  string
	Value tensor.Tensor
}

// Bind creates one node per parameter in g, bound to p.Value itself
// (G.WithValue shares the storage: a solver step through one graph's nodes
// is visible in every other graph bound to the same []Param). Nodes are
// named p.Name; a name already used in g, or repeated in ps, gets a suffix
// "#2", "#3", … so that no two parameters collapse into one node (Gorgonia
// identifies same-named input nodes of the same shape). A nil graph, a
// Param without a value or with a dtype other than float32 and float64 is
// an error naming the parameter.
func Bind(g *G.ExprGraph, ps []Param) (G.Nodes, error) {
	if g == nil {
		return nil, fmt.Errorf("nn: Bind into a nil graph")
	}
	for i, p := range ps {
		if p.Value == nil {
			return nil, fmt.Errorf("nn: Bind: parameter %d (%q) has no value", i, p.Name)
		}
		if err := checkDtype(p.Value.Dtype()); err != nil {
			return nil, fmt.Errorf("nn: Bind: parameter %d (%q): %w", i, p.Name, err)
		}
	}
	nodes := make(G.Nodes, len(ps))
	used := make(map[string]bool, len(ps))
	for i, p := range ps {
		name := p.Name
		for s := 2; used[name] || len(g.ByName(name)) > 0; s++ {
			name = fmt.Sprintf("%s#%d", p.Name, s)
		}
		used[name] = true
		shape := p.Value.Shape().Clone()
		nodes[i] = G.NewTensor(g, p.Value.Dtype(), shape.Dims(),
			G.WithShape(shape...), G.WithValue(p.Value), G.WithName(name))
	}
	return nodes, nil
}

// checkDtype accepts the two float types the package supports.
func checkDtype(dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("nn: dtype %v not supported (want float32 or float64)", dt)
	}
	return nil
}

// newRand returns the generator behind Init: PCG seeded from seed, so the
// same seed gives the same parameters on every machine.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

// uniformParam returns a Param of the given shape filled with draws from
// U(−limit, limit).
func uniformParam(name string, dt tensor.Dtype, shape tensor.Shape, limit float64, rng *rand.Rand) Param {
	return newParam(name, dt, shape, func() float64 { return (2*rng.Float64() - 1) * limit })
}

// constParam returns a Param of the given shape filled with v.
func constParam(name string, dt tensor.Dtype, shape tensor.Shape, v float64) Param {
	return newParam(name, dt, shape, func() float64 { return v })
}

// newParam returns a Param of dtype dt (float32 or float64) and the given
// shape whose entries, in row-major order, are successive values of next.
func newParam(name string, dt tensor.Dtype, shape tensor.Shape, next func() float64) Param {
	var data any
	if dt == tensor.Float32 {
		d := make([]float32, shape.TotalSize())
		for i := range d {
			d[i] = float32(next())
		}
		data = d
	} else {
		d := make([]float64, shape.TotalSize())
		for i := range d {
			d[i] = next()
		}
		data = d
	}
	return Param{Name: name, Value: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))}
}

// heLimit is the bound of He (Kaiming) uniform initialisation for a layer
// followed by ReLU: U(−√(6/fanIn), √(6/fanIn)), variance 2/fanIn.
func heLimit(fanIn int) float64 { return math.Sqrt(6 / float64(fanIn)) }

// glorotLimit is the bound of Glorot (Xavier) uniform initialisation:
// U(−√(6/(fanIn+fanOut)), …), variance 2/(fanIn+fanOut). Used for the
// output layer, which has no ReLU after it.
func glorotLimit(fanIn, fanOut int) float64 { return math.Sqrt(6 / float64(fanIn+fanOut)) }

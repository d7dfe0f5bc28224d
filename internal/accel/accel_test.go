package accel_test

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Relative tolerances of a BLAS product against the naive triple loop in
// float64: different summation orders (blocking, FMA) change the last bits.
const (
	tolFloat32 = 1e-4
	tolFloat64 = 1e-11
)

func TestSetupInstallsTheBuildsBLAS(t *testing.T) {
	got := accel.Setup()
	if got != wantName {
		t.Fatalf("Setup() = %q, want %q", got, wantName)
	}
	if got := accel.Name(); got != wantName {
		t.Fatalf("Name() = %q, want %q", got, wantName)
	}
	wantType := reflect.TypeOf(wantBLAS)
	if got := reflect.TypeOf(G.WhichBLAS()); got != wantType {
		t.Errorf("gorgonia.WhichBLAS() is %v, want %v", got, wantType)
	}
	if got := reflect.TypeOf(tensor.WhichBLAS()); got != wantType {
		t.Errorf("tensor.WhichBLAS() is %v, want %v", got, wantType)
	}
	if d := accel.Details(); !strings.HasPrefix(d, wantName+"; ") {
		t.Errorf("Details() = %q, want it to start with %q", d, wantName+"; ")
	}
	if again := accel.Setup(); again != got {
		t.Errorf("second Setup() = %q, first %q", again, got)
	}
}

// TestMatMulMatchesNaiveProduct runs Gorgonia matrix products, plain and
// with transposed operands (the shapes of a dense layer's forward and
// backward pass), through the installed BLAS and compares them with a naive
// float64 triple loop. It catches a BLAS that is not linked, or one that is
// called with the wrong storage order.
func TestMatMulMatchesNaiveProduct(t *testing.T) {
	accel.Setup()
	const m, k, n = 37, 53, 29
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				name := fmt.Sprintf("%v/transA=%v/transB=%v", dt, transA, transB)
				t.Run(name, func(t *testing.T) {
					rng := rand.New(rand.NewSource(1))
					a := randomMatrix(rng, m, k, transA)
					b := randomMatrix(rng, k, n, transB)
					got := gorgoniaProduct(t, dt, a, b)
					want := naiveProduct(a, b)
					tol := tolFloat64
					if dt == tensor.Float32 {
						tol = tolFloat32
					}
					for i := range want {
						if d := math.Abs(got[i] - want[i]); d > tol*(1+math.Abs(want[i])) {
							t.Fatalf("entry %d: got %v, want %v (|diff| %.3g)", i, got[i], want[i], d)
						}
					}
				})
			}
		}
	}
}

// matrix is a rows×cols matrix stored row-major in data, or, when
// transposed, stored as its cols×rows transpose (so the product must
// transpose it back).
type matrix struct {
	rows, cols int
	transposed bool
	data       []float64
}

func (a matrix) at(i, j int) float64 {
	if a.transposed {
		return a.data[j*a.rows+i]
	}
	return a.data[i*a.cols+j]
}

func randomMatrix(rng *rand.Rand, rows, cols int, transposed bool) matrix {
	a := matrix{rows: rows, cols: cols, transposed: transposed, data: make([]float64, rows*cols)}
	for i := range a.data {
		// Multiples of 1/8 keep float32 inputs exact.
		a.data[i] = float64(rng.Intn(17)-8) / 8
	}
	return a
}

func naiveProduct(a, b matrix) []float64 {
	c := make([]float64, a.rows*b.cols)
	for i := 0; i < a.rows; i++ {
		for j := 0; j < b.cols; j++ {
			var s float64
			for l := 0; l < a.cols; l++ {
				s += a.at(i, l) * b.at(l, j)
			}
			c[i*b.cols+j] = s
		}
	}
	return c
}

// gorgoniaProduct computes a·b as a Gorgonia graph (Mul, with Transpose
// nodes for transposed storage) on a TapeMachine.
func gorgoniaProduct(t *testing.T, dt tensor.Dtype, a, b matrix) []float64 {
	t.Helper()
	g := G.NewGraph()
	an := matrixNode(t, g, dt, "a", a)
	bn := matrixNode(t, g, dt, "b", b)
	c, err := G.Mul(an, bn)
	if err != nil {
		t.Fatalf("Mul: %v", err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	switch data := c.Value().Data().(type) {
	case []float32:
		out := make([]float64, len(data))
		for i, v := range data {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), data...)
	default:
		t.Fatalf("product has data of type %T", data)
		return nil
	}
}

func matrixNode(t *testing.T, g *G.ExprGraph, dt tensor.Dtype, name string, a matrix) *G.Node {
	t.Helper()
	shape := tensor.Shape{a.rows, a.cols}
	if a.transposed {
		shape = tensor.Shape{a.cols, a.rows}
	}
	var backing interface{}
	if dt == tensor.Float32 {
		f := make([]float32, len(a.data))
		for i, v := range a.data {
			f[i] = float32(v)
		}
		backing = f
	} else {
		backing = append([]float64(nil), a.data...)
	}
	value := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
	n := G.NewMatrix(g, dt, G.WithShape(shape...), G.WithName(name), G.WithValue(value))
	if !a.transposed {
		return n
	}
	tn, err := G.Transpose(n)
	if err != nil {
		t.Fatalf("Transpose(%s): %v", name, err)
	}
	return tn
}

func ExampleDetails() {
	accel.Setup()
	// For example "OpenBLAS (cgo); OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY
	// Haswell MAX_THREADS=64; core Haswell; 2 threads" with -tags openblas.
	fmt.Println(accel.Details())
}

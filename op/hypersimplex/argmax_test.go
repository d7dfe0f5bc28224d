package hypersimplex_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// sortArgmax is the reference for hypersimplex.BinaryArgmax: a stable sort of the
// indices by decreasing x, the first k get 1.
func sortArgmax(x []float64, k int) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] > x[idx[b]] })
	y := make([]float64, len(x))
	for _, i := range idx[:k] {
		y[i] = 1
	}
	return y
}

func TestBinaryArgmaxAgainstSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 5, 33, 1000} {
		for g := range numGen {
			t.Run(fmt.Sprintf("n=%d/%v", n, g), func(t *testing.T) {
				for range 20 {
					x := randomInput(r, g, n)
					if r.IntN(4) == 0 {
						x[r.IntN(n)] = math.Inf(2*r.IntN(2) - 1)
					}
					k := r.IntN(n + 1)
					got := make([]float64, n)
					if err := hypersimplex.BinaryArgmax(got, x, k); err != nil {
						t.Fatal(err)
					}
					if want := sortArgmax(x, k); !slices.Equal(got, want) {
						t.Fatalf("x=%v k=%d: got %v, want %v", x, k, got, want)
					}
				}
			})
		}
	}
}

func TestBinaryArgmaxTiesLowestIndexWins(t *testing.T) {
	x := []float32{1, 3, 3, 2, 3}
	y := make([]float32, len(x))
	if err := hypersimplex.BinaryArgmax(y, x, 2); err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 1, 0, 0}; !slices.Equal(y, want) {
		t.Fatalf("got %v, want %v", y, want)
	}
}

func TestBinaryArgmaxAliasing(t *testing.T) {
	x := []float64{0.5, -1, 2, 7}
	if err := hypersimplex.BinaryArgmax(x, x, 2); err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0, 1, 1}; !slices.Equal(x, want) {
		t.Fatalf("got %v, want %v", x, want)
	}
}

// TestProjectZeroTemperatureLimit checks that Project tends to BinaryArgmax
// as τ → 0 (integer k, distinct entries).
func TestProjectZeroTemperatureLimit(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{2, 10, 1000} {
		x := randomInput(r, genNormal, n)
		for _, k := range []int{1, n / 2, n - 1} {
			want := make([]float64, n)
			if err := hypersimplex.BinaryArgmax(want, x, k); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, n)
			if err := hypersimplex.Project(got, x, float64(k), 1e-12); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("n=%d k=%d: Project with τ = 1e-12 differs from BinaryArgmax", n, k)
			}
		}
	}
}

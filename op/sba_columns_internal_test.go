package op

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestTransposeInto(t *testing.T) {
	for _, s := range [][2]int{{1, 1}, {1, 7}, {7, 1}, {33, 65}, {100, 10}} {
		rows, cols := s[0], s[1]
		src := make([]int, rows*cols)
		for i := range src {
			src[i] = i
		}
		dst := make([]int, len(src))
		transposeInto(dst, src, rows, cols)
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				if dst[j*rows+i] != src[i*cols+j] {
					t.Fatalf("%d×%d: dst[%d][%d] = %d, want %d", rows, cols, j, i, dst[j*rows+i], src[i*cols+j])
				}
			}
		}
	}
}

// TestColumnLayoutEqualsRowsOfTranspose checks the column layout of the op
// and its diff op against the row layout on the transposed matrix, exactly,
// serial and parallel, both dtypes.
func TestColumnLayoutEqualsRowsOfTranspose(t *testing.T) {
	for _, minElems := range []int{0, math.MaxInt} {
		for _, shape := range [][2]int{{13, 4}, {300, 10}} {
			n, classes := shape[0], shape[1]
			name := fmt.Sprintf("%dx%d/minElems=%d", n, classes, minElems)
			t.Run(name+"/float64", func(t *testing.T) { checkColumnLayout[float64](t, n, classes, minElems) })
			t.Run(name+"/float32", func(t *testing.T) { checkColumnLayout[float32](t, n, classes, minElems) })
		}
	}
}

func checkColumnLayout[T float32 | float64](t *testing.T, n, classes, minElems int) {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(classes)))
	x, g := make([]T, n*classes), make([]T, n*classes)
	k := make([]T, classes)
	for i := range x {
		x[i], g[i] = T(rng.NormFloat64()), T(rng.NormFloat64())
	}
	for c := range k {
		k[c] = T(rng.Float64() * float64(n))
	}
	xt, xtT := make([]T, len(x)), make([]T, len(x))
	copy(xt, x)
	transposeInto(xtT, x, n, classes)
	gT := make([]T, len(g))
	transposeInto(gT, g, n, classes)
	kt := tensor.New(tensor.WithShape(classes), tensor.WithBacking(k))

	cols := &sbaOp{tau: 0.9, columns: true}
	rows := &sbaOp{tau: 0.9}
	yc, err := doProject[T](cols, tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(xt)), kt, minElems)
	if err != nil {
		t.Fatal(err)
	}
	yr, err := doProject[T](rows, tensor.New(tensor.WithShape(classes, n), tensor.WithBacking(xtT)), kt, minElems)
	if err != nil {
		t.Fatal(err)
	}
	ycd, yrd := yc.Data().([]T), yr.Data().([]T)
	for i := 0; i < n; i++ {
		for c := 0; c < classes; c++ {
			if ycd[i*classes+c] != yrd[c*n+i] {
				t.Fatalf("y[%d][%d] = %v, want %v", i, c, ycd[i*classes+c], yrd[c*n+i])
			}
		}
	}
	dc, err := doVJP[T](cols.diffOp(), yc.(tensor.Tensor), tensor.New(tensor.WithShape(n, classes), tensor.WithBacking(g)), minElems)
	if err != nil {
		t.Fatal(err)
	}
	dr, err := doVJP[T](rows.diffOp(), yr.(tensor.Tensor), tensor.New(tensor.WithShape(classes, n), tensor.WithBacking(gT)), minElems)
	if err != nil {
		t.Fatal(err)
	}
	dcd, drd := dc.Data().([]T), dr.Data().([]T)
	for i := 0; i < n; i++ {
		for c := 0; c < classes; c++ {
			if dcd[i*classes+c] != drd[c*n+i] {
				t.Fatalf("dx[%d][%d] = %v, want %v", i, c, dcd[i*classes+c], drd[c*n+i])
			}
		}
	}
	for i := range x {
		if x[i] != xt[i] {
			t.Fatal("the column layout changed its input")
		}
	}
}

// TestColumnLayoutErrors checks shapes and the error naming the column.
func TestColumnLayoutErrors(t *testing.T) {
	g := G.NewGraph()
	v := G.NewVector(g, tensor.Float64, G.WithShape(5), G.WithName("v"))
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(5, 3), G.WithName("m"))
	k2 := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("k2"))
	if _, err := applySBA(v, k2, 1, true, hypersimplex.Euclidean); err == nil || !strings.Contains(err.Error(), "want a matrix (n × C)") {
		t.Errorf("vector x in the column layout: got %v", err)
	}
	if _, err := applySBA(m, k2, 1, true, hypersimplex.Euclidean); err == nil || !strings.Contains(err.Error(), "one per column") {
		t.Errorf("k of 2 for 3 columns: got %v", err)
	}
	x := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5}))
	k := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 1, 2.5}))
	_, err := doProject[float64](&sbaOp{tau: 1, columns: true}, x, k, 0)
	if err == nil || !strings.Contains(err.Error(), "column 2 of 3") {
		t.Errorf("k = 2.5 > n = 2 in column 2: got %v", err)
	}
}

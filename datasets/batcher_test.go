package datasets_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// rowSplit returns n samples of f features; sample i holds the values i
// and label i mod 3, so a batch row tells which sample it came from.
func rowSplit(n, f int) datasets.Split {
	s := datasets.Split{X: make([]float32, n*f), Y: make([]int, n)}
	for i := range n {
		for j := range f {
			s.X[i*f+j] = float32(i)
		}
		s.Y[i] = i % 3
	}
	return s
}

// epoch drains one epoch and returns the sample ids in order and batch sizes.
func epoch(t *testing.T, b *datasets.Batcher, f int) (ids, sizes []int) {
	t.Helper()
	x := make([]float32, b.BatchSize()*f)
	y := make([]int, b.BatchSize())
	for n, ok := b.Next(x, y); ok; n, ok = b.Next(x, y) {
		sizes = append(sizes, n)
		for r := range n {
			id := int(x[r*f])
			for j := range f {
				if x[r*f+j] != float32(id) {
					t.Fatalf("row %d mixes samples: %v", r, x[r*f:(r+1)*f])
				}
			}
			if y[r] != id%3 {
				t.Fatalf("row %d: label %d, want %d", r, y[r], id%3)
			}
			ids = append(ids, id)
		}
	}
	if err := b.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, sizes
}

func TestBatcher(t *testing.T) {
	const n, f = 10, 3
	cases := []struct {
		batch     int
		dropLast  bool
		wantSizes []int
	}{
		{4, false, []int{4, 4, 2}},
		{4, true, []int{4, 4}},
		{5, true, []int{5, 5}},
		{10, false, []int{10}},
		{32, false, []int{10}},
		{1, true, slices.Repeat([]int{1}, 10)},
	}
	for _, c := range cases {
		b, err := datasets.NewBatcher(rowSplit(n, f), c.batch, 42, c.dropLast)
		if err != nil {
			t.Fatal(err)
		}
		if b.Batches() != len(c.wantSizes) || b.Features() != f {
			t.Errorf("batch %d drop %v: Batches() = %d, Features() = %d", c.batch, c.dropLast, b.Batches(), b.Features())
		}
		var orders [][]int
		for e := range 3 {
			b.Epoch()
			ids, sizes := epoch(t, b, f)
			if !slices.Equal(sizes, c.wantSizes) {
				t.Errorf("batch %d drop %v epoch %d: sizes %v, want %v", c.batch, c.dropLast, e, sizes, c.wantSizes)
			}
			// Distinct samples; all of them when the last batch is kept.
			sorted := slices.Sorted(slices.Values(ids))
			if len(slices.Compact(slices.Clone(sorted))) != len(ids) {
				t.Errorf("epoch %d repeats a sample: %v", e, ids)
			}
			if !c.dropLast && !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
				t.Errorf("epoch %d covers %v, want every sample once", e, sorted)
			}
			orders = append(orders, ids)
		}
		if c.batch < n && slices.Equal(orders[0], orders[1]) && slices.Equal(orders[1], orders[2]) {
			t.Errorf("batch %d: three epochs in the same order %v", c.batch, orders[0])
		}
	}
}

func TestBatcherSeeded(t *testing.T) {
	order := func(seed int64, callEpoch bool) []int {
		b, err := datasets.NewBatcher(rowSplit(50, 2), 7, seed, false)
		if err != nil {
			t.Fatal(err)
		}
		if callEpoch {
			b.Epoch()
		}
		ids, _ := epoch(t, b, 2)
		b.Epoch()
		more, _ := epoch(t, b, 2)
		return append(ids, more...)
	}
	if a, b := order(1, true), order(1, true); !slices.Equal(a, b) {
		t.Errorf("same seed, different orders")
	}
	if a, b := order(1, true), order(1, false); !slices.Equal(a, b) {
		t.Errorf("Next before the first Epoch call does not start the same epoch")
	}
	if a, b := order(1, true), order(2, true); slices.Equal(a, b) {
		t.Errorf("seeds 1 and 2 give the same order")
	}
}

func TestBatcherErrors(t *testing.T) {
	cases := []struct {
		name  string
		s     datasets.Split
		batch int
		drop  bool
		want  string
	}{
		{"empty", datasets.Split{}, 4, false, "empty split"},
		{"ragged", datasets.Split{X: make([]float32, 7), Y: make([]int, 2)}, 1, false, "whole number"},
		{"batch 0", rowSplit(5, 2), 0, false, "batch size = 0"},
		{"batch above n with dropLast", rowSplit(5, 2), 6, true, "no batch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := datasets.NewBatcher(c.s, c.batch, 1, c.drop)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
	b, err := datasets.NewBatcher(rowSplit(5, 2), 4, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := b.Next(make([]float32, 7), make([]int, 4)); ok || n != 0 {
		t.Errorf("short buffer: got %d, %v", n, ok)
	}
	if err := b.Err(); err == nil || !strings.Contains(err.Error(), "want ≥ 8") {
		t.Errorf("Err() = %v, want the buffer size error", err)
	}
}

func TestBatcherNoAllocs(t *testing.T) {
	b, err := datasets.NewBatcher(rowSplit(1000, 16), 64, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]float32, 64*16), make([]int, 64)
	allocs := testing.AllocsPerRun(20, func() {
		if _, ok := b.Next(x, y); !ok {
			b.Epoch()
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per batch, want 0", allocs)
	}
}

func BenchmarkBatcherNext(b *testing.B) {
	for _, batch := range []int{128, 1024} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			s := rowSplit(60000, 784)
			bt, err := datasets.NewBatcher(s, batch, 1, true)
			if err != nil {
				b.Fatal(err)
			}
			x, y := make([]float32, batch*784), make([]int, batch)
			b.ReportAllocs()
			b.SetBytes(int64(batch * 784 * 4))
			for b.Loop() {
				if _, ok := bt.Next(x, y); !ok {
					bt.Epoch()
				}
			}
		})
	}
}

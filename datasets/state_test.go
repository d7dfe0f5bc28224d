package datasets_test

import (
	"slices"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// TestBatcherStateResumes: a Batcher restored from a saved state in the
// middle of an epoch returns the batches the saved one would have.
func TestBatcherStateResumes(t *testing.T) {
	s := datasets.Split{X: make([]float32, 50*2), Y: make([]int, 50)}
	for i := range s.Y {
		s.Y[i] = i
		s.X[2*i], s.X[2*i+1] = float32(i), float32(-i)
	}
	next := func(b *datasets.Batcher, n int) []int {
		var got []int
		x, y := make([]float32, 16*2), make([]int, 16)
		for len(got) < n {
			k, ok := b.Next(x, y)
			if !ok {
				b.Epoch()
				continue
			}
			got = append(got, y[:k]...)
		}
		return got
	}
	a, _ := datasets.NewBatcher(s, 16, 7, true)
	next(a, 80) // into the second epoch
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := next(a, 200)
	b, _ := datasets.NewBatcher(s, 16, 99, true) // another seed: the state decides
	if err := b.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	if got := next(b, 200); !slices.Equal(got, want) {
		t.Errorf("restored batcher: %v\nwant %v", got, want)
	}
	short, _ := datasets.NewBatcher(datasets.Split{X: make([]float32, 20), Y: make([]int, 10)}, 5, 1, true)
	if err := short.UnmarshalBinary(state); err == nil {
		t.Error("state of 50 samples accepted by a batcher of 10")
	}
	if err := short.UnmarshalBinary([]byte("junk")); err == nil {
		t.Error("junk accepted")
	}
}

func TestAugmenterStateResumes(t *testing.T) {
	shape := [3]int{1, 6, 6}
	aug := datasets.Augmentation{Pad: 2, Flip: true}
	a, _ := datasets.NewAugmenter(aug, shape, 3)
	x := distinctImages(8, shape)
	a.Apply(x)
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := distinctImages(8, shape)
	a.Apply(want)
	b, _ := datasets.NewAugmenter(aug, shape, 42)
	if err := b.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	got := distinctImages(8, shape)
	b.Apply(got)
	if !slices.Equal(got, want) {
		t.Error("restored augmenter draws other transformations")
	}
	if err := b.UnmarshalBinary(nil); err == nil {
		t.Error("empty state accepted")
	}
}

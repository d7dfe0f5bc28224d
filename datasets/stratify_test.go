package datasets_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

func TestStratifiedSplit(t *testing.T) {
	// Classes of sizes 70, 35, 14, 7, 1.
	var labels []int
	for c, n := range []int{70, 35, 14, 7, 1} {
		for range n {
			labels = append(labels, c)
		}
	}
	for _, frac := range []float64{0, 1.0 / 7, 0.5, 1} {
		train, test, err := datasets.StratifiedSplit(labels, 5, frac, 3)
		if err != nil {
			t.Fatal(err)
		}
		all := slices.Sorted(slices.Values(append(slices.Clone(train), test...)))
		for i, v := range all {
			if v != i {
				t.Fatalf("frac %v: train ∪ test is not a partition of 0..%d", frac, len(labels)-1)
			}
		}
		counts := make([]int, 5)
		for _, i := range test {
			counts[labels[i]]++
		}
		for c, n := range []int{70, 35, 14, 7, 1} {
			if want := int(math.Round(float64(n) * frac)); counts[c] != want {
				t.Errorf("frac %v class %d: %d in test, want %d", frac, c, counts[c], want)
			}
		}
	}
	a1, b1, _ := datasets.StratifiedSplit(labels, 5, 0.3, 3)
	a2, b2, _ := datasets.StratifiedSplit(labels, 5, 0.3, 3)
	a3, _, _ := datasets.StratifiedSplit(labels, 5, 0.3, 4)
	if !slices.Equal(a1, a2) || !slices.Equal(b1, b2) {
		t.Error("same seed, different split")
	}
	if slices.Equal(a1, a3) {
		t.Error("seeds 3 and 4 give the same split")
	}
	if slices.IsSorted(a1) {
		t.Error("training indices came back sorted, want a seeded random order")
	}
}

func TestStratifiedSplitErrors(t *testing.T) {
	cases := []struct {
		name    string
		labels  []int
		classes int
		frac    float64
		want    string
	}{
		{"label range", []int{0, 3}, 3, 0.5, "label 3 of sample 1"},
		{"negative label", []int{-1}, 3, 0.5, "label -1"},
		{"fraction", []int{0}, 1, 1.5, "testFraction = 1.5"},
		{"NaN fraction", []int{0}, 1, math.NaN(), "testFraction = NaN"},
		{"classes", []int{0}, 0, 0.5, "classes = 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := datasets.StratifiedSplit(c.labels, c.classes, c.frac, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
	if _, _, err := datasets.StratifiedSplit([]int{5}, 2, 0.5, 1); !errors.Is(err, datasets.ErrLabelRange) {
		t.Errorf("got %v, want ErrLabelRange", err)
	}
}

func TestSubset(t *testing.T) {
	s := rowSplit(6, 2)
	sub, err := s.Subset([]int{5, 0, 5})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sub.X, []float32{5, 5, 0, 0, 5, 5}) || !slices.Equal(sub.Y, []int{2, 0, 2}) {
		t.Errorf("got %v %v", sub.X, sub.Y)
	}
	if _, err := s.Subset([]int{6}); err == nil {
		t.Error("index 6 of 6 accepted")
	}
	if _, err := s.Subset([]int{-1}); err == nil {
		t.Error("index -1 accepted")
	}
}

func TestClassCounts(t *testing.T) {
	s := datasets.Split{Y: []int{0, 2, 2, 5, -1}}
	cases := []struct {
		classes int
		want    []int
	}{{3, []int{1, 0, 2}}, {6, []int{1, 0, 2, 0, 0, 1}}, {0, []int{}}, {-2, []int{}}}
	for _, c := range cases {
		if got := s.ClassCounts(c.classes); !slices.Equal(got, c.want) {
			t.Errorf("ClassCounts(%d) = %v, want %v", c.classes, got, c.want)
		}
	}
}

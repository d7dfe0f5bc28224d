package datasets_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// distinctImages returns n images of shape whose pixels are all different
// (value = index in the batch), so that a transformed pixel tells where it
// came from.
func distinctImages(n int, shape [3]int) []float32 {
	x := make([]float32, n*shape[0]*shape[1]*shape[2])
	for i := range x {
		x[i] = float32(i)
	}
	return x
}

// padReflect builds the padded plane explicitly: padded[r][q] is
// plane[|r−pad| mirrored at the edges], computed by walking back and forth
// (independent of the Augmenter's closed form).
func padReflect(plane []float32, h, w, pad int) [][]float32 {
	mirror := func(p, n int) int {
		for p < 0 || p >= n {
			if p < 0 {
				p = -p
			} else {
				p = 2*(n-1) - p
			}
		}
		return p
	}
	out := make([][]float32, h+2*pad)
	for r := range out {
		out[r] = make([]float32, w+2*pad)
		for q := range out[r] {
			out[r][q] = plane[mirror(r-pad, h)*w+mirror(q-pad, w)]
		}
	}
	return out
}

// window reports whether img (h×w) is the window of padded at (i, j),
// mirrored left to right if flip.
func window(img []float32, padded [][]float32, h, w, i, j int, flip bool) bool {
	for r := 0; r < h; r++ {
		for q := 0; q < w; q++ {
			src := q
			if flip {
				src = w - 1 - q
			}
			if img[r*w+q] != padded[r+i][src+j] {
				return false
			}
		}
	}
	return true
}

func TestAugmenterCropsWithinThePaddedImage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		aug   datasets.Augmentation
		shape [3]int
	}{
		{"fashion-mnist", datasets.Augmentation{Pad: 3, Flip: true}, [3]int{1, 28, 28}},
		{"cifar10 rgb", datasets.Augmentation{Pad: 4, Flip: true}, [3]int{3, 12, 10}},
		{"crop only", datasets.Augmentation{Pad: 2}, [3]int{1, 6, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 200
			c, h, w := tc.shape[0], tc.shape[1], tc.shape[2]
			orig := distinctImages(n, tc.shape)
			x := slices.Clone(orig)
			a, err := datasets.NewAugmenter(tc.aug, tc.shape, 7)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Apply(x); err != nil {
				t.Fatal(err)
			}
			if len(x) != len(orig) {
				t.Fatalf("len %d, want %d", len(x), len(orig))
			}
			span := 2*tc.aug.Pad + 1
			offsets, flips := map[[2]int]bool{}, map[bool]int{}
			for k := 0; k < n; k++ {
				found := false
			search:
				for i := 0; i < span; i++ {
					for j := 0; j < span; j++ {
						for _, flip := range []bool{false, true} {
							if flip && !tc.aug.Flip {
								continue
							}
							all := true // every channel: same offset and flip
							for ch := 0; ch < c && all; ch++ {
								base := (k*c + ch) * h * w
								padded := padReflect(orig[base:base+h*w], h, w, tc.aug.Pad)
								all = window(x[base:base+h*w], padded, h, w, i, j, flip)
							}
							if all {
								offsets[[2]int{i, j}], found = true, true
								flips[flip]++
								break search
							}
						}
					}
				}
				if !found {
					t.Fatalf("image %d is no window of its reflect-padded original", k)
				}
			}
			if want := span * span; len(offsets) < want*3/4 {
				t.Errorf("%d distinct offsets in %d images, want most of the %d", len(offsets), n, want)
			}
			if tc.aug.Flip && (flips[true] < n/4 || flips[false] < n/4) {
				t.Errorf("flips %v in %d images, want about half each", flips, n)
			}
		})
	}
}

func TestAugmenterFlipKeepsThePixelMultiset(t *testing.T) {
	shape := [3]int{1, 5, 4}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 50*20)
	for i := range x {
		x[i] = float32(rng.IntN(7)) // repeated values: a multiset, not a set
	}
	orig := slices.Clone(x)
	a, err := datasets.NewAugmenter(datasets.Augmentation{Flip: true}, shape, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(x); err != nil {
		t.Fatal(err)
	}
	mirrored := 0
	for k := 0; k < 50; k++ {
		got, want := slices.Clone(x[k*20:(k+1)*20]), slices.Clone(orig[k*20:(k+1)*20])
		if !slices.Equal(got, want) {
			mirrored++
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("image %d: pixel multiset changed", k)
		}
	}
	if mirrored == 0 {
		t.Fatal("no image was flipped")
	}
}

func TestAugmenterSameSeedSameBatches(t *testing.T) {
	shape := [3]int{1, 28, 28}
	aug := datasets.Augmentation{Pad: 3, Flip: true}
	run := func(seed int64) []float32 {
		a, err := datasets.NewAugmenter(aug, shape, seed)
		if err != nil {
			t.Fatal(err)
		}
		x := distinctImages(64, shape)
		for b := 0; b < 4; b++ { // four batches of 16
			if err := a.Apply(x[b*16*784 : (b+1)*16*784]); err != nil {
				t.Fatal(err)
			}
		}
		return x
	}
	if !slices.Equal(run(5), run(5)) {
		t.Error("the same seed gave different batches")
	}
	if slices.Equal(run(5), run(6)) {
		t.Error("seeds 5 and 6 gave the same batches")
	}
}

func TestAugmenterErrors(t *testing.T) {
	for _, tc := range []struct {
		aug   datasets.Augmentation
		shape [3]int
		want  string
	}{
		{datasets.Augmentation{Pad: -1}, [3]int{1, 28, 28}, "Pad = -1"},
		{datasets.Augmentation{Pad: 28}, [3]int{1, 28, 28}, "Pad = 28"},
		{datasets.Augmentation{Pad: 1}, [3]int{1, 1, 32}, "Pad = 1"},
		{datasets.Augmentation{}, [3]int{0, 28, 28}, "image shape"},
	} {
		if _, err := datasets.NewAugmenter(tc.aug, tc.shape, 1); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAugmenter(%+v, %v) = %v, want an error with %q", tc.aug, tc.shape, err, tc.want)
		}
	}
	a, err := datasets.NewAugmenter(datasets.Augmentation{Pad: 1}, [3]int{1, 4, 4}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(make([]float32, 17)); err == nil || !strings.Contains(err.Error(), "17 values") {
		t.Errorf("Apply of 17 values = %v, want an error naming them", err)
	}
	if _, err := datasets.ReferenceAugmentation("synthetic"); err == nil {
		t.Error("ReferenceAugmentation(synthetic) succeeded, want an error")
	}
}

func TestAugmenterAllocatesNothing(t *testing.T) {
	a, err := datasets.NewAugmenter(datasets.Augmentation{Pad: 3, Flip: true}, [3]int{1, 28, 28}, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := distinctImages(32, [3]int{1, 28, 28})
	if allocs := testing.AllocsPerRun(10, func() { _ = a.Apply(x) }); allocs != 0 {
		t.Errorf("Apply allocates %v times per batch, want 0", allocs)
	}
}

// BenchmarkAugment measures the reference augmentation of one Fashion-MNIST
// training batch (pad 3, crop, flip) at several batch sizes.
func BenchmarkAugment(b *testing.B) {
	for _, batch := range []int{128, 1024, 8192} {
		b.Run(fmt.Sprint(batch), func(b *testing.B) {
			a, err := datasets.NewAugmenter(datasets.Augmentation{Pad: 3, Flip: true}, [3]int{1, 28, 28}, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := distinctImages(batch, [3]int{1, 28, 28})
			b.ReportAllocs()
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				if err := a.Apply(x); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

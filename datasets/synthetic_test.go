package datasets_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// nearestMeanAccuracy fits class means on train and returns the accuracy
// of the nearest-mean rule on s, and the rate at which train labels
// disagree with it.
func nearestMeanAccuracy(ds *datasets.Dataset, s datasets.Split) float64 {
	f, c := ds.Features, ds.Classes
	means := make([]float64, c*f)
	counts := make([]float64, c)
	for i, y := range ds.Train.Y {
		counts[y]++
		for j := range f {
			means[y*f+j] += float64(ds.Train.X[i*f+j])
		}
	}
	for k := range c {
		for j := range f {
			means[k*f+j] /= counts[k]
		}
	}
	correct := 0
	for i, y := range s.Y {
		best, bestD := -1, math.Inf(1)
		for k := range c {
			var d float64
			for j := range f {
				e := float64(s.X[i*f+j]) - means[k*f+j]
				d += e * e
			}
			if d < bestD {
				best, bestD = k, d
			}
		}
		if best == y {
			correct++
		}
	}
	return float64(correct) / float64(s.Len())
}

func TestSyntheticDifficulty(t *testing.T) {
	base := datasets.SyntheticConfig{Classes: 4, Features: 8, Train: 2000, Test: 1000, Seed: 5}
	easy, hard, noisy := base, base, base
	easy.Separation, hard.Separation = 20, 0
	noisy.Separation, noisy.LabelNoise = 20, 0.2
	const tol = 0.05 // sampling tolerance on rates over ≥ 1,000 samples
	cases := []struct {
		name                string
		cfg                 datasets.SyntheticConfig
		wantTest, wantTrain float64
	}{
		{"well separated", easy, 1, 1},
		{"no separation", hard, 0.25, 0.25},
		{"20% label noise", noisy, 1, 0.8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := datasets.Synthetic(c.cfg, datasets.NormNone)
			if err != nil {
				t.Fatal(err)
			}
			if got := nearestMeanAccuracy(ds, ds.Test); math.Abs(got-c.wantTest) > tol {
				t.Errorf("test accuracy %v, want %v", got, c.wantTest)
			}
			if got := nearestMeanAccuracy(ds, ds.Train); math.Abs(got-c.wantTrain) > tol {
				t.Errorf("agreement with train labels %v, want %v", got, c.wantTrain)
			}
		})
	}
}

func TestSynthetic(t *testing.T) {
	cfg := datasets.DefaultSyntheticConfig()
	a, err := datasets.Load("synthetic", datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := datasets.Synthetic(cfg, datasets.NormStandardize)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Train.X, b.Train.X) || !slices.Equal(a.Test.Y, b.Test.Y) {
		t.Error("Load(synthetic) with zero options differs from DefaultSyntheticConfig()")
	}
	if a.Train.Len() != cfg.Train || a.Test.Len() != cfg.Test || a.Shape != [3]int{1, 1, cfg.Features} || a.Features != cfg.Features {
		t.Errorf("sizes %d/%d shape %v", a.Train.Len(), a.Test.Len(), a.Shape)
	}
	for c, n := range a.Test.ClassCounts(cfg.Classes) {
		if n != cfg.Test/cfg.Classes {
			t.Errorf("test class %d has %d samples, want %d (balanced, labels clean)", c, n, cfg.Test/cfg.Classes)
		}
	}
	mean, sd := meanStd(a.Train.X)
	if math.Abs(mean) > statTol || math.Abs(sd-1) > statTol {
		t.Errorf("standardized train mean %v std %v", mean, sd)
	}
	other := cfg
	other.Seed++
	c, err := datasets.Synthetic(other, datasets.NormStandardize)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(c.Train.X, a.Train.X) {
		t.Error("another seed gave the same data")
	}
	raw, err := datasets.Synthetic(cfg, datasets.NormUnit)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Mean != nil {
		t.Error("NormUnit recorded statistics")
	}
}

func TestSyntheticErrors(t *testing.T) {
	def := datasets.DefaultSyntheticConfig()
	mod := func(f func(*datasets.SyntheticConfig)) datasets.SyntheticConfig {
		c := def
		f(&c)
		return c
	}
	cases := []struct {
		cfg  datasets.SyntheticConfig
		want string
	}{
		{mod(func(c *datasets.SyntheticConfig) { c.Classes = 1 }), "Classes = 1"},
		{mod(func(c *datasets.SyntheticConfig) { c.Features = 0 }), "Features = 0"},
		{mod(func(c *datasets.SyntheticConfig) { c.Train = 3 }), "Train = 3"},
		{mod(func(c *datasets.SyntheticConfig) { c.Test = 0 }), "Test = 0"},
		{mod(func(c *datasets.SyntheticConfig) { c.Separation = math.NaN() }), "Separation = NaN"},
		{mod(func(c *datasets.SyntheticConfig) { c.Separation = math.Inf(1) }), "Separation = +Inf"},
		{mod(func(c *datasets.SyntheticConfig) { c.LabelNoise = 1 }), "LabelNoise = 1"},
		{mod(func(c *datasets.SyntheticConfig) { c.Train, c.Features = 1<<20, 1<<10 }), "exceed"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			_, err := datasets.Load("synthetic", datasets.Options{Synthetic: c.cfg})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

package datasets

import (
	"fmt"
	"math"
)

// SyntheticConfig configures the synthetic dataset: Classes Gaussian
// clusters in Features dimensions,
//
//	x = μ_y + ε,   ε ~ N(0, I),   μ_c = (Separation/√2) · g_c/‖g_c‖,  g_c ~ N(0, I),
//
// so two class means are about Separation noise standard deviations apart
// (random unit directions are ≈ √2 apart). Larger Separation is easier;
// Separation = 0 is pure noise. Classes are balanced (sample i has class
// i mod Classes before the rows are shuffled). Each training label is,
// with probability LabelNoise, replaced by a uniformly drawn different
// class (so about that fraction is wrong); test labels are left clean, so
// test accuracy measures the true clusters.
type SyntheticConfig struct {
	Classes    int
	Features   int
	Train      int // training samples
	Test       int // test samples
	Separation float64
	LabelNoise float64 // in [0, 1)
	Seed       int64
}

// DefaultSyntheticConfig returns 10 classes in 32 dimensions, 5,000
// training and 1,000 test samples, separation 3, 5% label noise, seed 1.
func DefaultSyntheticConfig() SyntheticConfig {
	return SyntheticConfig{Classes: 10, Features: 32, Train: 5000, Test: 1000, Separation: 3, LabelNoise: 0.05, Seed: 1}
}

// maxSyntheticValues bounds Train·Features and Test·Features.
const maxSyntheticValues = 1 << 28

func (c SyntheticConfig) validate() error {
	switch {
	case c.Classes < 2 || c.Classes > 1<<16:
		return fmt.Errorf("datasets: synthetic Classes = %d outside [2, 65536]", c.Classes)
	case c.Features < 1:
		return fmt.Errorf("datasets: synthetic Features = %d, want ≥ 1", c.Features)
	case c.Train < c.Classes:
		return fmt.Errorf("datasets: synthetic Train = %d, want ≥ Classes = %d", c.Train, c.Classes)
	case c.Test < 1:
		return fmt.Errorf("datasets: synthetic Test = %d, want ≥ 1", c.Test)
	case c.Train > maxSyntheticValues/c.Features || c.Test > maxSyntheticValues/c.Features:
		return fmt.Errorf("datasets: synthetic %d+%d samples × %d features exceed %d values", c.Train, c.Test, c.Features, maxSyntheticValues)
	case !(c.Separation >= 0) || math.IsInf(c.Separation, 0):
		return fmt.Errorf("datasets: synthetic Separation = %v, want finite ≥ 0", c.Separation)
	case !(c.LabelNoise >= 0 && c.LabelNoise < 1):
		return fmt.Errorf("datasets: synthetic LabelNoise = %v outside [0, 1)", c.LabelNoise)
	}
	return nil
}

// Synthetic generates the dataset described by cfg and normalises it:
// NormStandardize subtracts the training mean and divides by the training
// standard deviation (one "channel": all features together); NormUnit and
// NormNone keep the generated values. The same cfg gives the same data.
func Synthetic(cfg SyntheticConfig, norm Normalization) (*Dataset, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := norm.validate(); err != nil {
		return nil, err
	}
	rng := newRand(cfg.Seed)
	f, c := cfg.Features, cfg.Classes
	means := make([]float64, c*f)
	scale := cfg.Separation / math.Sqrt2
	for k := range c {
		mu := means[k*f : (k+1)*f]
		var norm2 float64
		for norm2 == 0 {
			for i := range mu {
				mu[i] = rng.NormFloat64()
				norm2 += mu[i] * mu[i]
			}
		}
		s := scale / math.Sqrt(norm2)
		for i := range mu {
			mu[i] *= s
		}
	}
	gen := func(n int, noise float64) Split {
		s := Split{X: make([]float32, n*f), Y: make([]int, n)}
		for i := range s.Y {
			s.Y[i] = i % c
		}
		rng.Shuffle(n, func(i, j int) { s.Y[i], s.Y[j] = s.Y[j], s.Y[i] })
		for i, y := range s.Y {
			mu := means[y*f : (y+1)*f]
			for j := range mu {
				s.X[i*f+j] = float32(mu[j] + rng.NormFloat64())
			}
			if noise > 0 && rng.Float64() < noise {
				s.Y[i] = (y + 1 + rng.IntN(c-1)) % c
			}
		}
		return s
	}
	d := &Dataset{
		Name: "synthetic", Classes: c, Features: f, Shape: [3]int{1, 1, f},
		Train: gen(cfg.Train, cfg.LabelNoise), Test: gen(cfg.Test, 0),
		Source: fmt.Sprintf("synthetic %+v", cfg), Normalization: norm,
	}
	if norm == NormStandardize {
		var sum, sum2 float64
		for _, v := range d.Train.X {
			sum += float64(v)
			sum2 += float64(v) * float64(v)
		}
		n := float64(len(d.Train.X))
		mean := sum / n
		std := 1.0
		if v := sum2/n - mean*mean; v > 1e-12 {
			std = math.Sqrt(v)
		}
		for _, x := range [][]float32{d.Train.X, d.Test.X} {
			for i, v := range x {
				x[i] = float32((float64(v) - mean) / std)
			}
		}
		d.Mean, d.Std = []float64{mean}, []float64{std}
	}
	return d, nil
}

package train_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/train/results"
)

// blobs returns a linearly separable dataset: classes Gaussian blobs
// (sd 0.5) around centres ±2 on distinct coordinates of a features-dim
// space, built here rather than by package datasets so that the trainer's
// tests do not depend on its generator.
func blobs(classes, features, nTrain, nTest int, seed uint64) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	split := func(n int) datasets.Split {
		s := datasets.Split{X: make([]float32, n*features), Y: make([]int, n)}
		for i := 0; i < n; i++ {
			c := i % classes
			s.Y[i] = c
			for f := 0; f < features; f++ {
				v := 0.5 * rng.NormFloat64()
				if f == c%features {
					v += 2 * float64(1-2*(c/features%2))
				}
				s.X[i*features+f] = float32(v)
			}
		}
		return s
	}
	return &datasets.Dataset{
		Name: "synthetic", Classes: classes, Features: features, Shape: [3]int{1, 1, features},
		Train: split(nTrain), Test: split(nTest),
	}
}

// tinyConfig is a sweep over the blobs that trains in well under a second
// per run.
func tinyConfig() results.Config {
	cfg := results.DefaultConfig()
	cfg.Datasets = []string{"synthetic"}
	cfg.Losses = []string{"ce", "hs"}
	cfg.BatchSizes = []int{32, 128}
	cfg.Seeds = 2
	cfg.TrainSubset = 0
	cfg.TrainSample = 100
	cfg.Hidden = []int{16}
	cfg.Epochs = 3
	cfg.LR = 1e-2
	cfg.EvalBatch = 100
	return cfg
}

// loadBlobs is a SweepOptions.Load for tinyConfig.
func loadBlobs(string) (*datasets.Dataset, error) { return blobs(4, 8, 512, 250, 7), nil }

// readFile returns the content of dir/name; a missing file fails the test.
func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameSummaries fails t unless folders a and b hold the same summary.md and
// summary.csv.
func sameSummaries(t *testing.T, a, b string) {
	t.Helper()
	for _, name := range []string{results.SummaryMDFile, results.SummaryCSVFile} {
		if x, y := readFile(t, a, name), readFile(t, b, name); x != y {
			t.Errorf("%s differs:\n%s\nvs\n%s", name, y, x)
		}
	}
}

package datasets_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// benchDataDir is the data folder the load benchmarks read: $HSLOSS_DATA,
// or the repository's data/ filled by `make data`.
func benchDataDir() string {
	if d := os.Getenv("HSLOSS_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "data")
}

// BenchmarkLoad measures Load of each dataset from the IDX cache (skipped
// when `make data` has not been run).
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"mnist", "fashion-mnist", "synthetic"} {
		b.Run(name, func(b *testing.B) {
			opts := datasets.Options{Dir: benchDataDir()}
			if name != "synthetic" {
				if err := datasets.Verify(name, opts); err != nil {
					b.Skipf("no %s cache: %v (run make data)", name, err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := datasets.Load(name, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

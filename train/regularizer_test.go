package train_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train"
)

// TestRegularizerOption: the entropic regularizer trains (also with a last
// batch of one sample, k = 0), changes the run, and is validated; a config
// without the field reads as Euclidean and is written back without it.
func TestRegularizerOption(t *testing.T) {
	data := blobs(4, 8, 513, 250, 7)
	cfg := tinyConfig()
	cfg.KeepLast = true
	spec := train.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 128, Seed: 2}
	euclidean := trainRun(t, cfg, data, spec)
	cfg.Regularizer = "euclidean"
	if got := trainRun(t, cfg, data, spec); !reflect.DeepEqual(got, euclidean) {
		t.Error(`"euclidean" differs from the default`)
	}
	cfg.Regularizer = "entropic"
	if got := trainRun(t, cfg, data, spec); reflect.DeepEqual(got, euclidean) {
		t.Error("the entropic regularizer changed nothing")
	}
	cfg.Regularizer = "sparse"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "regularizer") {
		t.Errorf("unknown regularizer: got %v", err)
	}
	b, err := json.Marshal(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "regularizer") {
		t.Errorf("the default config writes the regularizer: %s", b)
	}
}

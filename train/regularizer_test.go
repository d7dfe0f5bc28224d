package train_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"github.com/hypersimplex/hsloss/train/results"
)

// TestRegularizerOption: the entropic regularizer trains (also with a last
// batch of one sample, k = 0), changes the run, and is validated; a config
// without the field reads as Euclidean and is written back without it.
func TestRegularizerOption(t *testing.T) {
	data := blobs(4, 8, 513, 250, 7)
	cfg := tinyConfig()
	cfg.KeepLast = true
	spec := results.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 128, Seed: 2}
	euclidean := trainRun(t, cfg, data, spec)
	cfg.Regularizer = hypersimplex.Entropic
	if got := trainRun(t, cfg, data, spec); reflect.DeepEqual(got, euclidean) {
		t.Error("the entropic regularizer changed nothing")
	}
	cfg.Regularizer = 7
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
	var back results.Config
	entropic := tinyConfig()
	entropic.Regularizer = hypersimplex.Entropic
	if b, err = json.Marshal(entropic); err != nil || !strings.Contains(string(b), `"regularizer":"entropic"`) {
		t.Fatalf("entropic config: %s (%v)", b, err)
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Regularizer != hypersimplex.Entropic {
		t.Errorf("entropic config read back as %v (%v)", back.Regularizer, err)
	}
}

package train_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// TestSweepWritesNothingOnBadInput checks every refusal that happens before
// the first run: the folder is not even created, so a corrected rerun into
// it starts afresh.
func TestSweepWritesNothingOnBadInput(t *testing.T) {
	missing := func(string) (*datasets.Dataset, error) {
		return datasets.Load("cifar10", datasets.Options{Dir: t.TempDir()})
	}
	for _, tc := range []struct {
		name  string
		mod   func(*results.Config)
		load  func(string) (*datasets.Dataset, error)
		field string // the FieldError's field, or "" for another error
		want  string
	}{
		{"tau subnormal", func(c *results.Config) { c.Tau = 1e-310 }, loadBlobs, "tau", "below 2⁻¹⁰²²"},
		{"tau float32 overflow", func(c *results.Config) { c.Tau = 1e39 }, loadBlobs, "tau", "+Inf in float32"},
		{"tau float64 ok, float32 not", func(c *results.Config) { c.Tau = 1e-46 }, loadBlobs, "tau", "0 in float32"},
		{"unknown loss", func(c *results.Config) { c.Losses = []string{"ce", "zero-one"} }, loadBlobs, "losses", `"zero-one" unknown`},
		{"unknown model", func(c *results.Config) { c.Model = "resnet" }, loadBlobs, "model", `"resnet" unknown`},
		{"bad fraction", func(c *results.Config) { c.KPolicy, c.Fraction = hypersimplex.KFractionFloor, 0 }, loadBlobs, "fraction", "0 outside (0, 1]"},
		{"batch above the training set", func(c *results.Config) { c.BatchSizes = []int{4096} }, loadBlobs, "batch_sizes", "exceeds the 512 training samples"},
		{"missing dataset", func(c *results.Config) { c.Datasets = []string{"cifar10"} }, missing, "", "dataset files not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig()
			tc.mod(&cfg)
			dir := filepath.Join(t.TempDir(), "out")
			_, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: tc.load})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			var fe *results.FieldError
			if tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
				t.Errorf("err = %v, want a FieldError on %s", err, tc.field)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused sweep created %s (%v)", dir, err)
			}
		})
	}
}

// TestFolderWithoutRunsNeverBlocks: a config.json left by a sweep that
// finished no run (every run failed to start, or it was stopped in the
// first run) does not make a rerun with other settings "another
// configuration".
func TestFolderWithoutRunsNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	old := tinyConfig()
	old.Epochs = 99
	if err := results.WriteConfigFile(dir, old); err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig()
	cfg.Seeds, cfg.BatchSizes = 1, []int{128}
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
		t.Fatalf("rerun into a folder without runs: %v", err)
	}
	f, err := results.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f.Config.Epochs != cfg.Epochs || len(f.Runs) != 2 {
		t.Errorf("folder records epochs %d and %d runs, want %d and 2", f.Config.Epochs, len(f.Runs), cfg.Epochs)
	}
	// Now that it holds runs, other settings are refused.
	if _, err := train.Sweep(context.Background(), old, train.SweepOptions{Dir: dir, Load: loadBlobs}); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("other settings on a folder with runs: err = %v, want a refusal", err)
	}
}

// TestShardsOfAnUnsortedGridMerge: a grid whose batch sizes are not in
// ascending order (the budget study lists 8192 first) keeps its order in
// config.json when its shards are resumed, so that a merge finds every
// shard complete: the order decides which shard a run belongs to.
func TestShardsOfAnUnsortedGridMerge(t *testing.T) {
	cfg := tinyConfig()
	cfg.BatchSizes, cfg.Seeds, cfg.Epochs = []int{128, 32}, 2, 1
	var dirs []string
	for i := 0; i < 2; i++ {
		c := cfg
		c.Shard = results.Shard{Index: i, Count: 2}
		dir := filepath.Join(t.TempDir(), "shard")
		for range 2 { // the second sweep resumes and rewrites config.json
			if _, err := train.Sweep(context.Background(), c, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
				t.Fatal(err)
			}
		}
		f, err := results.ReadFolder(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Config.BatchSizes; got[0] != 128 || got[1] != 32 {
			t.Errorf("config.json lists batch sizes %v, want the grid's order [128 32]", got)
		}
		dirs = append(dirs, dir)
	}
	if _, err := results.Merge(filepath.Join(t.TempDir(), "all"), dirs); err != nil {
		t.Errorf("merge of the resumed shards: %v", err)
	}
}

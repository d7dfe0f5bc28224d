package results_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

func TestShardsPartitionTheGrid(t *testing.T) {
	cfg := results.DefaultConfig()
	cfg.Datasets = []string{"mnist", "synthetic"}
	cfg.Losses = []string{"ce", "hs", "hinge"}
	cfg.BatchSizes = []int{128, 1024, 8192}
	cfg.Seeds = 5
	grid := cfg.Grid()
	if want := 2 * 3 * 3 * 5; len(grid) != want {
		t.Fatalf("grid has %d runs, want %d", len(grid), want)
	}
	for _, n := range []int{1, 2, 3, 7, 90, 100} {
		seen := map[string]int{}
		for i := 0; i < n; i++ {
			part, err := results.Shard{Index: i, Count: n}.Select(grid)
			if err != nil {
				t.Fatal(err)
			}
			if lo, hi := len(grid)/n, (len(grid)+n-1)/n; len(part) < lo || len(part) > hi {
				t.Errorf("N=%d shard %d has %d runs, want %d…%d", n, i, len(part), lo, hi)
			}
			for _, r := range part {
				seen[r.Key()]++
			}
		}
		for _, r := range grid {
			if seen[r.Key()] != 1 {
				t.Errorf("N=%d: run %s in %d shards, want exactly 1", n, r.Key(), seen[r.Key()])
			}
		}
		if len(seen) != len(grid) {
			t.Errorf("N=%d: shards hold %d distinct runs, grid %d", n, len(seen), len(grid))
		}
	}
}

func TestSelectRejectsInvalidShards(t *testing.T) {
	grid := results.DefaultConfig().Grid()
	for _, s := range []results.Shard{{}, {Index: 0, Count: -2}, {Index: 3, Count: 3}, {Index: -1, Count: 2}} {
		runs, err := s.Select(grid)
		var fe *results.FieldError
		if !errors.As(err, &fe) || fe.Field != "shard" || runs != nil {
			t.Errorf("%+v.Select = %d runs, %v; want a shard FieldError", s, len(runs), err)
		}
	}
}

func TestGridKeysAreUnique(t *testing.T) {
	cfg := results.DefaultConfig()
	cfg.Losses = []string{"ce", "hs", "hinge", "mse"}
	cfg.BatchSizes = []int{1, 10, 100}
	cfg.Seeds = 12
	seen := map[string]bool{}
	for _, r := range cfg.Grid() {
		if seen[r.Key()] {
			t.Fatalf("key %s twice", r.Key())
		}
		seen[r.Key()] = true
	}
}

func TestParseShard(t *testing.T) {
	good := map[string]results.Shard{"0/1": {0, 1}, "2/4": {2, 4}, " 3 / 10 ": {3, 10}}
	for in, want := range good {
		got, err := results.ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":     "not of the form i/N",
		"1":    "not of the form i/N",
		"a/2":  "with integers",
		"2/2":  "index i = 2 outside [0, 2)",
		"-1/2": "index i = -1 outside [0, 2)",
		"0/0":  "count N = 0 < 1",
	}
	for in, want := range bad {
		_, err := results.ParseShard(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseShard(%q) error = %v, want it to contain %q", in, err, want)
		}
	}
}

package results_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/folderlock"
	"github.com/hypersimplex/hsloss/train/results"
)

// shardFolder writes a results folder of shard s of cfg's grid holding the
// first n of its runs (all of them for n < 0), each with one made-up epoch
// that depends on the run alone.
func shardFolder(t *testing.T, cfg results.Config, s results.Shard, n int) string {
	t.Helper()
	cfg.Shard = s
	specs, err := s.Select(cfg.Grid())
	if err != nil {
		t.Fatal(err)
	}
	if n >= 0 {
		specs = specs[:n]
	}
	var runs []results.RunResult
	for _, spec := range specs {
		runs = append(runs, results.RunResult{Spec: spec, Epochs: []results.EpochStats{
			{Epoch: 1, TrainLoss: 1, TrainAcc: 0.5, TestAcc: 0.5 + float64(spec.Seed)/100 + float64(spec.Batch)/1e4, Seconds: 1},
		}})
	}
	dir := t.TempDir()
	if err := results.WriteConfigFile(dir, cfg); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteRunsFile(dir, runs); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMergeChecksItsInputs(t *testing.T) {
	cfg := results.DefaultConfig()
	cfg.Datasets, cfg.Losses, cfg.BatchSizes, cfg.Seeds = []string{"synthetic"}, []string{"ce", "hs"}, []int{32, 128}, 2
	var shards []string // the 8 runs of the grid in 3 complete shards
	for i := range 3 {
		shards = append(shards, shardFolder(t, cfg, results.Shard{Index: i, Count: 3}, -1))
	}
	partial := shardFolder(t, cfg, results.Shard{Index: 1, Count: 3}, 1)
	other := cfg
	other.Epochs++
	otherShard := shardFolder(t, other, results.Shard{Index: 1, Count: 3}, -1)
	whole := shardFolder(t, cfg, results.Shard{Index: 0, Count: 1}, -1)
	host, _ := os.Hostname()

	tests := []struct {
		name   string
		inputs []string
		lock   string // a folder whose lock the test holds during the merge
		want   string // the error; "" for none
	}{
		{"every shard", shards, "", ""},
		{"every shard and the whole grid", append([]string{whole}, shards...), "", ""},
		{"shard in use", shards, shards[2], fmt.Sprintf("merge: %s is in use by process %d on host %s (its lock %s); merge when its sweep has ended",
			shards[2], os.Getpid(), host, filepath.Join(shards[2], folderlock.File))},
		{"shard incomplete", []string{shards[0], partial, shards[2]}, "", fmt.Sprintf("merge: %s is incomplete: 2 of the 3 runs of its shard 1/3 of the grid are not in its runs.csv (the first: synthetic ce batch 128 seed 1); rerun its sweep to finish it", partial)},
		{"other settings", []string{shards[0], otherShard, shards[2]}, "", fmt.Sprintf("merge: %s was made with other settings than %s (epochs %d vs %d)", otherShard, shards[0], cfg.Epochs, other.Epochs)},
		{"shards left out", shards[1:2], "", fmt.Sprintf("merge: %s holds shard 1/3 of a grid whose shards 0/3, 2/3 are not among the folders to merge; merge the folder of every shard", shards[1])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.lock != "" {
				release, err := folderlock.Acquire(tc.lock)
				if err != nil {
					t.Fatal(err)
				}
				defer release()
			}
			out := filepath.Join(t.TempDir(), "merged")
			_, err := results.Merge(out, tc.inputs)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				f, err := results.ReadFolder(out)
				if err != nil || len(f.Runs) != len(cfg.Grid()) {
					t.Errorf("merged %d runs (%v), want %d", len(f.Runs), err, len(cfg.Grid()))
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v,\nwant %s", err, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused merge created %s (%v)", out, err)
			}
		})
	}
	// The lock file and the query leave the folders as they were.
	for _, dir := range shards {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Errorf("%s holds %s after the merges", dir, e.Name())
			}
		}
	}
}

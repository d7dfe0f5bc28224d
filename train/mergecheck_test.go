package train_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hypersimplex/hsloss/internal/folderlock"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// shardFolders sweeps the n shards of cfg into n new folders.
func shardFolders(t *testing.T, cfg results.Config, n int) []string {
	t.Helper()
	var dirs []string
	for i := range n {
		c := cfg
		c.Shard = results.Shard{Index: i, Count: n}
		dir := t.TempDir()
		if _, err := train.Sweep(context.Background(), c, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

func TestMergeRefusesAndWritesNothing(t *testing.T) {
	cfg := tinyConfig()
	dirs := shardFolders(t, cfg, 3)
	host, _ := os.Hostname()

	// A shard interrupted after its first run: incomplete.
	partial := t.TempDir()
	c := cfg
	c.Shard = results.Shard{Index: 1, Count: 3}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := train.Sweep(ctx, c, train.SweepOptions{Dir: partial, Load: loadBlobs, Observe: func(e train.Event) {
		if e.Kind == train.RunDone {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted shard: err = %v, want context.Canceled", err)
	}
	// A shard made with other settings.
	other := cfg
	other.Epochs = 2
	otherDirs := shardFolders(t, other, 3)

	tests := []struct {
		name   string
		inputs []string
		lock   string // a folder whose lock the test holds during the merge
		want   string
	}{
		{"shard in use", dirs, dirs[1], fmt.Sprintf("merge: %s is in use by process %d on host %s (its lock %s); merge when its sweep has ended",
			dirs[1], os.Getpid(), host, filepath.Join(dirs[1], folderlock.File))},
		{"shard incomplete", []string{dirs[0], partial, dirs[2]}, "", fmt.Sprintf("merge: %s is incomplete: 2 of the 3 runs of its shard 1/3 of the grid are not in its runs.csv (the first: synthetic ce batch 128 seed 1); rerun its sweep to finish it", partial)},
		{"shard left out", []string{dirs[0], dirs[2]}, "", fmt.Sprintf("merge: %s holds shard 0/3 of a grid whose shards 1/3 are not among the folders to merge; merge the folder of every shard", dirs[0])},
		{"other settings", []string{dirs[0], otherDirs[1], dirs[2]}, "", fmt.Sprintf("merge: %s was made with other settings than %s (epochs 3 vs 2)", otherDirs[1], dirs[0])},
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
			if err == nil || err.Error() != tc.want {
				t.Errorf("err = %v,\nwant %s", err, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused merge created %s (%v)", out, err)
			}
		})
	}
	// Finished, released, the same folders merge.
	if _, err := results.Merge(filepath.Join(t.TempDir(), "merged"), dirs); err != nil {
		t.Errorf("merge of the finished shards: %v", err)
	}
}

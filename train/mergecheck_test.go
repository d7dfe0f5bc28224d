package train_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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

// TestMergeOfSweptShards is Merge on folders the sweep wrote (its refusals
// are tested on made-up folders in package results): the finished shards
// of a grid merge; a shard whose sweep was interrupted is refused as
// incomplete, and nothing is written.
func TestMergeOfSweptShards(t *testing.T) {
	cfg := tinyConfig()
	dirs := shardFolders(t, cfg, 3)

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
	out := filepath.Join(t.TempDir(), "merged")
	want := fmt.Sprintf("merge: %s is incomplete: 2 of the 3 runs of its shard 1/3 of the grid are not in its runs.csv (the first: synthetic ce batch 128 seed 1); rerun its sweep to finish it", partial)
	if _, err := results.Merge(out, []string{dirs[0], partial, dirs[2]}); err == nil || err.Error() != want {
		t.Errorf("merge with the interrupted shard: err = %v,\nwant %s", err, want)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused merge created %s (%v)", out, err)
	}
	if _, err := results.Merge(out, dirs); err != nil {
		t.Fatalf("merge of the finished shards: %v", err)
	}
	if f, err := results.ReadFolder(out); err != nil || len(f.Runs) != len(cfg.Grid()) {
		t.Errorf("merged %d runs (%v), want the grid's %d", len(f.Runs), err, len(cfg.Grid()))
	}
}

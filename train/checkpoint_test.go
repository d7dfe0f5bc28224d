package train_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// withoutSeconds returns the runs.csv of dir without its seconds column
// (wall times differ between any two sweeps).
func withoutSeconds(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(readFile(t, dir, results.RunsFile), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 8 {
			f = append(f[:8], f[9:]...)
		}
		out = append(out, strings.Join(f, ","))
	}
	return strings.Join(out, "\n")
}

// TestCheckpointResumesARunExactly stops a sweep in the middle of its
// second run (after epoch 3 of 5, with a checkpoint after every epoch) and
// reruns it: the result is the uninterrupted sweep's, to the bit, with the
// augmentation and the last partial batch whose generators the checkpoint
// carries (and, for the CNN, its batch-norm statistics, which the
// evaluation uses), and no checkpoint is left.
func TestCheckpointResumesARunExactly(t *testing.T) {
	for _, model := range []string{"mlp", "cnn"} {
		t.Run(model, func(t *testing.T) { testCheckpointResumes(t, model) })
	}
}

func testCheckpointResumes(t *testing.T, model string) {
	load := func(string) (*datasets.Dataset, error) { return imageBlobs(), nil }
	cfg := tinyConfig()
	cfg.Datasets, cfg.BatchSizes, cfg.Seeds, cfg.Epochs = []string{"fashion-mnist"}, []int{96}, 1, 5
	cfg.Augment, cfg.KeepLast, cfg.Model = true, true, model
	if model == "cnn" {
		// Far from converged, so that the test accuracy, which reads the
		// running statistics, depends on them.
		cfg.LR = 1e-4
	}

	whole := t.TempDir()
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: whole, Load: load, CheckpointEvery: -1}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(e train.Event) {
		if e.Kind == train.EpochDone && e.Run == 2 && e.Epoch.Epoch == 3 {
			cancel()
		}
	}
	_, err := train.Sweep(ctx, cfg, train.SweepOptions{Dir: dir, Load: load, Observe: stop, CheckpointEvery: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep: err = %v, want context.Canceled", err)
	}
	ckpts, _ := filepath.Glob(filepath.Join(dir, train.CheckpointFolder, "*.ckpt"))
	if len(ckpts) != 1 {
		t.Fatalf("checkpoints after the stop: %v, want the second run's", ckpts)
	}
	var resumedFrom int
	first := func(e train.Event) {
		if e.Kind == train.EpochDone && resumedFrom == 0 {
			resumedFrom = e.Epoch.Epoch
		}
	}
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: load, Observe: first, CheckpointEvery: 1}); err != nil {
		t.Fatal(err)
	}
	if resumedFrom != 4 {
		t.Errorf("the rerun's first epoch was %d, want 4 (continued from the checkpoint)", resumedFrom)
	}
	if got, want := withoutSeconds(t, dir), withoutSeconds(t, whole); got != want {
		t.Errorf("resumed runs differ from the uninterrupted ones:\n%s\nwant\n%s", got, want)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, train.CheckpointFolder)); len(left) != 0 {
		t.Errorf("checkpoints left after the sweep: %v", left)
	}
}

// TestCheckpointOfOtherSettingsIsIgnored: a checkpoint written under other
// settings (here another learning rate) is not restored.
func TestCheckpointOfOtherSettingsIsIgnored(t *testing.T) {
	cfg := tinyConfig()
	cfg.Losses, cfg.BatchSizes, cfg.Seeds, cfg.Epochs = []string{"ce"}, []int{128}, 1, 4
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	stop := func(e train.Event) {
		if e.Kind == train.EpochDone && e.Epoch.Epoch == 2 {
			cancel()
		}
	}
	if _, err := train.Sweep(ctx, cfg, train.SweepOptions{Dir: dir, Load: loadBlobs, Observe: stop, CheckpointEvery: 1}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	other := cfg
	other.LR = cfg.LR / 2
	var firstEpoch int
	first := func(e train.Event) {
		if e.Kind == train.EpochDone && firstEpoch == 0 {
			firstEpoch = e.Epoch.Epoch
		}
	}
	if _, err := train.Sweep(context.Background(), other, train.SweepOptions{Dir: dir, Load: loadBlobs, Observe: first, CheckpointEvery: 1}); err != nil {
		t.Fatal(err)
	}
	if firstEpoch != 1 {
		t.Errorf("the run under other settings started at epoch %d, want 1", firstEpoch)
	}
}

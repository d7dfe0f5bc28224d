package train_test

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// readRuns reads dir/runs.csv with the wall times zeroed.
func readRuns(t *testing.T, dir string) []results.RunResult {
	t.Helper()
	f, err := results.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Runs {
		for j := range f.Runs[i].Epochs {
			f.Runs[i].Epochs[j].Seconds = 0
		}
	}
	return f.Runs
}

func TestSweepWritesEveryFile(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	var events []train.EventKind
	sum, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs,
		Observe: func(e train.Event) { events = append(events, e.Kind) }})
	if err != nil {
		t.Fatal(err)
	}
	runs := readRuns(t, dir)
	if len(runs) != len(cfg.Grid()) {
		t.Errorf("runs.csv holds %d runs, want %d", len(runs), len(cfg.Grid()))
	}
	if len(sum.Rows) != len(cfg.BatchSizes) {
		t.Errorf("summary has %d rows, want one per batch size", len(sum.Rows))
	}
	wantEvents := len(cfg.Grid()) * (2 + cfg.Epochs)
	if len(events) != wantEvents {
		t.Errorf("%d events, want %d", len(events), wantEvents)
	}
	for _, name := range []string{results.RunsFile, results.SummaryCSVFile, results.SummaryMDFile, results.ConfigFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"max_acc_vs_batch_synthetic.png", "test_acc_vs_epoch_synthetic_b32.png", "test_acc_vs_epoch_synthetic_b128.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || img.Width < 100 || img.Height < 100 {
			t.Errorf("%s: not a PNG figure: %+v, %v", name, img, err)
		}
	}
	// config.json says how the folder was made.
	folder, err := results.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if folder.Config == nil || !reflect.DeepEqual(*folder.Config, cfg) {
		t.Errorf("config.json holds %+v, want the sweep's %+v", folder.Config, cfg)
	}
	// Rerunning skips everything.
	events = nil
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs,
		Observe: func(e train.Event) { events = append(events, e.Kind) }}); err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e != train.RunSkipped {
			t.Fatalf("rerun of a complete sweep trained again: events %v", events)
		}
	}
}

// resumeAndCompare runs cfg into two folders: one without interruption,
// and one cancelled at the first event for which stop returns true and
// then rerun to the end. It fails t unless the interrupted sweep returned
// context.Canceled, the rerun trained exactly the runs the interrupted one
// had not finished (finished of them), and both folders end with the same
// runs and the same summary files. It returns the uninterrupted folder.
func resumeAndCompare(t *testing.T, cfg results.Config, finished int, stop func(train.Event) bool) string {
	t.Helper()
	full := t.TempDir()
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: full, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	resumed := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := train.Sweep(ctx, cfg, train.SweepOptions{Dir: resumed, Load: loadBlobs, Observe: func(e train.Event) {
		if stop(e) {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted sweep returned %v, want context.Canceled", err)
	}
	trained := 0
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: resumed, Load: loadBlobs, Observe: func(e train.Event) {
		if e.Kind == train.RunStarted {
			trained++
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if want := len(cfg.Grid()) - finished; trained != want {
		t.Errorf("resumed sweep trained %d runs, want %d", trained, want)
	}
	if a, b := readRuns(t, full), readRuns(t, resumed); len(a) != len(cfg.Grid()) || !reflect.DeepEqual(a, b) {
		t.Errorf("resumed sweep differs from the uninterrupted one:\n%+v\n%+v", b, a)
	}
	sameSummaries(t, full, resumed)
	return full
}

func TestResumedSweepEqualsUninterrupted(t *testing.T) {
	finished := 0
	resumeAndCompare(t, tinyConfig(), 3, func(e train.Event) bool {
		if e.Kind == train.RunDone {
			finished++
		}
		// Interrupt in the middle of the fourth run.
		return e.Kind == train.EpochDone && finished == 3 && e.Epoch.Epoch == 2
	})
}

func TestShardsMergeIntoTheFullSweep(t *testing.T) {
	cfg := tinyConfig()
	full := t.TempDir()
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: full, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	const n = 3
	var dirs []string
	for i := 0; i < n; i++ {
		c := cfg
		c.Shard = results.Shard{Index: i, Count: n}
		dir := t.TempDir()
		if _, err := train.Sweep(context.Background(), c, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	if _, err := results.Merge(merged, append(dirs, dirs[0])); err != nil { // a folder twice is harmless
		t.Fatal(err)
	}
	if a, b := readRuns(t, full), readRuns(t, merged); !reflect.DeepEqual(a, b) {
		t.Errorf("merged shards differ from the full sweep:\n%+v\n%+v", b, a)
	}
	sameSummaries(t, full, merged)
	f, err := results.ReadFolder(merged)
	if err != nil {
		t.Fatal(err)
	}
	if f.Config.Shard != (results.Shard{Index: 0, Count: 1}) || !reflect.DeepEqual(f.Config.Grid(), cfg.Grid()) {
		t.Errorf("merged config %+v, want the full grid and no shard", f.Config)
	}

	// Folders made with other settings do not merge.
	other := cfg
	other.Epochs = 2
	otherDir := t.TempDir()
	if _, err := train.Sweep(context.Background(), other, train.SweepOptions{Dir: otherDir, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	if _, err := results.Merge(t.TempDir(), []string{dirs[0], otherDir}); err == nil || !strings.Contains(err.Error(), "epochs 3 vs 2") {
		t.Errorf("merging different settings: err = %v, want it to name epochs 3 vs 2", err)
	}
	// Nor does resuming into a folder made with other settings.
	if _, err := train.Sweep(context.Background(), other, train.SweepOptions{Dir: full, Load: loadBlobs}); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("resuming with other settings: err = %v, want a refusal", err)
	}
}

func TestDivergingRunIsRecordedAsFailure(t *testing.T) {
	cfg := tinyConfig()
	cfg.Losses = []string{"ce"}
	cfg.BatchSizes = []int{32}
	cfg.Seeds = 1
	cfg.LR = 1e30 // Adam moves every weight by about lr: logits overflow
	dir := t.TempDir()
	sum, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs})
	if err != nil {
		t.Fatal(err)
	}
	runs := readRuns(t, dir)
	if len(runs) != 1 || !runs[0].Failed() {
		t.Fatalf("runs %+v, want one failed run", runs)
	}
	if !strings.Contains(runs[0].Failure, "NaN") && !strings.Contains(runs[0].Failure, "Inf") {
		t.Errorf("failure %q does not say NaN or Inf", runs[0].Failure)
	}
	if len(sum.Failures) != 1 || sum.Rows[0].Losses[0].N != 0 {
		t.Errorf("summary %+v, want the failure listed and no statistics", sum)
	}
	if md := readFile(t, dir, results.SummaryMDFile); !strings.Contains(md, "Failed runs") {
		t.Errorf("summary.md does not list the failure:\n%s", md)
	}
}

func TestSweepRejectsOversizedBatch(t *testing.T) {
	cfg := tinyConfig()
	cfg.BatchSizes = []int{32, 1024}
	dir := t.TempDir()
	_, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs})
	var fe *results.FieldError
	if !errors.As(err, &fe) || fe.Field != "batch_sizes" || !strings.Contains(err.Error(), "batch size 1024 exceeds the 512 training samples") {
		t.Errorf("err = %v, want a batch_sizes FieldError", err)
	}
	// The refused grid is not recorded: config.json would otherwise list a
	// batch size that never ran.
	if _, err := os.Stat(filepath.Join(dir, results.ConfigFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused sweep wrote %s (%v)", results.ConfigFile, err)
	}
}

func TestSweepRejectsBadLoader(t *testing.T) {
	cfg := tinyConfig()
	bad := map[string]func(string) (*datasets.Dataset, error){
		"no dataset": func(string) (*datasets.Dataset, error) { return nil, nil },
		"outside [0, 4)": func(string) (*datasets.Dataset, error) {
			d := blobs(4, 8, 512, 250, 7)
			d.Test.Y[0] = 9
			return d, nil
		},
	}
	for want, load := range bad {
		_, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: t.TempDir(), Load: load})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
}

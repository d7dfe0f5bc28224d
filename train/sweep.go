package train

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/train/results"
)

// EventKind says what an Event reports.
type EventKind int

const (
	RunSkipped EventKind = iota // the run is already in runs.csv
	RunStarted                  // the run starts training
	EpochDone                   // an epoch of the run finished (Event.Epoch)
	RunDone                     // the run finished and was written (Event.Result)
)

// Event reports the progress of a sweep.
type Event struct {
	Kind   EventKind
	Spec   results.RunSpec    // the run
	Run    int                // 1-based position of the run in this shard's list
	Runs   int                // number of runs of this shard
	Epochs int                // epochs per run
	Epoch  results.EpochStats // the finished epoch (EpochDone only)
	Result results.RunResult  // the finished run (RunDone only)
}

// SweepOptions are the settings of a sweep that do not change its results.
type SweepOptions struct {
	// Dir is the results folder; it is created if needed.
	Dir string
	// Observe, if not nil, receives progress events.
	Observe func(Event)
	// Load returns a dataset by name; nil means datasets.Load with
	// Config.DataDir.
	Load func(name string) (*datasets.Dataset, error)
	// CheckpointEvery is the least time between two checkpoints of a run
	// (0: DefaultCheckpointEvery; negative: none).
	CheckpointEvery time.Duration
}

// DefaultCheckpointEvery is the default SweepOptions.CheckpointEvery.
const DefaultCheckpointEvery = time.Minute

// Sweep trains every run of cfg's grid that belongs to cfg.Shard and is not
// yet in opts.Dir/runs.csv, then writes the summary and the plots.
//
// Every run is paired across losses: the same seed gives the same initial
// weights and the same batch order, whatever the loss. After each run
// runs.csv is rewritten atomically with the new run's rows, and while an
// MLP run trains its state is saved after an epoch at most every
// opts.CheckpointEvery (opts.Dir/checkpoints, removed when the run is in
// runs.csv). An interrupted sweep (cancelled ctx, crash, power loss) thus
// loses at most the epochs since the last checkpoint: calling Sweep again
// with the same Config skips the finished runs (failed ones included),
// continues the interrupted one from its checkpoint exactly as if it had
// not stopped, and completes the rest. A folder whose runs were made with
// settings that differ in anything but the grid and the shard is refused;
// one without finished runs never is. Everything that can be checked
// (Validate, the folder, the data and the batch sizes against it) is
// checked before the folder is created or anything written into it. With
// several shards, give each its own folder and combine them with
// results.Merge. A sweep holds the folder's lock (package folderlock)
// while it reads and writes the folder; a second sweep of the same folder,
// in this process or another, fails at once with an error that names the
// folder and the holder.
//
// Sweep returns the summary of every run in the folder; when ctx is
// cancelled it still writes the summary of the finished runs and returns
// ctx's error.
func Sweep(ctx context.Context, cfg results.Config, opts SweepOptions) (_ results.Summary, err error) {
	if err := Validate(cfg); err != nil {
		return results.Summary{}, err
	}
	if opts.Dir == "" {
		return results.Summary{}, fmt.Errorf("sweep: no results folder")
	}
	lock := sweepLock{dir: opts.Dir}
	if err := lock.lockExisting(); err != nil {
		return results.Summary{}, err
	}
	defer func() {
		if uerr := lock.unlock(); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}()
	// Nothing is written until everything that can be checked has been:
	// the settings, the folder's earlier runs and the data.
	folder, err := results.ReadFolder(opts.Dir)
	if err != nil {
		return results.Summary{}, fmt.Errorf("sweep: %w", err)
	}
	recorded := cfg
	if folder.Config != nil && len(folder.Runs) > 0 {
		if diff := folder.Config.Incompatibility(cfg); diff != "" {
			return results.Summary{}, fmt.Errorf("sweep: %s holds runs of another configuration (%s); use another folder", opts.Dir, diff)
		}
		recorded = results.UnionGrid(*folder.Config, cfg)
		recorded.Shard = cfg.Shard
	}

	runs := folder.Runs
	done := map[string]bool{}
	for _, r := range runs {
		done[r.Spec.Key()] = true
	}
	todo, err := cfg.Shard.Select(cfg.Grid())
	if err != nil {
		return results.Summary{}, err
	}
	load := opts.Load
	if load == nil {
		load = func(name string) (*datasets.Dataset, error) {
			return datasets.Load(name, datasets.Options{Dir: cfg.DataDir, Context: ctx})
		}
	}
	observe := opts.Observe
	if observe == nil {
		observe = func(Event) {}
	}
	data := map[string]*datasets.Dataset{}
	for _, spec := range todo {
		if done[spec.Key()] || data[spec.Dataset] != nil {
			continue
		}
		d, err := load(spec.Dataset)
		if err != nil {
			return results.Summary{}, fmt.Errorf("sweep: %w", err)
		}
		if err := checkData(d); err != nil {
			return results.Summary{}, fmt.Errorf("sweep: %s: %w", spec.Dataset, err)
		}
		if err := checkBatchSizes(cfg, d); err != nil {
			return results.Summary{}, err
		}
		if err := checkCalibration(cfg, d); err != nil {
			return results.Summary{}, fmt.Errorf("sweep: %s: %w", spec.Dataset, err)
		}
		data[spec.Dataset] = d
	}
	// Only a sweep that can start creates its folder and records its grid.
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return results.Summary{}, fmt.Errorf("sweep: %w", err)
	}
	if err := lock.lockCreated(); err != nil {
		return results.Summary{}, err
	}
	if err := results.WriteConfigFile(opts.Dir, recorded); err != nil {
		return results.Summary{}, fmt.Errorf("sweep: %w", err)
	}

	var runErr error
	for i, spec := range todo {
		ev := Event{Spec: spec, Run: i + 1, Runs: len(todo), Epochs: cfg.Epochs}
		if done[spec.Key()] {
			ev.Kind = RunSkipped
			observe(ev)
			continue
		}
		ev.Kind = RunStarted
		observe(ev)
		ck := newCheckpointer(opts.Dir, spec, cmp.Or(opts.CheckpointEvery, DefaultCheckpointEvery))
		res, err := trainRun(ctx, cfg, data[spec.Dataset], spec, func(st results.EpochStats) {
			e := ev
			e.Kind, e.Epoch = EpochDone, st
			observe(e)
		}, ck)
		if err != nil {
			runErr = err
			break
		}
		runs = append(runs, res)
		if err := results.WriteRunsFile(opts.Dir, runs); err != nil {
			return results.Summary{}, err
		}
		if ck != nil {
			if err := ck.remove(); err != nil {
				return results.Summary{}, err
			}
		}
		if _, err := results.WriteSummaryFiles(opts.Dir, runs, recorded.Losses, false); err != nil {
			return results.Summary{}, err
		}
		ev.Kind, ev.Result = RunDone, res
		observe(ev)
	}
	sum, err := results.WriteSummaryFiles(opts.Dir, runs, recorded.Losses, true)
	if runErr != nil {
		return sum, runErr
	}
	return sum, err
}

// checkBatchSizes rejects batch sizes larger than the training split: with
// the last partial batch dropped such a run would never take a step.
func checkBatchSizes(cfg results.Config, d *datasets.Dataset) error {
	n := d.Train.Len()
	if cfg.TrainSubset > 0 {
		n = min(n, cfg.TrainSubset)
	}
	for _, b := range cfg.BatchSizes {
		if b > n {
			return &results.FieldError{Field: "batch_sizes", Msg: fmt.Sprintf("batch size %d exceeds the %d training samples of %s", b, n, d.Name)}
		}
	}
	return nil
}

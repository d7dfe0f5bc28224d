package train

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train/results"
	G "gorgonia.org/gorgonia"
)

// CheckpointFolder is the sub-folder of a results folder that holds the
// checkpoints of unfinished runs.
const CheckpointFolder = "checkpoints"

// checkpointVersion changes whenever the checkpoint's layout does.
const checkpointVersion = 1

// checkpoint is the state of a run after a whole epoch: everything that
// makes the rest of the run what it would have been without a stop.
type checkpoint struct {
	Version int
	Key     string         // the run's RunSpec.Key
	Config  results.Config // the settings it was trained with
	Epochs  []results.EpochStats
	P32     [][]float32 // parameter values, in Init's order (float32 runs)
	P64     [][]float64 // (float64 runs)
	Adam    []byte
	Batcher []byte
	Augment []byte // nil without Config.Augment
	// BatchNorm holds the running statistics of each batch-norm layer
	// (models with runningStats: the CNN). Checkpoints written before it
	// existed were all of MLP runs, which have none.
	BatchNorm [][]byte
}

// runningStats is implemented by models whose layers keep state outside
// their parameters (nn.CNN's batch norm).
type runningStats interface {
	RunningStats(params G.Nodes) ([]*nn.BatchNormStats, error)
}

// batchNormStats returns the running statistics of r's model for its
// parameters, none for a model without them.
func batchNormStats(r *run) ([]*nn.BatchNormStats, error) {
	m, ok := r.eval.arch.(runningStats)
	if !ok {
		return nil, nil
	}
	nodes, err := nn.Bind(G.NewGraph(), r.eval.params)
	if err != nil {
		return nil, err
	}
	return m.RunningStats(nodes)
}

// checkpointer writes a run's checkpoint at most every interval (after
// a whole epoch) to path, and restores it.
type checkpointer struct {
	path     string
	interval time.Duration
	last     time.Time
}

// newCheckpointer returns the checkpointer of spec's run in the results
// folder dir, saving at most every interval; nil (no checkpoints) for a
// negative interval.
func newCheckpointer(dir string, spec results.RunSpec, interval time.Duration) *checkpointer {
	if interval < 0 {
		return nil
	}
	name := strings.NewReplacer("/", "_", "\\", "_").Replace(spec.Key()) + ".ckpt"
	return &checkpointer{path: filepath.Join(dir, CheckpointFolder, name), interval: interval, last: time.Now()}
}

// maybeSave saves the run's state after an epoch when interval has passed
// since the last save (or the run started).
func (c *checkpointer) maybeSave(r *run, epochs []results.EpochStats) error {
	if time.Since(c.last) < c.interval {
		return nil
	}
	ck := checkpoint{Version: checkpointVersion, Key: r.spec.Key(), Config: r.cfg, Epochs: epochs}
	for _, p := range r.eval.params {
		switch d := p.Value.Data().(type) {
		case []float32:
			ck.P32 = append(ck.P32, d)
		case []float64:
			ck.P64 = append(ck.P64, d)
		}
	}
	var err error
	if ck.Adam, err = r.solver.MarshalBinary(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if ck.Batcher, err = r.batches.MarshalBinary(); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if r.augment != nil {
		if ck.Augment, err = r.augment.MarshalBinary(); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	stats, err := batchNormStats(r)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	for _, st := range stats {
		b, err := st.MarshalBinary()
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		ck.BatchNorm = append(ck.BatchNorm, b)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := atomicfile.Write(c.path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(ck) }); err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	c.last = time.Now()
	return nil
}

// restore loads the checkpoint into r and returns the epochs it had
// finished; none (and r untouched) when there is no checkpoint, or one of
// another run, other settings or parameters of other sizes (written by
// another version of the model; it is overwritten by the next save).
func (c *checkpointer) restore(r *run) ([]results.EpochStats, error) {
	b, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var ck checkpoint
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&ck); err != nil || ck.Version != checkpointVersion {
		return nil, nil // unreadable or of another layout: start afresh
	}
	if ck.Key != r.spec.Key() || ck.Config.Incompatibility(r.cfg) != "" || len(ck.Epochs) >= r.cfg.Epochs {
		return nil, nil
	}
	stats, err := batchNormStats(r)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if !ck.fits(r.eval.params) || len(ck.BatchNorm) != len(stats) {
		return nil, nil
	}
	for i, st := range stats {
		// Check every layer's before restoring any: a checkpoint of
		// another width leaves the run as fresh as it was.
		probe, err := nn.NewBatchNormStats(st.Channels(), nn.DefaultBatchNormMomentum, nn.DefaultBatchNormEpsilon)
		if err != nil || probe.UnmarshalBinary(ck.BatchNorm[i]) != nil {
			return nil, nil
		}
	}
	i32, i64 := 0, 0
	for _, p := range r.eval.params {
		switch d := p.Value.Data().(type) {
		case []float32:
			copy(d, ck.P32[i32])
			i32++
		case []float64:
			copy(d, ck.P64[i64])
			i64++
		}
	}
	if err := r.solver.UnmarshalBinary(ck.Adam); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	if err := r.batches.UnmarshalBinary(ck.Batcher); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	if r.augment != nil {
		if err := r.augment.UnmarshalBinary(ck.Augment); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
		}
	}
	for i, st := range stats {
		if err := st.UnmarshalBinary(ck.BatchNorm[i]); err != nil {
			return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
		}
	}
	return ck.Epochs, nil
}

// fits reports whether the checkpoint's parameters have the number, the
// dtypes and the sizes of params.
func (ck *checkpoint) fits(params []nn.Param) bool {
	if len(ck.P32)+len(ck.P64) != len(params) {
		return false
	}
	i32, i64 := 0, 0
	for _, p := range params {
		switch d := p.Value.Data().(type) {
		case []float32:
			if i32 >= len(ck.P32) || len(ck.P32[i32]) != len(d) {
				return false
			}
			i32++
		case []float64:
			if i64 >= len(ck.P64) || len(ck.P64[i64]) != len(d) {
				return false
			}
			i64++
		default:
			return false
		}
	}
	return true
}

// remove deletes the checkpoint (its run is in runs.csv now).
func (c *checkpointer) remove() error {
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

package train

import (
	"fmt"

	"github.com/hypersimplex/hsloss/internal/folderlock"
)

// checkFinished returns an error naming dir unless the results folder dir,
// read as f, is ready to merge: no sweep holds its lock, and its runs.csv
// holds every run of its config.json's grid that belongs to its shard
// (failed runs count: they are finished). A folder without config.json
// passes; Merge refuses it itself.
//
// A folder whose grid was widened in place records the union of the grids
// (see Sweep), which can hold runs that no sweep asked for; such a folder
// counts as incomplete until a sweep of the union grid fills it.
func checkFinished(dir string, f Folder) error {
	p, held, err := folderlock.Holder(dir)
	if err != nil {
		return fmt.Errorf("train: merge: %w", err)
	}
	if held {
		return fmt.Errorf("train: merge: %w; merge when its sweep has ended", &folderlock.HeldError{Dir: dir, Holder: p})
	}
	if f.Config == nil {
		return nil
	}
	want, err := f.Config.Shard.Select(f.Config.Grid())
	if err != nil {
		return fmt.Errorf("train: merge: %s/%s: %w", dir, ConfigFile, err)
	}
	have := make(map[string]bool, len(f.Runs))
	for _, r := range f.Runs {
		have[r.Spec.Key()] = true
	}
	var missing []RunSpec
	for _, s := range want {
		if !have[s.Key()] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("train: merge: %s is incomplete: %d of the %d runs of its shard %s of the grid are not in its %s (the first: %s); rerun its sweep to finish it",
			dir, len(missing), len(want), f.Config.Shard, RunsFile, missing[0])
	}
	return nil
}

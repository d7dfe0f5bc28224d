package results

import (
	"fmt"
	"os"
)

// Merge combines the results folders dirs (for example one per shard) into
// out: runs.csv with every run, config.json with the union of the grids,
// summary.csv, summary.md and the plots. The folders must hold runs made
// with the same settings (all but the grid and the shard); a run found in
// two folders must have the same measurements in both (wall times aside).
// A folder that a sweep still holds (its lock, package folderlock) or
// whose runs.csv lacks runs of its shard of its grid is refused, and so is
// a merge that leaves out a shard of a grid of which it has others. Every
// refusal names the folder and leaves out untouched.
func Merge(out string, dirs []string) (Summary, error) {
	if len(dirs) == 0 {
		return Summary{}, fmt.Errorf("merge: no folders to merge")
	}
	var (
		cfg  *Config
		runs []RunResult
		from = map[string]string{} // run key → folder it came from
		at   = map[string]int{}    // run key → index in runs
		in   mergeInputs
	)
	for _, dir := range dirs {
		f, err := ReadFolder(dir)
		if err != nil {
			return Summary{}, err
		}
		if err := in.add(dir, f); err != nil {
			return Summary{}, err
		}
		if f.Config == nil {
			return Summary{}, fmt.Errorf("merge: %s has no %s", dir, ConfigFile)
		}
		if cfg == nil {
			c := *f.Config
			c.Shard = Shard{Index: 0, Count: 1}
			cfg = &c
		} else if diff := cfg.Incompatibility(*f.Config); diff != "" {
			return Summary{}, fmt.Errorf("merge: %s was made with other settings than %s (%s)", dir, dirs[0], diff)
		} else {
			c := UnionGrid(*cfg, *f.Config)
			cfg = &c
		}
		for _, r := range f.Runs {
			k := r.Spec.Key()
			if prev, ok := from[k]; ok {
				if !sameRun(runs[at[k]], r) {
					return Summary{}, fmt.Errorf("merge: run %s differs between %s and %s", k, prev, dir)
				}
				continue
			}
			from[k], at[k] = dir, len(runs)
			runs = append(runs, r)
		}
	}
	if err := in.complete(); err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Summary{}, fmt.Errorf("merge: %w", err)
	}
	if err := WriteConfigFile(out, *cfg); err != nil {
		return Summary{}, err
	}
	if err := WriteRunsFile(out, runs); err != nil {
		return Summary{}, err
	}
	return WriteSummaryFiles(out, runs, cfg.Losses, true)
}

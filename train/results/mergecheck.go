package results

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hypersimplex/hsloss/internal/folderlock"
)

// mergeInputs checks the folders of a merge one by one (add) and then
// together (complete).
type mergeInputs struct {
	grids []*shardedGrid // the sharded grids, in the order first seen
}

// shardedGrid is a grid run as Count > 1 shards, and the shards seen of it.
type shardedGrid struct {
	key   string       // the grid (datasets, losses, batch sizes, seeds) and the shard count
	first string       // the first folder seen of it
	shard Shard        // that folder's shard
	seen  map[int]bool // the shard indices seen
}

// add checks the folder dir, read as f (checkFinished), and notes its shard.
func (m *mergeInputs) add(dir string, f Folder) error {
	if err := checkFinished(dir, f); err != nil {
		return err
	}
	if f.Config == nil || f.Config.Shard.Count <= 1 {
		return nil
	}
	c := *f.Config
	k := fmt.Sprint(c.Datasets, c.Losses, c.BatchSizes, c.FirstSeed, c.Seeds, c.Shard.Count)
	i := slices.IndexFunc(m.grids, func(g *shardedGrid) bool { return g.key == k })
	if i < 0 {
		i = len(m.grids)
		m.grids = append(m.grids, &shardedGrid{key: k, first: dir, shard: c.Shard, seen: map[int]bool{}})
	}
	m.grids[i].seen[c.Shard.Index] = true
	return nil
}

// complete returns an error unless every shard of every sharded grid that
// was added was added: a shard folder left out of a merge would drop its
// runs without a word.
func (m *mergeInputs) complete() error {
	for _, g := range m.grids {
		var missing []string
		for i := range g.shard.Count {
			if !g.seen[i] {
				missing = append(missing, Shard{Index: i, Count: g.shard.Count}.String())
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("merge: %s holds shard %s of a grid whose shards %s are not among the folders to merge; merge the folder of every shard",
				g.first, g.shard, strings.Join(missing, ", "))
		}
	}
	return nil
}

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
		return fmt.Errorf("merge: %w", err)
	}
	if held {
		return fmt.Errorf("merge: %w; merge when its sweep has ended", &folderlock.HeldError{Dir: dir, Holder: p})
	}
	if f.Config == nil {
		return nil
	}
	want, err := f.Config.Shard.Select(f.Config.Grid())
	if err != nil {
		return fmt.Errorf("merge: %s/%s: %w", dir, ConfigFile, err)
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
		return fmt.Errorf("merge: %s is incomplete: %d of the %d runs of its shard %s of the grid are not in its %s (the first: %s); rerun its sweep to finish it",
			dir, len(missing), len(want), f.Config.Shard, RunsFile, missing[0])
	}
	return nil
}

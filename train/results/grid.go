package results

import (
	"fmt"
	"strconv"
	"strings"
)

// RunSpec identifies one training run of a sweep.
type RunSpec struct {
	Dataset string
	Loss    string
	Batch   int
	Seed    int64
}

// Key is the identity of a run in results files.
func (r RunSpec) Key() string {
	return fmt.Sprintf("%s/%s/b%d/s%d", r.Dataset, r.Loss, r.Batch, r.Seed)
}

// String describes the run for people, e.g. "mnist hs batch 128 seed 1".
func (r RunSpec) String() string {
	return fmt.Sprintf("%s %s batch %d seed %d", r.Dataset, r.Loss, r.Batch, r.Seed)
}

// Grid returns every run of the sweep in a fixed order: by dataset, then
// batch size, then seed, then loss (the order of the Config lists), so the
// runs that a paired test compares follow each other.
func (c Config) Grid() []RunSpec {
	var g []RunSpec
	for _, d := range c.Datasets {
		for _, b := range c.BatchSizes {
			for _, s := range c.SeedList() {
				for _, l := range c.Losses {
					g = append(g, RunSpec{Dataset: d, Loss: l, Batch: b, Seed: s})
				}
			}
		}
	}
	return g
}

// Shard selects the Index-th of Count slices of a run grid, 0 ≤ Index <
// Count. Run j of the grid belongs to slice j mod Count: round-robin, so that
// the cheap small-batch and the costly large-batch runs spread evenly.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard parses "i/N" with 0 ≤ i < N.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q is not of the form i/N", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q is not of the form i/N with integers i and N", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.validate(); err != nil {
		return Shard{}, fmt.Errorf("%q: %s", s, err.(*FieldError).Msg)
	}
	return sh, nil
}

// String returns "i/N", the form ParseShard reads.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func (s Shard) validate() error {
	if s.Count < 1 {
		return fieldErr("shard", "count N = %d < 1", s.Count)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return fieldErr("shard", "index i = %d outside [0, %d)", s.Index, s.Count)
	}
	return nil
}

// Select returns the runs of grid that belong to shard s, or a *FieldError
// if s is not a valid shard (0 ≤ Index < Count).
func (s Shard) Select(grid []RunSpec) ([]RunSpec, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	var out []RunSpec
	for j, r := range grid {
		if j%s.Count == s.Index {
			out = append(out, r)
		}
	}
	return out, nil
}

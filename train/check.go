package train

import (
	"fmt"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/train/results"
)

// checkRun verifies what Train takes besides the Config: a positive batch
// size and a consistent dataset (see checkData). An unknown loss is
// reported when its head is built.
func checkRun(data *datasets.Dataset, spec results.RunSpec) error {
	if spec.Batch < 1 {
		return fmt.Errorf("batch size %d < 1", spec.Batch)
	}
	return checkData(data)
}

// checkData verifies that d has at least two classes and one feature, and
// that both splits hold Features values per label with every label in
// [0, Classes): a label outside would index past its one-hot row.
func checkData(d *datasets.Dataset) error {
	if d == nil {
		return fmt.Errorf("no dataset")
	}
	if d.Classes < 2 {
		return fmt.Errorf("dataset %s: %d classes, want ≥ 2", d.Name, d.Classes)
	}
	if d.Features < 1 {
		return fmt.Errorf("dataset %s: %d features, want ≥ 1", d.Name, d.Features)
	}
	for _, s := range []struct {
		name  string
		split datasets.Split
	}{{"training", d.Train}, {"test", d.Test}} {
		if len(s.split.X) != s.split.Len()*d.Features {
			return fmt.Errorf("dataset %s: %s split has %d values for %d labels × %d features",
				d.Name, s.name, len(s.split.X), s.split.Len(), d.Features)
		}
		for i, y := range s.split.Y {
			if y < 0 || y >= d.Classes {
				return fmt.Errorf("dataset %s: %s label %d is %d, outside [0, %d)", d.Name, s.name, i, y, d.Classes)
			}
		}
	}
	return nil
}

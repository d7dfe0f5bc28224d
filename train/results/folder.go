package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
)

// Files of a results folder.
const (
	RunsFile       = "runs.csv"    // one row per run per epoch (see WriteRuns)
	SummaryCSVFile = "summary.csv" // one row per dataset, batch size and loss
	SummaryMDFile  = "summary.md"  // the Table 1-like summary
	ConfigFile     = "config.json" // the Config the runs were made with
)

// Folder is the content of a results folder.
type Folder struct {
	Config *Config // nil when the folder has no config.json
	Runs   []RunResult
}

// ReadFolder reads config.json and runs.csv of dir; a missing file is not
// an error (a new folder is empty), a malformed one is.
func ReadFolder(dir string) (Folder, error) {
	var f Folder
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return f, err
	default:
		var c Config
		if err := json.Unmarshal(b, &c); err != nil {
			return f, fmt.Errorf("%s: %w", filepath.Join(dir, ConfigFile), err)
		}
		f.Config = &c
	}
	rf, err := os.Open(filepath.Join(dir, RunsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return f, nil
	case err != nil:
		return f, err
	}
	defer rf.Close()
	if f.Runs, err = ReadRuns(rf); err != nil {
		return f, fmt.Errorf("%s: %w", rf.Name(), err)
	}
	return f, nil
}

// writeFile writes path atomically (atomicfile.Write); errors name it.
func writeFile(path string, write func(w io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteRunsFile writes runs (sorted) to dir/runs.csv atomically.
func WriteRunsFile(dir string, runs []RunResult) error {
	SortRuns(runs)
	return writeFile(filepath.Join(dir, RunsFile), func(w io.Writer) error { return WriteRuns(w, runs) })
}

// WriteConfigFile writes cfg to dir/config.json atomically.
func WriteConfigFile(dir string, cfg Config) error {
	return writeFile(filepath.Join(dir, ConfigFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cfg)
	})
}

// WriteSummaryFiles writes summary.csv and summary.md atomically and, with
// plots, the PNG figures.
func WriteSummaryFiles(dir string, runs []RunResult, losses []string, plots bool) (Summary, error) {
	sum := Summarize(runs, losses)
	if err := writeFile(filepath.Join(dir, SummaryCSVFile), sum.WriteCSV); err != nil {
		return sum, err
	}
	if err := writeFile(filepath.Join(dir, SummaryMDFile), sum.Markdown); err != nil {
		return sum, err
	}
	if plots {
		if _, err := WritePlots(dir, runs, losses); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// UnionGrid returns a with its grid widened to hold b's too: the datasets,
// losses and batch sizes of both (a's order first), the seeds from the
// smallest to the largest of both, and no shard.
func UnionGrid(a, b Config) Config {
	for _, d := range b.Datasets {
		if !slices.Contains(a.Datasets, d) {
			a.Datasets = append(a.Datasets, d)
		}
	}
	for _, l := range b.Losses {
		if !slices.Contains(a.Losses, l) {
			a.Losses = append(a.Losses, l)
		}
	}
	for _, s := range b.BatchSizes {
		if !slices.Contains(a.BatchSizes, s) {
			a.BatchSizes = append(a.BatchSizes, s)
		}
	}
	lo := min(a.FirstSeed, b.FirstSeed)
	hi := max(a.FirstSeed+int64(a.Seeds), b.FirstSeed+int64(b.Seeds))
	a.FirstSeed, a.Seeds = lo, int(hi-lo)
	a.Shard = Shard{Index: 0, Count: 1}
	return a
}

// sameRun reports whether a and b hold the same measurements, wall times
// aside: whether runs.csv would hold the same rows for them. Comparing the
// rows rather than the structs makes NaN (a training accuracy without a
// sample, a failed calibration) equal to NaN.
func sameRun(a, b RunResult) bool {
	rows := func(r RunResult) string {
		r.Epochs = slices.Clone(r.Epochs)
		for i := range r.Epochs {
			r.Epochs[i].Seconds = 0
		}
		var sb strings.Builder
		if err := WriteRuns(&sb, []RunResult{r}); err != nil {
			return "error: " + err.Error() // unreachable: a strings.Builder does not fail
		}
		return sb.String()
	}
	return rows(a) == rows(b)
}

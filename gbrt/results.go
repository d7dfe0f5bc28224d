package gbrt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
)

// The files of a results folder.
const (
	ConfigFile     = "config.json" // the StudyConfig
	RunsFile       = "runs.csv"    // one row per run
	SummaryCSVFile = "summary.csv" // one row per (dataset, objective)
	SummaryMDFile  = "summary.md"  // the table Study prints
)

var runsHeader = []string{"dataset", "objective", "seed", "test_auc", "test_acc_best", "test_logloss",
	"valid_auc", "best_rounds", "rounds", "last_active", "seconds"}

// openFolder creates dir with cfg's config.json, or checks that the one
// there equals cfg, and returns the runs it already holds.
func openFolder(dir string, cfg StudyConfig) ([]Run, error) {
	if dir == "" {
		return nil, errors.New("gbrt: study: empty results folder name")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	want, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	want = append(want, '\n')
	path := filepath.Join(dir, ConfigFile)
	have, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(want); return err }); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case !bytes.Equal(have, want):
		return nil, fmt.Errorf("gbrt: study: %s holds a study with another configuration (its %s differs); use another folder", dir, ConfigFile)
	}
	f, err := os.Open(filepath.Join(dir, RunsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	runs, err := ReadRuns(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return runs, nil
}

func fmtF(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }

// WriteRuns writes runs as CSV with the header of runs.csv.
func WriteRuns(w io.Writer, runs []Run) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(runsHeader); err != nil {
		return err
	}
	for _, r := range runs {
		ll := ""
		if r.HasLogLoss {
			ll = fmtF(r.LogLoss)
		}
		rec := []string{r.Dataset, r.Objective, strconv.FormatInt(r.Seed, 10), fmtF(r.AUC), fmtF(r.Accuracy), ll,
			fmtF(r.ValidAUC), strconv.Itoa(r.BestRounds), strconv.Itoa(r.Rounds), strconv.Itoa(r.Active),
			strconv.FormatFloat(r.Seconds, 'f', 3, 64)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadRuns reads what WriteRuns wrote; errors give the line.
func ReadRuns(r io.Reader) ([]Run, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("gbrt: runs: header: %w", err)
	}
	if strings.Join(head, ",") != strings.Join(runsHeader, ",") {
		return nil, fmt.Errorf("gbrt: runs: header %q, want %q", strings.Join(head, ","), strings.Join(runsHeader, ","))
	}
	var runs []Run
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return runs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("gbrt: runs: %w", err)
		}
		line, _ := cr.FieldPos(0)
		var r Run
		var errs []error
		num := func(s string) float64 {
			v, err := strconv.ParseFloat(s, 64)
			errs = append(errs, err)
			return v
		}
		integer := func(s string) int {
			v, err := strconv.Atoi(s)
			errs = append(errs, err)
			return v
		}
		r.Dataset, r.Objective = rec[0], rec[1]
		r.Seed = int64(integer(rec[2]))
		r.AUC, r.Accuracy = num(rec[3]), num(rec[4])
		if rec[5] != "" {
			r.LogLoss, r.HasLogLoss = num(rec[5]), true
		}
		r.ValidAUC, r.BestRounds, r.Rounds, r.Active = num(rec[6]), integer(rec[7]), integer(rec[8]), integer(rec[9])
		r.Seconds = num(rec[10])
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("gbrt: runs: line %d: %w", line, err)
		}
		runs = append(runs, r)
	}
}

func writeRuns(dir string, runs []Run) error {
	return atomicfile.Write(filepath.Join(dir, RunsFile), func(w io.Writer) error { return WriteRuns(w, runs) })
}

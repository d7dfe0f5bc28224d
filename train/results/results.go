package results

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// EpochStats are the measurements of one training epoch.
type EpochStats struct {
	Epoch     int     // 1-based
	TrainLoss float64 // mean of the batch losses of the epoch
	TrainAcc  float64 // accuracy on the fixed training sample; NaN without one
	TestAcc   float64 // accuracy on the test split after the epoch
	Seconds   float64 // wall time of the epoch: training and evaluation, calibration excluded

	// Calibrated says whether TestAccCalibrated was measured
	// (Config.Calibrate).
	Calibrated bool
	// TestAccCalibrated is the accuracy on the test split of
	// argmax(logits + b), b the per-class offsets fitted after the epoch on
	// the training split (nn.FitClassOffsets); NaN when the fit failed (for
	// example non-finite training logits). Meaningless unless Calibrated.
	TestAccCalibrated float64
}

// RunResult is a finished run: every completed epoch and, if the run
// stopped early, why.
type RunResult struct {
	Spec        RunSpec
	Epochs      []EpochStats
	Failure     string // "" for a run that completed every epoch
	FailedEpoch int    // the epoch in which the run failed, if it did
}

// Failed reports whether the run stopped with a failure.
func (r RunResult) Failed() bool { return r.Failure != "" }

// Best returns the maximum test accuracy over the epochs and its (first)
// epoch; NaN and 0 when there is no epoch.
func (r RunResult) Best() (acc float64, epoch int) {
	acc = math.NaN()
	for _, e := range r.Epochs {
		if epoch == 0 || e.TestAcc > acc {
			acc, epoch = e.TestAcc, e.Epoch
		}
	}
	return acc, epoch
}

// BestCalibrated returns the maximum calibrated test accuracy over the
// epochs that have one (Calibrated, not NaN) and its (first) epoch; NaN
// and 0 when there is none.
func (r RunResult) BestCalibrated() (acc float64, epoch int) {
	acc = math.NaN()
	for _, e := range r.Epochs {
		if !e.Calibrated || math.IsNaN(e.TestAccCalibrated) {
			continue
		}
		if epoch == 0 || e.TestAccCalibrated > acc {
			acc, epoch = e.TestAccCalibrated, e.Epoch
		}
	}
	return acc, epoch
}

// calibrated reports whether any epoch of r measured the calibrated
// accuracy.
func (r RunResult) calibrated() bool {
	return slices.ContainsFunc(r.Epochs, func(e EpochStats) bool { return e.Calibrated })
}

// runsHeader is the header row of runs.csv; test_acc_calibrated is empty
// when not measured. ReadRuns also reads files without that last column
// (legacyRunsHeader).
var (
	runsHeader       = append(slices.Clone(legacyRunsHeader), "test_acc_calibrated")
	legacyRunsHeader = []string{"dataset", "loss", "batch", "seed", "epoch", "train_loss", "train_acc", "test_acc", "seconds", "status", "error"}
)

// Row status values of runs.csv.
const (
	statusOK     = "ok"
	statusFailed = "failed"
)

// ErrBadRuns marks a malformed runs.csv.
var ErrBadRuns = errors.New("malformed runs.csv")

// SortRuns orders runs by dataset, batch size, seed and loss, the order in
// which runs.csv lists them.
func SortRuns(runs []RunResult) {
	slices.SortFunc(runs, func(a, b RunResult) int {
		return cmp.Or(
			cmp.Compare(a.Spec.Dataset, b.Spec.Dataset),
			cmp.Compare(a.Spec.Batch, b.Spec.Batch),
			cmp.Compare(a.Spec.Seed, b.Spec.Seed),
			cmp.Compare(a.Spec.Loss, b.Spec.Loss))
	})
}

// WriteRuns writes runs as CSV, one row per run per epoch, plus one
// "failed" row (with the error message) for a run that failed. Numbers are
// written in the shortest form that reads back exactly; test_acc_calibrated
// is empty for an epoch that did not measure it.
func WriteRuns(w io.Writer, runs []RunResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(runsHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, r := range runs {
		s := r.Spec
		id := []string{s.Dataset, s.Loss, strconv.Itoa(s.Batch), strconv.FormatInt(s.Seed, 10)}
		for _, e := range r.Epochs {
			cal := ""
			if e.Calibrated {
				cal = f(e.TestAccCalibrated)
			}
			row := append(slices.Clone(id), strconv.Itoa(e.Epoch), f(e.TrainLoss), f(e.TrainAcc), f(e.TestAcc), f(e.Seconds), statusOK, "", cal)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		if r.Failed() {
			row := append(slices.Clone(id), strconv.Itoa(r.FailedEpoch), "", "", "", "", statusFailed, r.Failure, "")
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadRuns parses what WriteRuns wrote, and files written before the
// test_acc_calibrated column existed (their epochs are not Calibrated).
// Within a run, every epoch has a calibrated accuracy or none does. Errors
// wrap ErrBadRuns and give the line.
func ReadRuns(rd io.Reader) ([]RunResult, error) {
	cr := csv.NewReader(rd)
	cr.FieldsPerRecord = 0 // the header's count, for every row
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty file", ErrBadRuns)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRuns, err)
	}
	if !slices.Equal(header, runsHeader) && !slices.Equal(header, legacyRunsHeader) {
		return nil, fmt.Errorf("%w: header %q, want %q", ErrBadRuns, header, runsHeader)
	}
	hasCal := len(header) == len(runsHeader)
	var runs []RunResult
	index := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil { // a *csv.ParseError names the line
			return nil, fmt.Errorf("%w: %v", ErrBadRuns, err)
		}
		line, _ := cr.FieldPos(0)
		bad := func(field string) error {
			return fmt.Errorf("%w: line %d: %s %q", ErrBadRuns, line, field, rec[slices.Index(runsHeader, field)])
		}
		var spec RunSpec
		spec.Dataset, spec.Loss = rec[0], rec[1]
		if spec.Batch, err = strconv.Atoi(rec[2]); err != nil || spec.Batch < 1 {
			return nil, bad("batch")
		}
		if spec.Seed, err = strconv.ParseInt(rec[3], 10, 64); err != nil {
			return nil, bad("seed")
		}
		epoch, err := strconv.Atoi(rec[4])
		if err != nil || epoch < 1 {
			return nil, bad("epoch")
		}
		i, seen := index[spec.Key()]
		if !seen {
			i = len(runs)
			index[spec.Key()] = i
			runs = append(runs, RunResult{Spec: spec})
		}
		r := &runs[i]
		if r.Failed() {
			return nil, fmt.Errorf("%w: line %d: run %s continues after its failed row", ErrBadRuns, line, spec.Key())
		}
		switch rec[9] {
		case statusFailed:
			if rec[10] == "" {
				return nil, fmt.Errorf("%w: line %d: failed row without an error message", ErrBadRuns, line)
			}
			r.Failure, r.FailedEpoch = rec[10], epoch
			continue
		case statusOK:
		default:
			return nil, bad("status")
		}
		if epoch != len(r.Epochs)+1 {
			return nil, fmt.Errorf("%w: line %d: run %s epoch %d follows epoch %d", ErrBadRuns, line, spec.Key(), epoch, len(r.Epochs))
		}
		e := EpochStats{Epoch: epoch}
		for j, dst := range []*float64{&e.TrainLoss, &e.TrainAcc, &e.TestAcc, &e.Seconds} {
			if *dst, err = strconv.ParseFloat(rec[5+j], 64); err != nil {
				return nil, bad(runsHeader[5+j])
			}
		}
		if hasCal && rec[11] != "" {
			e.Calibrated = true
			if e.TestAccCalibrated, err = strconv.ParseFloat(rec[11], 64); err != nil {
				return nil, bad("test_acc_calibrated")
			}
		}
		r.Epochs = append(r.Epochs, e)
	}
	return runs, nil
}

package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Baseline is the loss every other loss is tested against.
const Baseline = "ce"

// AccStats summarises one accuracy measure of the completed runs of one
// loss at one batch size over the seeds: the maximum test accuracy over
// the epochs (LossStats), or the maximum calibrated test accuracy
// (CalibratedStats).
type AccStats struct {
	N             int     // completed runs with a value
	Mean, SD      float64 // of the runs' maxima
	MeanBestEpoch float64 // mean epoch of the maxima
	// VsBaseline is the paired t-test of this loss's maxima against
	// cross-entropy's over the seeds where both have one (this loss minus
	// CE); nil for CE itself, without a CE run, or with fewer than two
	// pairs (then Note says why).
	VsBaseline *TTest
	Note       string // why there is no t-test, or TTest.Note
}

// LossStats summarises the runs of one loss at one batch size over the
// seeds: AccStats of the maximum test accuracy.
type LossStats struct {
	Loss   string
	Failed int // runs that stopped with a failure (not in Mean/SD)
	AccStats
	// Calibrated summarises the calibrated test accuracy
	// (EpochStats.TestAccCalibrated) of the completed runs; nil when none
	// of them measured it (Config.Calibrate off).
	Calibrated *CalibratedStats
}

// CalibratedStats summarises the maximum calibrated test accuracy of one
// loss at one batch size over the seeds.
type CalibratedStats struct {
	AccStats
	Missing int // completed runs that measured none (every fit failed)
}

// BatchSummary holds the statistics of every loss at one batch size.
type BatchSummary struct {
	Dataset string
	Batch   int
	Losses  []LossStats
}

// Summary is the statistics of a sweep: one BatchSummary per dataset and
// batch size, sorted by dataset and batch size, plus the failed runs.
type Summary struct {
	Rows     []BatchSummary
	Failures []RunResult
}

// Summarize computes, per dataset and batch size, mean ± sd of the maximum
// test accuracy of each loss and a paired t-test of each loss against CE
// across seeds, and the same for the maximum calibrated test accuracy of
// runs that measured it (LossStats.Calibrated). Losses are listed in the
// order of losses, then any other loss found in runs in alphabetical order.
func Summarize(runs []RunResult, losses []string) Summary {
	type cell struct {
		dataset, loss string
		batch         int
	}
	best := map[cell]map[int64]RunResult{}
	var datasets []string
	var batches = map[string][]int{}
	order := slices.Clone(losses)
	var extra []string
	var sum Summary
	for _, r := range runs {
		s := r.Spec
		c := cell{s.Dataset, s.Loss, s.Batch}
		if best[c] == nil {
			best[c] = map[int64]RunResult{}
		}
		best[c][s.Seed] = r
		if !slices.Contains(datasets, s.Dataset) {
			datasets = append(datasets, s.Dataset)
		}
		if !slices.Contains(batches[s.Dataset], s.Batch) {
			batches[s.Dataset] = append(batches[s.Dataset], s.Batch)
		}
		if !slices.Contains(order, s.Loss) && !slices.Contains(extra, s.Loss) {
			extra = append(extra, s.Loss)
		}
		if r.Failed() {
			sum.Failures = append(sum.Failures, r)
		}
	}
	slices.Sort(datasets)
	slices.Sort(extra)
	order = append(order, extra...)
	SortRuns(sum.Failures)

	for _, d := range datasets {
		bs := batches[d]
		slices.Sort(bs)
		for _, b := range bs {
			row := BatchSummary{Dataset: d, Batch: b}
			base := best[cell{d, Baseline, b}]
			for _, l := range order {
				bySeed := best[cell{d, l, b}]
				if bySeed == nil {
					continue
				}
				row.Losses = append(row.Losses, lossStats(l, bySeed, base))
			}
			sum.Rows = append(sum.Rows, row)
		}
	}
	return sum
}

// measure is what a summary takes from each completed run: its maximum
// test accuracy, or its maximum calibrated test accuracy.
type measure struct {
	has    func(RunResult) bool                     // the run measured it
	best   func(RunResult) (acc float64, epoch int) // epoch 0: no value
	noBase string                                   // Note without baseline runs
	pairs  string                                   // what a t-test pair has
}

var (
	maxAccuracy = measure{
		has:    func(RunResult) bool { return true },
		best:   RunResult.Best,
		noBase: "no " + Baseline + " runs to compare with",
		pairs:  "both runs complete",
	}
	maxCalibratedAccuracy = measure{
		has:    RunResult.calibrated,
		best:   RunResult.BestCalibrated,
		noBase: "no " + Baseline + " runs with a calibrated accuracy to compare with",
		pairs:  "both calibrated accuracies",
	}
)

// lossStats summarises the runs of one loss at one batch size (bySeed) and
// tests them against the baseline's runs of the same seeds (base).
func lossStats(loss string, bySeed, base map[int64]RunResult) LossStats {
	seeds := make([]int64, 0, len(bySeed))
	for s := range bySeed {
		seeds = append(seeds, s)
	}
	slices.Sort(seeds)
	st := LossStats{Loss: loss}
	var completed []RunResult
	for _, s := range seeds {
		if r := bySeed[s]; r.Failed() || len(r.Epochs) == 0 {
			st.Failed++
		} else {
			completed = append(completed, r)
		}
	}
	st.AccStats, _, _ = maxAccuracy.stats(loss, completed, base)
	if cal, measured, missing := maxCalibratedAccuracy.stats(loss, completed, base); measured {
		st.Calibrated = &CalibratedStats{AccStats: cal, Missing: missing}
	}
	return st
}

// stats summarises m over the completed runs of one loss and tests it
// against the completed baseline runs of the same seeds (base). measured
// reports whether a run measured m; missing counts those that did but have
// no value.
func (m measure) stats(loss string, completed []RunResult, base map[int64]RunResult) (st AccStats, measured bool, missing int) {
	var accs, epochs, a, b []float64
	for _, r := range completed {
		if !m.has(r) {
			continue
		}
		measured = true
		acc, ep := m.best(r)
		if ep == 0 {
			missing++
			continue
		}
		accs = append(accs, acc)
		epochs = append(epochs, float64(ep))
		if rb, ok := base[r.Spec.Seed]; ok && !rb.Failed() && m.has(rb) {
			if accB, epB := m.best(rb); epB > 0 {
				a, b = append(a, acc), append(b, accB)
			}
		}
	}
	st.N = len(accs)
	st.Mean, st.SD = MeanSD(accs)
	st.MeanBestEpoch, _ = MeanSD(epochs)
	switch {
	case loss == Baseline:
	case base == nil:
		st.Note = m.noBase
	default:
		tt, err := PairedTTest(a, b)
		if err != nil {
			st.Note = fmt.Sprintf("no t-test: %d seed pairs with %s, need 2", len(a), m.pairs)
			break
		}
		st.VsBaseline = &tt
		st.Note = tt.Note
	}
	if missing > 0 {
		st.Note = strings.TrimPrefix(st.Note+fmt.Sprintf("; %d completed runs without a calibrated accuracy (every fit failed)", missing), "; ")
	}
	return st, measured, missing
}

// hasCalibrated reports whether any loss of s, in dataset if it is not "",
// has calibrated statistics.
func (s Summary) hasCalibrated(dataset string) bool {
	for _, r := range s.Rows {
		if dataset != "" && r.Dataset != dataset {
			continue
		}
		for _, l := range r.Losses {
			if l.Calibrated != nil {
				return true
			}
		}
	}
	return false
}

// summaryHeader is the header row of summary.csv; summaryCalibratedHeader
// follows it when calibrated accuracies were measured.
var (
	summaryHeader           = []string{"dataset", "batch", "loss", "runs", "failed", "mean_max_test_acc", "sd_max_test_acc", "mean_best_epoch", "delta_vs_ce", "t_vs_ce", "df", "p_vs_ce", "note"}
	summaryCalibratedHeader = []string{"runs_calibrated", "mean_max_test_acc_calibrated", "sd_max_test_acc_calibrated", "mean_best_epoch_calibrated", "delta_calibrated_vs_ce", "t_calibrated_vs_ce", "df_calibrated", "p_calibrated_vs_ce", "note_calibrated"}
)

// WriteCSV writes one row per dataset, batch size and loss. The t-test
// columns are empty where there is no test. When some loss has calibrated
// statistics, the columns of summaryCalibratedHeader follow (the same
// statistics of the maximum calibrated test accuracy, empty for a loss
// without them); otherwise they are left out.
func (s Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	withCal := s.hasCalibrated("")
	header := summaryHeader
	if withCal {
		header = append(slices.Clone(summaryHeader), summaryCalibratedHeader...)
	}
	cw.Write(header)
	for _, row := range s.Rows {
		for _, l := range row.Losses {
			rec := []string{row.Dataset, strconv.Itoa(row.Batch), l.Loss, strconv.Itoa(l.N), strconv.Itoa(l.Failed)}
			rec = append(rec, l.AccStats.csvColumns()...)
			if withCal {
				if c := l.Calibrated; c != nil {
					rec = append(append(rec, strconv.Itoa(c.N)), c.csvColumns()...)
				} else {
					rec = append(rec, make([]string, len(summaryCalibratedHeader))...)
				}
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvColumns are a's columns of summary.csv after the run counts: mean, sd,
// mean best epoch, Δ, t, df and p of the t-test (empty without one), note.
func (a AccStats) csvColumns() []string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	cols := []string{f(a.Mean), f(a.SD), f(a.MeanBestEpoch), "", "", "", "", a.Note}
	if t := a.VsBaseline; t != nil {
		cols[3], cols[4], cols[5], cols[6] = f(t.MeanDiff), f(t.T), f(t.DF), f(t.P)
	}
	return cols
}

// Markdown writes one table per dataset shaped like Table 1 of the paper:
// batch, CE, HS, Δ = HS − CE, t and p of the paired t-test, then the other
// losses; a line under the table gives their own Δ, t and p against CE. Cells are mean ± sd of the
// maximum test accuracy over the seeds. When the runs measured the
// calibrated test accuracy, a second table of the same shape ("<dataset>,
// calibrated: …") follows each dataset's, for the maximum calibrated test
// accuracy.
func (s Summary) Markdown(w io.Writer) error {
	var b strings.Builder
	var datasets []string
	for _, r := range s.Rows {
		if !slices.Contains(datasets, r.Dataset) {
			datasets = append(datasets, r.Dataset)
		}
	}
	for i, d := range datasets {
		if i > 0 {
			b.WriteString("\n")
		}
		s.markdownTable(&b, d, rawView)
		if s.hasCalibrated(d) {
			b.WriteString("\n")
			s.markdownTable(&b, d, calibratedView)
		}
	}
	if len(s.Failures) > 0 {
		b.WriteString("\nFailed runs (left out of the statistics):\n\n")
		for _, r := range s.Failures {
			fmt.Fprintf(&b, "- %s: epoch %d: %s\n", r.Spec.Key(), r.FailedEpoch, r.Failure)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableView selects a summary table's measure: the title's text after the
// dataset up to the seeds, and each loss's statistics with the number of
// its runs without a value (ok = false: none).
type tableView struct {
	title string
	cell  func(LossStats) (st AccStats, failed int, ok bool)
}

var (
	rawView = tableView{
		title: ": maximum test accuracy over epochs",
		cell:  func(l LossStats) (AccStats, int, bool) { return l.AccStats, l.Failed, true },
	}
	calibratedView = tableView{
		title: ", calibrated: maximum test accuracy over epochs of argmax(logits + b), b the per-class logit offsets fitted on the training split at each epoch where the run measured it (every epoch, or every -calibrate-every epochs and the last)",
		cell: func(l LossStats) (AccStats, int, bool) {
			if c := l.Calibrated; c != nil {
				return c.AccStats, l.Failed + c.Missing, true
			}
			return AccStats{}, 0, false
		},
	}
)

// markdownTable writes the table of one dataset with the measure of view
// (see Markdown).
func (s Summary) markdownTable(b *strings.Builder, dataset string, view tableView) {
	var rows []BatchSummary
	var losses []string
	maxN := 0
	for _, r := range s.Rows {
		if r.Dataset != dataset {
			continue
		}
		rows = append(rows, r)
		for _, l := range r.Losses {
			if !slices.Contains(losses, l.Loss) {
				losses = append(losses, l.Loss)
			}
			maxN = max(maxN, l.N+l.Failed)
		}
	}
	// The paper's columns first: CE, then the compared loss (HS if present)
	// with Δ, t, p; then every other loss.
	hasBase := slices.Contains(losses, Baseline)
	primary := ""
	if hasBase {
		for _, l := range losses {
			if l == "hs" || (primary == "" && l != Baseline) {
				primary = l
			}
		}
	}
	var cols []string
	if hasBase {
		cols = append(cols, Baseline)
	}
	if primary != "" {
		cols = append(cols, primary)
	}
	for _, l := range losses {
		if !slices.Contains(cols, l) {
			cols = append(cols, l)
		}
	}

	seeds := "seeds"
	if maxN == 1 {
		seeds = "seed"
	}
	fmt.Fprintf(b, "%s%s, mean ± sd over %d %s", dataset, view.title, maxN, seeds)
	if primary != "" {
		fmt.Fprintf(b, "; Δ = %s − %s, paired two-sided t-test across seeds", strings.ToUpper(primary), strings.ToUpper(Baseline))
	}
	b.WriteString("\n\n| batch |")
	align := "|------:|"
	for _, l := range cols {
		fmt.Fprintf(b, " %s |", strings.ToUpper(l))
		align += "---|"
		if l == primary {
			b.WriteString(" Δ | t | p |")
			align += "---:|---:|---:|"
		}
	}
	b.WriteString("\n" + align + "\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %d |", r.Batch)
		for _, l := range cols {
			i := slices.IndexFunc(r.Losses, func(x LossStats) bool { return x.Loss == l })
			var st AccStats
			var failed int
			ok := i >= 0
			if ok {
				st, failed, ok = view.cell(r.Losses[i])
			}
			if !ok {
				b.WriteString(" — |")
				if l == primary {
					b.WriteString(" — | — | — |")
				}
				continue
			}
			fmt.Fprintf(b, " %s |", meanSD(st, failed))
			t := st.VsBaseline
			switch {
			case l == primary && t != nil:
				fmt.Fprintf(b, " %+.4f | %s | %s |", t.MeanDiff, num(t.T, "%.2f"), num(t.P, "%.3f"))
			case l == primary:
				b.WriteString(" — | — | — |")
			}
		}
		b.WriteString("\n")
	}
	var notes []string
	for _, r := range rows {
		for _, l := range r.Losses {
			st, _, ok := view.cell(l)
			if !ok || l.Loss == primary || l.Loss == Baseline || st.VsBaseline == nil {
				continue
			}
			t := st.VsBaseline
			notes = append(notes, fmt.Sprintf("batch %d %s − %s: Δ %+.4f, t %s, p %s", r.Batch, strings.ToUpper(l.Loss), strings.ToUpper(Baseline), t.MeanDiff, num(t.T, "%.2f"), num(t.P, "%.3f")))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nOther losses against CE: " + strings.Join(notes, "; ") + ".\n")
	}
}

// meanSD formats a table cell: "mean ± sd", with the failed runs noted.
func meanSD(st AccStats, failed int) string {
	if st.N == 0 {
		return fmt.Sprintf("failed (%d)", failed)
	}
	s := fmt.Sprintf("%.4f ± %.4f", st.Mean, st.SD)
	if failed > 0 {
		s += fmt.Sprintf(" (%d failed)", failed)
	}
	return s
}

// num formats v with format, NaN as "—" and infinities as ±Inf.
func num(v float64, format string) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf(format, v)
}

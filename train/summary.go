package train

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

// LossStats summarises the runs of one loss at one batch size over the seeds.
type LossStats struct {
	Loss          string
	N             int     // completed runs
	Failed        int     // runs that stopped with a failure (not in Mean/SD)
	Mean, SD      float64 // of the maximum test accuracy over the completed runs
	MeanBestEpoch float64 // mean epoch of the maximum
	// VsBaseline is the paired t-test of this loss against cross-entropy
	// over the seeds where both completed (accuracy of this loss minus
	// accuracy of CE); nil for CE itself, without a CE run, or with fewer
	// than two pairs (then Note says why).
	VsBaseline *TTest
	Note       string // why there is no t-test, or TTest.Note
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
// across seeds. Losses are listed in the order of losses, then any other
// loss found in runs in alphabetical order.
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

// lossStats summarises the runs of one loss at one batch size (bySeed) and
// tests them against the baseline's runs of the same seeds (base).
func lossStats(loss string, bySeed, base map[int64]RunResult) LossStats {
	st := LossStats{Loss: loss}
	seeds := make([]int64, 0, len(bySeed))
	for s := range bySeed {
		seeds = append(seeds, s)
	}
	slices.Sort(seeds)
	var accs, epochs, a, b []float64
	for _, s := range seeds {
		r := bySeed[s]
		if r.Failed() || len(r.Epochs) == 0 {
			st.Failed++
			continue
		}
		acc, ep := r.Best()
		accs = append(accs, acc)
		epochs = append(epochs, float64(ep))
		if rb, ok := base[s]; ok && !rb.Failed() && len(rb.Epochs) > 0 {
			accB, _ := rb.Best()
			a, b = append(a, acc), append(b, accB)
		}
	}
	st.N = len(accs)
	st.Mean, st.SD = MeanSD(accs)
	st.MeanBestEpoch, _ = MeanSD(epochs)
	switch {
	case loss == Baseline:
	case base == nil:
		st.Note = "no " + Baseline + " runs to compare with"
	default:
		tt, err := PairedTTest(a, b)
		if err != nil {
			st.Note = fmt.Sprintf("no t-test: %d seed pairs with both runs complete, need 2", len(a))
			break
		}
		st.VsBaseline = &tt
		st.Note = tt.Note
	}
	return st
}

// summaryHeader is the header row of summary.csv.
var summaryHeader = []string{"dataset", "batch", "loss", "runs", "failed", "mean_max_test_acc", "sd_max_test_acc", "mean_best_epoch", "delta_vs_ce", "t_vs_ce", "df", "p_vs_ce", "note"}

// WriteCSV writes one row per dataset, batch size and loss. The t-test
// columns are empty where there is no test.
func (s Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(summaryHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, row := range s.Rows {
		for _, l := range row.Losses {
			rec := []string{row.Dataset, strconv.Itoa(row.Batch), l.Loss, strconv.Itoa(l.N), strconv.Itoa(l.Failed), f(l.Mean), f(l.SD), f(l.MeanBestEpoch), "", "", "", "", l.Note}
			if t := l.VsBaseline; t != nil {
				rec[8], rec[9], rec[10], rec[11] = f(t.MeanDiff), f(t.T), f(t.DF), f(t.P)
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// Markdown writes one table per dataset shaped like Table 1 of the paper:
// batch, CE, HS, Δ = HS − CE, t and p of the paired t-test, then the other
// losses; a line under the table gives their own Δ, t and p against CE. Cells are mean ± sd of the
// maximum test accuracy over the seeds.
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
		s.markdownTable(&b, d)
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

// markdownTable writes the table of one dataset (see Markdown).
func (s Summary) markdownTable(b *strings.Builder, dataset string) {
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
	fmt.Fprintf(b, "%s: maximum test accuracy over epochs, mean ± sd over %d %s", dataset, maxN, seeds)
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
			if i < 0 {
				b.WriteString(" — |")
				if l == primary {
					b.WriteString(" — | — | — |")
				}
				continue
			}
			st := r.Losses[i]
			fmt.Fprintf(b, " %s |", meanSD(st))
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
		for _, st := range r.Losses {
			if st.Loss == primary || st.Loss == Baseline || st.VsBaseline == nil {
				continue
			}
			t := st.VsBaseline
			notes = append(notes, fmt.Sprintf("batch %d %s − %s: Δ %+.4f, t %s, p %s", r.Batch, strings.ToUpper(st.Loss), strings.ToUpper(Baseline), t.MeanDiff, num(t.T, "%.2f"), num(t.P, "%.3f")))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\nOther losses against CE: " + strings.Join(notes, "; ") + ".\n")
	}
}

// meanSD formats a table cell: "mean ± sd", with the failed runs noted.
func meanSD(st LossStats) string {
	if st.N == 0 {
		return fmt.Sprintf("failed (%d)", st.Failed)
	}
	s := fmt.Sprintf("%.4f ± %.4f", st.Mean, st.SD)
	if st.Failed > 0 {
		s += fmt.Sprintf(" (%d failed)", st.Failed)
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

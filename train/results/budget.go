package results

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultBudgets are the epochs at which BudgetTable compares the losses by
// default: our short study's 12, then up to the paper's 600.
var DefaultBudgets = []int{12, 50, 100, 300, 600}

// Accuracy selects the accuracy a budget comparison reads: the test
// accuracy of the argmax of the logits, or the calibrated one
// (EpochStats.TestAccCalibrated, measured after some epochs only).
type Accuracy bool

const (
	RawAccuracy        Accuracy = false
	CalibratedAccuracy Accuracy = true
)

// String returns "raw" or "calibrated".
func (a Accuracy) String() string {
	if a == CalibratedAccuracy {
		return "calibrated"
	}
	return "raw"
}

// bestSoFar returns, for every epoch of r (1-based, index e−1), the
// maximum accuracy a over its epochs up to e; NaN before the first epoch
// with a value (the calibrated accuracy is measured after some epochs).
func bestSoFar(r RunResult, a Accuracy) []float64 {
	out := make([]float64, len(r.Epochs))
	best := math.NaN()
	for i, e := range r.Epochs {
		v := e.TestAcc
		if a == CalibratedAccuracy {
			v = math.NaN()
			if e.Calibrated {
				v = e.TestAccCalibrated
			}
		}
		if !math.IsNaN(v) && (math.IsNaN(best) || v > best) {
			best = v
		}
		out[i] = best
	}
	return out
}

// pairKey identifies the runs a loss is compared with CE over: a dataset
// and a batch size.
type pairKey struct {
	dataset string
	batch   int
}

// pairedCurves returns, for every dataset, batch size and loss other than
// CE, the best-so-far curves of its completed runs and of CE's on the same
// seeds, paired by seed (in seed order).
func pairedCurves(runs []RunResult, a Accuracy) map[pairKey]map[string][2][][]float64 {
	byCell := map[pairKey]map[string]map[int64][]float64{}
	for _, r := range runs {
		if r.Failed() || len(r.Epochs) == 0 {
			continue
		}
		k := pairKey{r.Spec.Dataset, r.Spec.Batch}
		if byCell[k] == nil {
			byCell[k] = map[string]map[int64][]float64{}
		}
		if byCell[k][r.Spec.Loss] == nil {
			byCell[k][r.Spec.Loss] = map[int64][]float64{}
		}
		byCell[k][r.Spec.Loss][r.Spec.Seed] = bestSoFar(r, a)
	}
	out := map[pairKey]map[string][2][][]float64{}
	for k, losses := range byCell {
		ce := losses[Baseline]
		for loss, seeds := range losses {
			if loss == Baseline || ce == nil {
				continue
			}
			var ls, cs [][]float64
			for _, s := range slices.Sorted(maps.Keys(seeds)) {
				if c, ok := ce[s]; ok {
					ls, cs = append(ls, seeds[s]), append(cs, c)
				}
			}
			if len(ls) == 0 {
				continue
			}
			if out[k] == nil {
				out[k] = map[string][2][][]float64{}
			}
			out[k][loss] = [2][][]float64{ls, cs}
		}
	}
	return out
}

// BudgetCell compares one loss with CE at one batch size after Budget
// epochs: the maximum accuracy over the first Budget epochs of each seed's
// run, paired by seed.
type BudgetCell struct {
	Dataset  string
	Batch    int
	Loss     string
	Accuracy Accuracy
	Budget   int
	N        int     // seeds whose runs of both losses reached the budget
	Mean     float64 // of the loss's maxima
	MeanCE   float64 // of CE's maxima
	Test     *TTest  // paired t-test, loss − CE; nil with fewer than two pairs
	Note     string  // why there is no test
}

// GapCurve is the gap between one loss and CE at one batch size against
// the epoch: at every epoch e, the mean and sd over seeds of the
// difference of their maximum accuracies over epochs 1…e.
type GapCurve struct {
	Dataset  string
	Batch    int
	Loss     string
	Accuracy Accuracy
	Epochs   []int     // epochs with at least one pair
	Mean, SD []float64 // of the paired differences at each of Epochs
	N        []int     // pairs at each of Epochs
}

// Crossover returns the first epoch from which the mean gap stays above
// zero up to the last epoch of the curve, or 0 if the gap is not above
// zero at the last epoch (it never stays above).
func (g GapCurve) Crossover() int {
	from := 0
	for i := len(g.Epochs) - 1; i >= 0 && g.Mean[i] > 0; i-- {
		from = g.Epochs[i]
	}
	return from
}

// Budgets compares every loss of runs with CE: BudgetTable's cells at the
// given budgets and the gap curves, for the raw or the calibrated accuracy.
type Budgets struct {
	Accuracy Accuracy
	Cells    []BudgetCell // by dataset, batch size, loss, budget
	Curves   []GapCurve   // by dataset, batch size, loss
}

// CompareBudgets computes the Budgets of runs for accuracy a: for every
// dataset, batch size and loss other than CE with runs of both on common
// seeds, the gap curve, and at each budget (epochs, ascending) the paired
// comparison of the maximum accuracy over the first budget epochs. A
// budget beyond a pair's runs leaves that pair out (N counts the rest).
func CompareBudgets(runs []RunResult, budgets []int, a Accuracy) Budgets {
	b := Budgets{Accuracy: a}
	curves := pairedCurves(runs, a)
	keys := slices.SortedFunc(maps.Keys(curves), func(x, y pairKey) int {
		return cmp.Or(cmp.Compare(x.dataset, y.dataset), cmp.Compare(x.batch, y.batch))
	})
	for _, k := range keys {
		for _, loss := range slices.Sorted(maps.Keys(curves[k])) {
			pair := curves[k][loss]
			b.Curves = append(b.Curves, gapCurve(k, loss, a, pair[0], pair[1]))
			for _, e := range budgets {
				b.Cells = append(b.Cells, budgetCell(k, loss, a, e, pair[0], pair[1]))
			}
		}
	}
	return b
}

// atEpoch returns the paired values of the curves at epoch e (1-based) for
// the pairs that reached it with a value.
func atEpoch(ls, cs [][]float64, e int) (l, c []float64) {
	for i := range ls {
		if e <= len(ls[i]) && e <= len(cs[i]) && !math.IsNaN(ls[i][e-1]) && !math.IsNaN(cs[i][e-1]) {
			l, c = append(l, ls[i][e-1]), append(c, cs[i][e-1])
		}
	}
	return l, c
}

func budgetCell(k pairKey, loss string, a Accuracy, e int, ls, cs [][]float64) BudgetCell {
	cell := BudgetCell{Dataset: k.dataset, Batch: k.batch, Loss: loss, Accuracy: a, Budget: e}
	l, c := atEpoch(ls, cs, e)
	cell.N = len(l)
	cell.Mean, _ = MeanSD(l)
	cell.MeanCE, _ = MeanSD(c)
	if t, err := PairedTTest(l, c); err != nil {
		cell.Note = "fewer than two pairs"
	} else {
		cell.Test, cell.Note = &t, t.Note
	}
	return cell
}

func gapCurve(k pairKey, loss string, a Accuracy, ls, cs [][]float64) GapCurve {
	g := GapCurve{Dataset: k.dataset, Batch: k.batch, Loss: loss, Accuracy: a}
	last := 0
	for i := range ls {
		last = max(last, min(len(ls[i]), len(cs[i])))
	}
	for e := 1; e <= last; e++ {
		l, c := atEpoch(ls, cs, e)
		if len(l) == 0 {
			continue
		}
		d := make([]float64, len(l))
		for i := range l {
			d[i] = l[i] - c[i]
		}
		m, sd := MeanSD(d)
		g.Epochs, g.Mean, g.SD, g.N = append(g.Epochs, e), append(g.Mean, m), append(g.SD, sd), append(g.N, len(d))
	}
	return g
}

// budgetHeader is the header row of budget.csv.
var budgetHeader = []string{"dataset", "batch", "loss", "accuracy", "budget", "seeds", "mean_max_acc", "mean_max_acc_ce", "delta_vs_ce", "t_vs_ce", "df", "p_vs_ce", "crossover_epoch", "note"}

// WriteCSV writes one row per cell; crossover_epoch, the curve's
// Crossover (0: never), repeats on every row of its loss and batch size.
func (b Budgets) WriteCSV(w io.Writer, header bool) error {
	cw := csv.NewWriter(w)
	if header {
		if err := cw.Write(budgetHeader); err != nil {
			return err
		}
	}
	cross := b.crossovers()
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, c := range b.Cells {
		t, df, p, delta := "", "", "", ""
		if c.Test != nil {
			t, df, p, delta = f(c.Test.T), f(c.Test.DF), f(c.Test.P), f(c.Test.MeanDiff)
		}
		row := []string{c.Dataset, strconv.Itoa(c.Batch), c.Loss, c.Accuracy.String(), strconv.Itoa(c.Budget), strconv.Itoa(c.N),
			f(c.Mean), f(c.MeanCE), delta, t, df, p, strconv.Itoa(cross[gapKey(c.Dataset, c.Batch, c.Loss)]), c.Note}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func gapKey(dataset string, batch int, loss string) string {
	return fmt.Sprintf("%s/%d/%s", dataset, batch, loss)
}

// crossovers maps every curve to its Crossover.
func (b Budgets) crossovers() map[string]int {
	m := map[string]int{}
	for _, g := range b.Curves {
		m[gapKey(g.Dataset, g.Batch, g.Loss)] = g.Crossover()
	}
	return m
}

// Markdown writes one table per dataset and loss, shaped like the paper's
// Table 1 at several budgets: a row per batch size with CE's and the
// loss's mean maximum accuracy at the last budget, the difference (loss −
// CE) with its paired t-test p-value at every budget ("–" for p with a
// single pair), and the epoch from which the loss stays above CE.
func (b Budgets) Markdown(w io.Writer) error {
	var s strings.Builder
	cross := b.crossovers()
	type table struct{ dataset, loss string }
	var tables []table
	for _, c := range b.Cells {
		t := table{c.Dataset, c.Loss}
		if !slices.Contains(tables, t) {
			tables = append(tables, t)
		}
	}
	for i, t := range tables {
		var budgets []int
		rows := map[int][]BudgetCell{}
		var batches []int
		for _, c := range b.Cells {
			if c.Dataset != t.dataset || c.Loss != t.loss {
				continue
			}
			if !slices.Contains(budgets, c.Budget) {
				budgets = append(budgets, c.Budget)
			}
			if rows[c.Batch] == nil {
				batches = append(batches, c.Batch)
			}
			rows[c.Batch] = append(rows[c.Batch], c)
		}
		last := budgets[len(budgets)-1]
		up := strings.ToUpper(t.loss)
		if i > 0 {
			s.WriteString("\n")
		}
		fmt.Fprintf(&s, "%s, %s accuracy: mean maximum test accuracy over the first E epochs; Δ = %s − CE (paired two-sided t-test across seeds, p)\n\n", t.dataset, b.Accuracy, up)
		fmt.Fprintf(&s, "| batch | seeds | CE@%d | %s@%d |", last, up, last)
		for _, e := range budgets {
			fmt.Fprintf(&s, " Δ@%d (p) |", e)
		}
		fmt.Fprintf(&s, " %s above CE from epoch |\n|------:|---:|---:|---:|", up)
		s.WriteString(strings.Repeat("---:|", len(budgets)) + "---:|\n")
		for _, batch := range batches {
			cells := rows[batch]
			end := cells[len(cells)-1]
			fmt.Fprintf(&s, "| %d | %d | %s | %s |", batch, end.N, fmtAcc(end.MeanCE), fmtAcc(end.Mean))
			for _, c := range cells {
				switch {
				case c.Test != nil:
					fmt.Fprintf(&s, " %+.4f (%.3f) |", c.Test.MeanDiff, c.Test.P)
				case c.N > 0: // one pair: the difference, no test
					fmt.Fprintf(&s, " %+.4f (–) |", c.Mean-c.MeanCE)
				default:
					fmt.Fprintf(&s, " – |")
				}
			}
			from := "never"
			if e := cross[gapKey(t.dataset, batch, t.loss)]; e > 0 {
				from = strconv.Itoa(e)
			}
			fmt.Fprintf(&s, " %s |\n", from)
		}
	}
	_, err := io.WriteString(w, s.String())
	return err
}

// fmtAcc formats a mean accuracy, "–" for NaN.
func fmtAcc(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.4f", v)
}

// BudgetFile and BudgetCSVFile are the files WriteBudgetFiles writes.
const (
	BudgetFile    = "budget.md"
	BudgetCSVFile = "budget.csv"
)

// WriteBudgetFiles compares every loss of runs with CE at the budgets
// (CompareBudgets), for the raw accuracy and, when runs measured it, the
// calibrated one, and writes into dir budget.md (the Markdown tables),
// budget.csv and the plots of WriteGapPlots. It returns the comparisons.
func WriteBudgetFiles(dir string, runs []RunResult, budgets []int) ([]Budgets, error) {
	all := []Budgets{CompareBudgets(runs, budgets, RawAccuracy)}
	if slices.ContainsFunc(runs, RunResult.calibrated) {
		all = append(all, CompareBudgets(runs, budgets, CalibratedAccuracy))
	}
	err := writeFile(filepath.Join(dir, BudgetFile), func(w io.Writer) error {
		for i, b := range all {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			if err := b.Markdown(w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return all, err
	}
	err = writeFile(filepath.Join(dir, BudgetCSVFile), func(w io.Writer) error {
		for i, b := range all {
			if err := b.WriteCSV(w, i == 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return all, err
	}
	for _, b := range all {
		if _, err := WriteGapPlots(dir, b); err != nil {
			return all, err
		}
	}
	return all, nil
}

package results_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

// curveRun is a run whose test accuracy at epoch e is acc(e); with every
// > 0 it also measured a calibrated accuracy acc(e) + 0.1 after every
// every-th epoch.
func curveRun(loss string, batch int, seed int64, epochs, every int, acc func(e int) float64) results.RunResult {
	r := results.RunResult{Spec: results.RunSpec{Dataset: "d", Loss: loss, Batch: batch, Seed: seed}}
	for e := 1; e <= epochs; e++ {
		st := results.EpochStats{Epoch: e, TestAcc: acc(e)}
		if every > 0 && e%every == 0 {
			st.Calibrated, st.TestAccCalibrated = true, acc(e)+0.1
		}
		r.Epochs = append(r.Epochs, st)
	}
	return r
}

// budgetRuns: at batch 128, CE's accuracy is 0.5 + 0.01e and HS's
// 0.45 + 0.02e + 0.001·s (equal at epoch 5 but for HS's 0.001·s, so HS is
// above from epoch 5 on); at batch 8192 HS trails by 0.05 throughout. Seed
// s shifts both losses by 0.001·s², which the pairing cancels. Calibrated
// accuracies every 2 epochs.
func budgetRuns() []results.RunResult {
	var runs []results.RunResult
	for s := int64(1); s <= 3; s++ {
		shift := 0.001 * float64(s*s)
		runs = append(runs,
			curveRun("ce", 128, s, 10, 2, func(e int) float64 { return 0.5 + 0.01*float64(e) + shift }),
			curveRun("hs", 128, s, 10, 2, func(e int) float64 { return 0.45 + 0.02*float64(e) + shift + 0.001*float64(s) }),
			curveRun("ce", 8192, s, 10, 2, func(e int) float64 { return 0.6 + shift }),
			curveRun("hs", 8192, s, 10, 2, func(e int) float64 { return 0.55 + shift }),
		)
	}
	return runs
}

func TestCompareBudgets(t *testing.T) {
	b := results.CompareBudgets(budgetRuns(), []int{3, 10}, results.RawAccuracy)
	if len(b.Cells) != 4 || len(b.Curves) != 2 {
		t.Fatalf("%d cells and %d curves, want 4 and 2", len(b.Cells), len(b.Curves))
	}
	c := b.Cells[0] // batch 128, budget 3
	if c.Batch != 128 || c.Budget != 3 || c.N != 3 || c.Test == nil {
		t.Fatalf("first cell %+v", c)
	}
	// Δ at epoch 3 = (0.45 + 0.06) − (0.5 + 0.03) + 0.001·mean(s) = −0.02 + 0.002.
	if want := -0.018; math.Abs(c.Test.MeanDiff-want) > 1e-12 {
		t.Errorf("Δ@3 = %v, want %v", c.Test.MeanDiff, want)
	}
	if got := b.Cells[1].Test.MeanDiff; math.Abs(got-(0.05+0.002)) > 1e-12 {
		t.Errorf("Δ@10 = %v, want 0.052", got)
	}
	if got := b.Curves[0].Crossover(); got != 5 {
		t.Errorf("crossover at batch 128: epoch %d, want 5", got)
	}
	if got := b.Curves[1].Crossover(); got != 0 {
		t.Errorf("crossover at batch 8192: epoch %d, want 0 (never)", got)
	}
}

// TestBestSoFar: a dip after the maximum does not lower the accuracy
// "so far", and a gap that turns negative again moves the crossover.
func TestBestSoFarAndCrossover(t *testing.T) {
	accs := map[string][]float64{
		"ce": {0.5, 0.6, 0.6, 0.6, 0.7, 0.7},
		"hs": {0.6, 0.5, 0.5, 0.8, 0.6, 0.72},
	}
	var runs []results.RunResult
	for _, s := range []int64{1, 2} {
		for loss, a := range accs {
			runs = append(runs, curveRun(loss, 64, s, len(a), 0, func(e int) float64 { return a[e-1] }))
		}
	}
	b := results.CompareBudgets(runs, []int{2, 5}, results.RawAccuracy)
	g := b.Curves[0]
	// so far: CE 0.5 0.6 0.6 0.6 0.7 0.7; HS 0.6 0.6 0.6 0.8 0.8 0.8
	want := []float64{0.1, 0, 0, 0.2, 0.1, 0.1}
	for i, w := range want {
		if math.Abs(g.Mean[i]-w) > 1e-12 || g.SD[i] != 0 {
			t.Errorf("gap at epoch %d = %v ± %v, want %v ± 0", g.Epochs[i], g.Mean[i], g.SD[i], w)
		}
	}
	if got := g.Crossover(); got != 4 {
		t.Errorf("crossover %d, want 4 (the gap is 0 at epoch 3)", got)
	}
	if c := b.Cells[0]; c.Test == nil || c.Test.Note == "" || c.Test.MeanDiff != 0 {
		t.Errorf("equal pairs at epoch 2: %+v, want a degenerate t-test with its note", c.Test)
	}
}

func TestCompareBudgetsCalibratedAndShortRuns(t *testing.T) {
	runs := budgetRuns()
	// Seed 3's HS run at batch 128 stopped after 4 epochs: it has no
	// maximum over 10.
	for i, r := range runs {
		if r.Spec.Loss == "hs" && r.Spec.Batch == 128 && r.Spec.Seed == 3 {
			runs[i].Epochs = r.Epochs[:4]
		}
	}
	b := results.CompareBudgets(runs, []int{1, 4, 10}, results.CalibratedAccuracy)
	c1, c4, c10 := b.Cells[0], b.Cells[1], b.Cells[2]
	if c1.N != 0 || c1.Test != nil {
		t.Errorf("budget 1 has no calibrated accuracy yet: %+v", c1)
	}
	if c4.N != 3 || c10.N != 2 {
		t.Errorf("pairs at budgets 4 and 10: %d and %d, want 3 and 2", c4.N, c10.N)
	}
	// Calibrated at epoch 4: HS 0.45 + 0.08 + 0.1, CE 0.5 + 0.04 + 0.1.
	if want := -0.01 + 0.002; math.Abs(c4.Test.MeanDiff-want) > 1e-12 {
		t.Errorf("calibrated Δ@4 = %v, want %v", c4.Test.MeanDiff, want)
	}
	if g := b.Curves[0]; g.Epochs[0] != 2 {
		t.Errorf("calibrated curve starts at epoch %d, want 2 (the first measured)", g.Epochs[0])
	}
}

func TestWriteBudgetFiles(t *testing.T) {
	dir := t.TempDir()
	all, err := results.WriteBudgetFiles(dir, budgetRuns(), []int{3, 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("%d comparisons, want raw and calibrated", len(all))
	}
	md, err := os.ReadFile(filepath.Join(dir, results.BudgetFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"d, raw accuracy: mean maximum test accuracy over the first E epochs",
		"| batch | seeds | CE@10 | HS@10 | Δ@3 (p) | Δ@10 (p) | HS above CE from epoch |",
		"| 128 | 3 | 0.6047 | 0.6567 | -0.0180 (",
		" | 5 |\n",
		" | never |\n",
		"d, calibrated accuracy",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("budget.md lacks %q:\n%s", want, md)
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, results.BudgetCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(csv), "\n"); lines != 1+2*4 {
		t.Errorf("budget.csv has %d lines, want a header and 8 rows:\n%s", lines, csv)
	}
	for _, name := range []string{"gap_vs_epoch_d_hs.png", "gap_vs_epoch_d_hs_calibrated.png"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("plot %s: %v", name, err)
		}
	}
}

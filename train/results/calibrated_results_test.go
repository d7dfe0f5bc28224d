package results_test

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

// calibratedRuns returns hand-made results with calibrated accuracies: CE
// and HS at batch 128, seeds 1 and 2, and an HS run at batch 1024 whose
// every fit failed (NaN).
func calibratedRuns() []results.RunResult {
	run := func(loss string, batch int, seed int64, accs, cals []float64) results.RunResult {
		r := results.RunResult{Spec: results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: batch, Seed: seed}}
		for i, a := range accs {
			r.Epochs = append(r.Epochs, results.EpochStats{Epoch: i + 1, TrainLoss: 1, TrainAcc: a, TestAcc: a, Seconds: 1,
				Calibrated: true, TestAccCalibrated: cals[i]})
		}
		return r
	}
	nan := math.NaN()
	return []results.RunResult{
		run("ce", 128, 1, []float64{0.80, 0.90}, []float64{0.81, 0.90}),
		run("hs", 128, 1, []float64{0.70, 0.85}, []float64{0.86, 0.92}),
		run("ce", 128, 2, []float64{0.70, 0.88}, []float64{0.72, 0.89}),
		run("hs", 128, 2, []float64{0.80, 0.81}, []float64{0.915, 0.91}),
		run("hs", 1024, 1, []float64{0.5}, []float64{nan}),
	}
}

func TestRunsRoundTripCalibrated(t *testing.T) {
	plain := sampleRuns()[0] // and one run without calibration
	plain.Spec.Seed = 9
	runs := append(calibratedRuns(), plain)
	var buf bytes.Buffer
	if err := results.WriteRuns(&buf, runs); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"synthetic,hs,128,1,2,1,0.85,0.85,1,ok,,0.92\n",
		"synthetic,hs,1024,1,1,1,0.5,0.5,1,ok,,NaN\n",
		"synthetic,ce,128,9,3,0.3333333333333333,0.84,0.85,0.25,ok,,\n",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("runs.csv lacks %q:\n%s", want, buf.String())
		}
	}
	got, err := results.ReadRuns(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(runs) {
		t.Fatalf("%d runs read back, want %d", len(got), len(runs))
	}
	for i := range runs {
		if len(got[i].Epochs) != len(runs[i].Epochs) {
			t.Fatalf("run %d: %d epochs read back, want %d", i, len(got[i].Epochs), len(runs[i].Epochs))
		}
		for j, e := range runs[i].Epochs {
			g := got[i].Epochs[j]
			same := g.Calibrated == e.Calibrated && (g.TestAccCalibrated == e.TestAccCalibrated ||
				math.IsNaN(g.TestAccCalibrated) && math.IsNaN(e.TestAccCalibrated))
			if !same || g.TestAcc != e.TestAcc {
				t.Errorf("run %d epoch %d read back as %+v, want %+v", i, j+1, g, e)
			}
		}
	}
}

func TestReadRunsLegacyHeader(t *testing.T) {
	in := "dataset,loss,batch,seed,epoch,train_loss,train_acc,test_acc,seconds,status,error\n" +
		"synthetic,ce,128,1,1,0.5,0.9,0.91,1,ok,\n" +
		"synthetic,ce,128,1,2,,,,,failed,loss is NaN\n"
	runs, err := results.ReadRuns(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || len(runs[0].Epochs) != 1 || runs[0].Epochs[0].TestAcc != 0.91 || runs[0].Epochs[0].Calibrated || !runs[0].Failed() {
		t.Errorf("legacy runs.csv read as %+v", runs)
	}
}

func TestBestCalibrated(t *testing.T) {
	r := calibratedRuns()[1] // HS seed 1: calibrated 0.86, 0.92
	if acc, ep := r.BestCalibrated(); acc != 0.92 || ep != 2 {
		t.Errorf("BestCalibrated = %v, %d; want 0.92, 2", acc, ep)
	}
	r.Epochs[1].TestAccCalibrated = math.NaN() // a failed fit is skipped
	if acc, ep := r.BestCalibrated(); acc != 0.86 || ep != 1 {
		t.Errorf("BestCalibrated with a NaN epoch = %v, %d; want 0.86, 1", acc, ep)
	}
	if acc, ep := sampleRuns()[0].BestCalibrated(); !math.IsNaN(acc) || ep != 0 {
		t.Errorf("BestCalibrated without calibration = %v, %d; want NaN, 0", acc, ep)
	}
}

func TestSummarizeCalibrated(t *testing.T) {
	sum := results.Summarize(calibratedRuns(), []string{"ce", "hs"})
	if len(sum.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(sum.Rows))
	}
	ce, hs := sum.Rows[0].Losses[0], sum.Rows[0].Losses[1]
	// Raw maxima: CE 0.90, 0.88; HS 0.85, 0.81. Calibrated maxima: CE
	// 0.90 (epoch 2), 0.89 (epoch 2); HS 0.92 (epoch 2), 0.915 (epoch 1).
	const tol = 1e-12
	if math.Abs(hs.Mean-0.83) > tol || hs.VsBaseline == nil || math.Abs(hs.VsBaseline.MeanDiff-(-0.06)) > tol {
		t.Errorf("raw HS stats %+v, want mean 0.83, Δ −0.06", hs)
	}
	cc, hc := ce.Calibrated, hs.Calibrated
	if cc == nil || hc == nil {
		t.Fatalf("calibrated stats CE %v, HS %v; want both", cc, hc)
	}
	if cc.N != 2 || math.Abs(cc.Mean-0.895) > tol || math.Abs(cc.SD-math.Sqrt(0.00005)) > tol || cc.MeanBestEpoch != 2 || cc.VsBaseline != nil {
		t.Errorf("CE calibrated %+v, want N 2, mean 0.895, sd √0.00005, best epoch 2, no t-test", cc)
	}
	// Differences 0.02 and 0.025: mean 0.0225, sd √0.0000125, t = 9.
	tt := hc.VsBaseline
	if hc.N != 2 || math.Abs(hc.Mean-0.9175) > tol || hc.MeanBestEpoch != 1.5 || tt == nil ||
		math.Abs(tt.MeanDiff-0.0225) > 1e-9 || math.Abs(tt.T-9) > 1e-9 || math.Abs(tt.P-tTwoSidedP(9, 1)) > 1e-9 {
		t.Errorf("HS calibrated %+v (t-test %+v), want N 2, mean 0.9175, best epoch 1.5, Δ 0.0225, t 9", hc, tt)
	}
	// Batch 1024: one HS run, every fit failed; no CE run.
	b := sum.Rows[1].Losses[0].Calibrated
	if b == nil || b.N != 0 || b.Missing != 1 || !strings.Contains(b.Note, "no ce runs with a calibrated accuracy") ||
		!strings.Contains(b.Note, "1 completed runs without a calibrated accuracy") {
		t.Errorf("batch 1024 HS calibrated %+v, want 0 runs, 1 missing and notes", b)
	}

	var c bytes.Buffer
	if err := sum.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(c.String()), "\n")
	wantHeader := "dataset,batch,loss,runs,failed,mean_max_test_acc,sd_max_test_acc,mean_best_epoch,delta_vs_ce,t_vs_ce,df,p_vs_ce,note," +
		"runs_calibrated,mean_max_test_acc_calibrated,sd_max_test_acc_calibrated,mean_best_epoch_calibrated,delta_calibrated_vs_ce,t_calibrated_vs_ce,df_calibrated,p_calibrated_vs_ce,note_calibrated"
	if len(lines) != 4 || lines[0] != wantHeader {
		t.Fatalf("summary.csv:\n%s\nwant header %s and 3 rows", c.String(), wantHeader)
	}
	col := func(row, name string) string {
		i := slices.Index(strings.Split(wantHeader, ","), name)
		return strings.Split(row, ",")[i]
	}
	near := func(s string, want float64) bool {
		v, err := strconv.ParseFloat(s, 64)
		return err == nil && math.Abs(v-want) < 1e-9
	}
	hsRow, ceRow := lines[2], lines[1]
	if !near(col(hsRow, "mean_max_test_acc"), 0.83) || col(hsRow, "runs_calibrated") != "2" || !near(col(hsRow, "mean_max_test_acc_calibrated"), 0.9175) ||
		!near(col(hsRow, "delta_calibrated_vs_ce"), 0.0225) || !near(col(hsRow, "t_calibrated_vs_ce"), 9) || col(hsRow, "df_calibrated") != "1" ||
		!near(col(hsRow, "p_calibrated_vs_ce"), tTwoSidedP(9, 1)) {
		t.Errorf("HS row %q, want raw mean 0.83 then calibrated N 2, mean 0.9175, Δ 0.0225, t 9, df 1", hsRow)
	}
	if col(ceRow, "runs_calibrated") != "2" || !near(col(ceRow, "mean_max_test_acc_calibrated"), 0.895) || col(ceRow, "t_calibrated_vs_ce") != "" {
		t.Errorf("CE row %q, want calibrated N 2, mean 0.895 and no t-test", ceRow)
	}

	var m bytes.Buffer
	if err := sum.Markdown(&m); err != nil {
		t.Fatal(err)
	}
	md := m.String()
	for _, want := range []string{
		"synthetic: maximum test accuracy over epochs, mean ± sd over 2 seeds; Δ = HS − CE",
		"| 128 | 0.8900 ± 0.0141 | 0.8300 ± 0.0283 | -0.0600 |",
		"\n\nsynthetic, calibrated: maximum test accuracy over epochs of argmax(logits + b), b the per-class logit offsets fitted on the training split at each epoch where the run measured it (every epoch, or every -calibrate-every epochs and the last), mean ± sd over 2 seeds; Δ = HS − CE",
		"| 128 | 0.8950 ± 0.0071 | 0.9175 ± 0.0035 | +0.0225 | 9.00 |",
		"| 1024 | — | failed (1) | — | — | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if i, j := strings.Index(md, "synthetic: "), strings.Index(md, "synthetic, calibrated: "); !(i >= 0 && i < j) {
		t.Errorf("summary.md: want the calibrated table after the raw one:\n%s", md)
	}
}

// Without calibrated accuracies the summaries are those of before
// calibration existed: no extra column, no second table.
func TestSummaryWithoutCalibration(t *testing.T) {
	sum := results.Summarize(sampleRuns(), []string{"ce", "hs"})
	for _, row := range sum.Rows {
		for _, l := range row.Losses {
			if l.Calibrated != nil {
				t.Errorf("%s at batch %d has calibrated stats %+v", l.Loss, row.Batch, l.Calibrated)
			}
		}
	}
	var c, m bytes.Buffer
	if err := sum.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := sum.Markdown(&m); err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(c.String(), "\n")
	if header != "dataset,batch,loss,runs,failed,mean_max_test_acc,sd_max_test_acc,mean_best_epoch,delta_vs_ce,t_vs_ce,df,p_vs_ce,note" {
		t.Errorf("summary.csv header %q", header)
	}
	if strings.Contains(m.String(), "calibrated") || strings.Count(m.String(), "| batch |") != 1 {
		t.Errorf("summary.md has calibrated content:\n%s", m.String())
	}
}

package results

import (
	"math"
	"testing"
)

// runWith is a completed one-epoch run with the given accuracies; a NaN
// calibrated accuracy means the run did not measure one.
func runWith(loss string, batch int, seed int64, acc, calibrated float64) RunResult {
	e := EpochStats{Epoch: 1, TestAcc: acc, TrainAcc: math.NaN()}
	if !math.IsNaN(calibrated) {
		e.Calibrated, e.TestAccCalibrated = true, calibrated
	}
	return RunResult{Spec: RunSpec{Dataset: "d", Loss: loss, Batch: batch, Seed: seed}, Epochs: []EpochStats{e}}
}

// The accuracy-vs-batch plot has one series per loss and, only for the
// losses whose runs measured it, one calibrated series with the means and
// sds of the calibrated maxima.
func TestBatchSeriesAddsCalibratedLines(t *testing.T) {
	nan := math.NaN()
	runs := []RunResult{
		runWith("ce", 128, 1, 0.90, 0.91), runWith("ce", 128, 2, 0.92, 0.93),
		runWith("hs", 128, 1, 0.80, 0.89), runWith("hs", 128, 2, 0.82, 0.91),
		runWith("ce", 1024, 1, 0.85, 0.86), runWith("ce", 1024, 2, 0.87, 0.88),
		runWith("hs", 1024, 1, 0.70, 0.87), runWith("hs", 1024, 2, 0.74, 0.89),
		runWith("mse", 128, 1, 0.5, nan), runWith("mse", 128, 2, 0.6, nan),
	}
	ticks, series := batchSeries(Summarize(runs, []string{"ce", "hs", "mse"}), "d")
	if len(ticks) != 2 || ticks[0].Label != "128" || ticks[1].Label != "1024" {
		t.Fatalf("ticks = %+v, want 128 and 1024", ticks)
	}
	want := map[string][]float64{ // label → mean at each batch size
		"CE": {0.91, 0.86}, "CE calibrated": {0.92, 0.87},
		"HS": {0.81, 0.72}, "HS calibrated": {0.90, 0.88},
		"MSE": {0.55},
	}
	if len(series) != len(want) {
		t.Fatalf("%d series, want %d: %+v", len(series), len(want), series)
	}
	for _, s := range series {
		means, ok := want[s.label()]
		if !ok || len(s.points.XYs) != len(means) {
			t.Fatalf("series %q with %d points, want %v", s.label(), len(s.points.XYs), means)
		}
		for i, m := range means {
			if got := s.points.XYs[i].Y; math.Abs(got-m) > 1e-12 {
				t.Errorf("%s point %d: mean %v, want %v", s.label(), i, got, m)
			}
			if got := s.points.XYs[i].X; got != math.Log2(float64([]int{128, 1024}[i])) {
				t.Errorf("%s point %d: x %v, want log2 of its batch size", s.label(), i, got)
			}
			if lo, hi := s.points.YError(i); lo != hi || lo <= 0 {
				t.Errorf("%s point %d: error bar (%v, %v), want ± a positive sd", s.label(), i, lo, hi)
			}
		}
	}
}

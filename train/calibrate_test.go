package train_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// withoutCalibration returns r's epochs with the calibrated accuracy and
// the wall time cleared.
func withoutCalibration(r results.RunResult) []results.EpochStats {
	var out []results.EpochStats
	for _, e := range r.Epochs {
		e.Calibrated, e.TestAccCalibrated, e.Seconds = false, 0, 0
		out = append(out, e)
	}
	return out
}

// Calibration touches no weight and no random stream: with it on, every
// other measurement is the one of the run without it, and every epoch has
// a calibrated accuracy, which on the separable blobs is well above chance
// for both losses.
func TestCalibrateLeavesTrainingUnchanged(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	for _, loss := range []string{"ce", "hs"} {
		t.Run(loss, func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Epochs = 4
			spec := results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 32, Seed: 2}
			off, err := train.Train(context.Background(), cfg, data, spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Calibrate = true
			on, err := train.Train(context.Background(), cfg, data, spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if on.Failed() || len(on.Epochs) != cfg.Epochs {
				t.Fatalf("calibrated run %+v, want %d completed epochs", on, cfg.Epochs)
			}
			if a, b := withoutCalibration(off), withoutCalibration(on); !reflect.DeepEqual(a, b) {
				t.Errorf("calibration changed the run:\noff %+v\non  %+v", a, b)
			}
			for _, e := range off.Epochs {
				if e.Calibrated {
					t.Errorf("run without Calibrate has a calibrated epoch %+v", e)
				}
			}
			for _, e := range on.Epochs {
				if !e.Calibrated || !(e.TestAccCalibrated >= 0 && e.TestAccCalibrated <= 1) {
					t.Errorf("epoch %+v: want a calibrated accuracy in [0, 1]", e)
				}
			}
			if acc, ep := on.BestCalibrated(); !(acc >= aboveChance) {
				t.Errorf("max calibrated test accuracy %v (epoch %d), want ≥ %v; epochs %+v", acc, ep, aboveChance, on.Epochs)
			}
		})
	}
}

// independentCalibratedAccuracy computes, with package nn alone, the raw
// and the calibrated test accuracy of the initial MLP of seed (the weights
// Train starts from): logits of both splits in one graph each, offsets
// fitted on the training logits.
func independentCalibratedAccuracy(t *testing.T, cfg results.Config, data *datasets.Dataset, seed int64, dt tensor.Dtype) (raw, cal float64) {
	t.Helper()
	arch, err := nn.NewMLP(data.Features, cfg.Hidden, data.Classes)
	if err != nil {
		t.Fatal(err)
	}
	params, err := arch.Init(dt, seed)
	if err != nil {
		t.Fatal(err)
	}
	logitsOf := func(s datasets.Split) []float64 {
		g := G.NewGraph()
		x := G.NewMatrix(g, dt, G.WithShape(s.Len(), data.Features), G.WithName("x"))
		nodes, err := nn.Bind(g, params)
		if err != nil {
			t.Fatal(err)
		}
		out, err := arch.Forward(x, nodes, false)
		if err != nil {
			t.Fatal(err)
		}
		xT := tensor.New(tensor.WithShape(s.Len(), data.Features), tensor.Of(dt))
		for i, v := range s.X {
			switch d := xT.Data().(type) {
			case []float32:
				d[i] = v
			case []float64:
				d[i] = float64(v)
			}
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := G.Let(x, xT); err != nil {
			t.Fatal(err)
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var z []float64
		switch d := out.Value().Data().(type) {
		case []float32:
			for _, v := range d {
				z = append(z, float64(v))
			}
		case []float64:
			z = append(z, d...)
		}
		return z
	}
	accuracy := func(pred, y []int) float64 {
		n := 0
		for i := range y {
			if pred[i] == y[i] {
				n++
			}
		}
		return float64(n) / float64(len(y))
	}
	zTrain, zTest := logitsOf(data.Train), logitsOf(data.Test)
	pred := make([]int, data.Test.Len())
	if err := nn.PredictWithOffsets(pred, zTest, make([]float64, data.Classes)); err != nil {
		t.Fatal(err)
	}
	raw = accuracy(pred, data.Test.Y)
	b := make([]float64, data.Classes)
	if err := nn.FitClassOffsets(b, zTrain, data.Train.Y); err != nil {
		t.Fatal(err)
	}
	if err := nn.PredictWithOffsets(pred, zTest, b); err != nil {
		t.Fatal(err)
	}
	return raw, accuracy(pred, data.Test.Y)
}

// With a learning rate so small that no weight changes, the trainer's
// calibrated accuracy is that of the initial model, which package nn
// computes here on its own (one graph per split, not the trainer's
// evaluation batches). The training labels are skewed towards class 2 so
// that the offsets matter.
func TestCalibratedAccuracyMatchesIndependentComputation(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	for i := range data.Train.Y {
		if i%3 == 0 {
			data.Train.Y[i] = 2
		}
	}
	for _, tc := range []struct {
		dtype  string
		sample int
	}{
		{"float32", 100},
		{"float64", 100},
		{"float32", 1000}, // the training-accuracy pass over the whole split gives the logits
	} {
		dtype := tc.dtype
		t.Run(fmt.Sprintf("%s/train_sample_%d", dtype, tc.sample), func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Dtype = dtype
			cfg.TrainSample = tc.sample
			cfg.Epochs = 1
			cfg.LR = 1e-30
			cfg.Calibrate = true
			cfg.EvalBatch = 96 // partial last batches on both splits
			spec := results.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 64, Seed: 5}
			res, err := train.Train(context.Background(), cfg, data, spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed() || len(res.Epochs) != 1 {
				t.Fatalf("run %+v, want one completed epoch", res)
			}
			dt := tensor.Float32
			if dtype == "float64" {
				dt = tensor.Float64
			}
			raw, cal := independentCalibratedAccuracy(t, cfg, data, spec.Seed, dt)
			e := res.Epochs[0]
			if e.TestAcc != raw {
				t.Fatalf("trainer's test accuracy %v, initial model's %v: not the same model", e.TestAcc, raw)
			}
			if !e.Calibrated || e.TestAccCalibrated != cal {
				t.Errorf("trainer's calibrated test accuracy %v (Calibrated %v), want %v (raw %v)", e.TestAccCalibrated, e.Calibrated, cal, raw)
			}
		})
	}
}

func TestCalibrateNeedsEveryTrainingClass(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	for i, y := range data.Train.Y {
		if y == 3 {
			data.Train.Y[i] = 0
		}
	}
	cfg := tinyConfig()
	cfg.Epochs = 1
	spec := results.RunSpec{Dataset: "synthetic", Loss: "ce", Batch: 64, Seed: 1}
	if _, err := train.Train(context.Background(), cfg, data, spec, nil); err != nil {
		t.Fatalf("without Calibrate: %v", err)
	}
	cfg.Calibrate = true
	_, err := train.Train(context.Background(), cfg, data, spec, nil)
	if err == nil || !strings.Contains(err.Error(), "calibrate: class 3 has no sample in the 512 training samples") {
		t.Errorf("err = %v, want the missing class named", err)
	}
	// A sweep refuses before it records anything.
	dir := t.TempDir()
	load := func(string) (*datasets.Dataset, error) { return data, nil }
	_, err = train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: load})
	if err == nil || !strings.Contains(err.Error(), "calibrate: class 3 has no sample") {
		t.Errorf("sweep: err = %v, want the missing class named", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a sweep that cannot start wrote %v", entries)
	}
}

// calibrateConfig is a small sweep with calibration on.
func calibrateConfig() results.Config {
	cfg := tinyConfig()
	cfg.BatchSizes = []int{64}
	cfg.Epochs = 2
	cfg.Calibrate = true
	return cfg
}

// A folder holds runs of one Calibrate setting: resuming it with the other
// is refused, naming the field. config.json says calibrate only when it is
// on, so a folder made without it is as before the field existed.
func TestCalibrateFolderCompatibility(t *testing.T) {
	on := calibrateConfig()
	on.Losses, on.Seeds, on.Epochs = []string{"ce"}, 1, 1
	off := on
	off.Calibrate = false
	other := on
	other.Epochs, other.LR, other.Hidden = 2, 1e-3, []int{8, 8}
	for _, tc := range []struct {
		name        string
		made, again results.Config
		want        string
	}{
		{"off then on", off, on, "calibrate false vs true"},
		{"on then off", on, off, "calibrate true vs false"},
		{"three other settings", on, other, "epochs 1 vs 2; hidden [16] vs [8 8]; lr 0.01 vs 0.001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := train.Sweep(context.Background(), tc.made, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(dir, results.ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(string(b), `"calibrate": true`); has != tc.made.Calibrate || strings.Contains(string(b), `"calibrate": false`) {
				t.Errorf("config.json of a sweep with Calibrate %v:\n%s", tc.made.Calibrate, b)
			}
			_, err = train.Sweep(context.Background(), tc.again, train.SweepOptions{Dir: dir, Load: loadBlobs})
			if err == nil || !strings.Contains(err.Error(), "another configuration ("+tc.want+")") {
				t.Errorf("err = %v, want a refusal naming %q", err, tc.want)
			}
			// The same setting resumes (nothing left to train).
			if _, err := train.Sweep(context.Background(), tc.made, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
				t.Errorf("resuming with the same setting: %v", err)
			}
		})
	}
}

// An interrupted calibrated sweep resumes to the same runs.csv and
// summaries as an uninterrupted one; summary.md then has the calibrated
// table and summary.csv its columns.
func TestResumedCalibratedSweepEqualsUninterrupted(t *testing.T) {
	cfg := calibrateConfig()
	full := resumeAndCompare(t, cfg, 2, func(e train.Event) bool { return e.Kind == train.RunDone && e.Run == 2 })
	for _, r := range readRuns(t, full) {
		if acc, _ := r.BestCalibrated(); math.IsNaN(acc) {
			t.Errorf("run %s has no calibrated accuracy: %+v", r.Spec, r.Epochs)
		}
	}
	md := readFile(t, full, results.SummaryMDFile)
	if !strings.Contains(md, "synthetic, calibrated: maximum test accuracy") || strings.Count(md, "| batch | CE | HS | Δ | t | p |") != 2 {
		t.Errorf("summary.md lacks the calibrated table:\n%s", md)
	}
	if csv := readFile(t, full, results.SummaryCSVFile); !strings.Contains(csv, ",mean_max_test_acc_calibrated,") {
		t.Errorf("summary.csv lacks the calibrated columns:\n%s", csv)
	}
}

// A folder written before test_acc_calibrated existed resumes: its runs are
// read, the missing ones trained, and the result is the uninterrupted
// sweep's, written with the new column (empty).
func TestResumeFromLegacyRunsCSV(t *testing.T) {
	cfg := calibrateConfig()
	cfg.Calibrate = false
	full := t.TempDir()
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: full, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	// The legacy folder: config.json (no calibrate key) and the first run's
	// rows of runs.csv without the last column.
	old := t.TempDir()
	for _, name := range []string{results.ConfigFile, results.RunsFile} {
		b, err := os.ReadFile(filepath.Join(full, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == results.RunsFile {
			lines := strings.SplitAfter(string(b), "\n")
			var kept strings.Builder
			header, ok := strings.CutSuffix(lines[0], ",test_acc_calibrated\n")
			if !ok {
				t.Fatalf("runs.csv header %q", lines[0])
			}
			kept.WriteString(header + "\n")
			for _, l := range lines[1 : 1+cfg.Epochs] {
				cut, ok := strings.CutSuffix(l, ",\n")
				if !ok {
					t.Fatalf("runs.csv line %q does not end in an empty test_acc_calibrated", l)
				}
				kept.WriteString(cut + "\n")
			}
			b = []byte(kept.String())
			if !strings.HasPrefix(kept.String(), "dataset,loss,batch,seed,epoch,train_loss,train_acc,test_acc,seconds,status,error\n") {
				t.Fatalf("legacy runs.csv:\n%s", b)
			}
		}
		if err := os.WriteFile(filepath.Join(old, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := readRuns(t, old); len(got) != 1 {
		t.Fatalf("legacy runs.csv holds %d runs, want 1", len(got))
	}
	trained := 0
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: old, Load: loadBlobs, Observe: func(e train.Event) {
		if e.Kind == train.RunStarted {
			trained++
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if want := len(cfg.Grid()) - 1; trained != want {
		t.Errorf("resumed %d runs, want %d", trained, want)
	}
	if a, b := readRuns(t, full), readRuns(t, old); !reflect.DeepEqual(a, b) {
		t.Errorf("resumed legacy folder differs from the uninterrupted sweep:\n%+v\n%+v", b, a)
	}
	sameSummaries(t, full, old)
	for _, name := range []string{results.SummaryMDFile, results.SummaryCSVFile} {
		if s := readFile(t, old, name); strings.Contains(s, "calibrated") {
			t.Errorf("%s of a legacy folder has calibrated statistics:\n%s", name, s)
		}
	}
}

// Merge compares runs found in two folders by their runs.csv rows, so NaN
// (no training sample) equals NaN.
func TestMergeSameRunWithNaN(t *testing.T) {
	cfg := calibrateConfig()
	cfg.TrainSample = 0
	dir := t.TempDir()
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	if runs := readRuns(t, dir); !math.IsNaN(runs[0].Epochs[0].TrainAcc) {
		t.Fatalf("training accuracy %v without a sample, want NaN", runs[0].Epochs[0].TrainAcc)
	}
	out := filepath.Join(t.TempDir(), "m")
	if _, err := results.Merge(out, []string{dir, dir}); err != nil {
		t.Fatalf("merging a folder with itself: %v", err)
	}
	if a, b := readRuns(t, dir), readRuns(t, out); len(a) != len(b) {
		t.Errorf("merged %d runs, want %d", len(b), len(a))
	}
}

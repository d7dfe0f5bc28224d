package train_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// trainRun trains spec under cfg on data and returns the epochs with their
// wall times zeroed, failing the test on an error or a failed run.
func trainRun(t *testing.T, cfg results.Config, data *datasets.Dataset, spec results.RunSpec) []results.EpochStats {
	t.Helper()
	res, err := train.Train(context.Background(), cfg, data, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed() {
		t.Fatalf("run failed in epoch %d: %s", res.FailedEpoch, res.Failure)
	}
	for i := range res.Epochs {
		res.Epochs[i].Seconds = 0
	}
	return res.Epochs
}

func TestKeepLastTrainsTheLastBatch(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	for _, dtype := range results.Dtypes {
		for _, loss := range []string{"ce", "hs", "hs-ref"} {
			t.Run(dtype+"/"+loss, func(t *testing.T) {
				cfg := tinyConfig()
				cfg.Dtype = dtype
				spec := results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 96, Seed: 2} // 5 × 96 + 32
				dropped := trainRun(t, cfg, data, spec)
				cfg.KeepLast = true
				kept := trainRun(t, cfg, data, spec)
				if reflect.DeepEqual(dropped, kept) {
					t.Error("keeping the last batch of 32 changed nothing")
				}
				spec.Batch = 128 // 512 = 4 × 128: no last batch, nothing to keep
				cfg.KeepLast = false
				whole := trainRun(t, cfg, data, spec)
				cfg.KeepLast = true
				if got := trainRun(t, cfg, data, spec); !reflect.DeepEqual(got, whole) {
					t.Errorf("no last batch, yet KeepLast changed the run:\n got %+v\nwant %+v", got, whole)
				}
			})
		}
	}
}

// TestKeepLastSingleSample trains with a last batch of one sample, where
// the reference code's k = ⌊1/2⌋ = 0.
func TestKeepLastSingleSample(t *testing.T) {
	data := blobs(4, 8, 513, 250, 7)
	cfg := tinyConfig()
	cfg.KeepLast = true
	for _, loss := range nn.HeadNames() {
		trainRun(t, cfg, data, results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 128, Seed: 1})
	}
}

// imageBlobs is the blobs dataset presented as 1×4×4 Fashion-MNIST images,
// so that Config.Augment applies.
func imageBlobs() *datasets.Dataset {
	d := blobs(4, 16, 512, 250, 7)
	d.Name, d.Shape = "fashion-mnist", [3]int{1, 4, 4}
	return d
}

func TestAugmentTrainsOnAugmentedBatchesOnly(t *testing.T) {
	data := imageBlobs()
	train0, test0 := slices.Clone(data.Train.X), slices.Clone(data.Test.X)
	cfg := tinyConfig()
	cfg.Datasets = []string{"fashion-mnist"}
	spec := results.RunSpec{Dataset: "fashion-mnist", Loss: "hs", Batch: 64, Seed: 4}
	plain := trainRun(t, cfg, data, spec)
	cfg.Augment = true
	augmented := trainRun(t, cfg, data, spec)
	if !slices.Equal(data.Train.X, train0) || !slices.Equal(data.Test.X, test0) {
		t.Fatal("augmentation changed the dataset's splits; it must only touch the batch copies")
	}
	if reflect.DeepEqual(plain, augmented) {
		t.Error("augmentation changed nothing")
	}
	if again := trainRun(t, cfg, data, spec); !reflect.DeepEqual(again, augmented) {
		t.Error("the same seed gave another augmented run")
	}
}

func TestCalibrateEvery(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	cfg := tinyConfig()
	cfg.Epochs, cfg.Calibrate, cfg.CalibrateEvery = 5, true, 2
	epochs := trainRun(t, cfg, data, results.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 64, Seed: 1})
	var got []int
	for _, e := range epochs {
		if e.Calibrated {
			got = append(got, e.Epoch)
		}
	}
	if want := []int{2, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("calibrated after epochs %v, want %v", got, want)
	}
}

func TestReferenceOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		mod   func(*results.Config)
		field string
	}{
		{"augment synthetic", func(c *results.Config) { c.Augment = true }, "augment"},
		{"calibrate_every negative", func(c *results.Config) { c.Calibrate, c.CalibrateEvery = true, -1 }, "calibrate_every"},
		{"calibrate_every without calibrate", func(c *results.Config) { c.CalibrateEvery = 10 }, "calibrate_every"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig()
			tc.mod(&cfg)
			var fe *results.FieldError
			if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("Validate() = %v, want a FieldError on %s", err, tc.field)
			}
		})
	}
}

// TestCalibrateEveryResumes: a folder whose runs measured the calibrated
// accuracy after some epochs only is read back (the sweep resumes it, its
// runs.csv round-trips) with the measured epochs as they were.
func TestCalibrateEveryResumes(t *testing.T) {
	cfg := tinyConfig()
	cfg.Losses, cfg.BatchSizes, cfg.Seeds = []string{"ce", "hs"}, []int{128}, 1
	cfg.Epochs, cfg.Calibrate, cfg.CalibrateEvery = 5, true, 2
	dir := t.TempDir()
	first, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Seeds = 2 // widen the grid: the rerun reads the first runs back
	if _, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
		t.Fatalf("resuming a folder calibrated every 2 epochs: %v", err)
	}
	f, err := results.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, e := range f.Runs[0].Epochs {
		if e.Calibrated {
			got = append(got, e.Epoch)
		}
	}
	if want := []int{2, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("runs.csv read back with calibrated epochs %v, want %v", got, want)
	}
	if len(first.Rows) != 1 || first.Rows[0].Losses[0].Calibrated == nil {
		t.Errorf("first summary %+v lacks the calibrated statistics", first)
	}
}

// TestOffsetLR: with hs-offset, OffsetLR changes the run (the offsets
// learn at their own rate); with another head it changes nothing.
func TestOffsetLR(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	cfg := tinyConfig()
	for _, tc := range []struct {
		loss    string
		changes bool
	}{{"hs-offset", true}, {"hs", false}, {"ce", false}} {
		spec := results.RunSpec{Dataset: "synthetic", Loss: tc.loss, Batch: 128, Seed: 1}
		cfg.OffsetLR = 0
		base := trainRun(t, cfg, data, spec)
		cfg.OffsetLR = 0.1
		if got := trainRun(t, cfg, data, spec); reflect.DeepEqual(got, base) == tc.changes {
			t.Errorf("%s: OffsetLR changed the run: %v, want %v", tc.loss, !reflect.DeepEqual(got, base), tc.changes)
		}
	}
	cfg.OffsetLR = -1
	var fe *results.FieldError
	if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != "offset_lr" {
		t.Errorf("OffsetLR −1: %v, want a FieldError on offset_lr", err)
	}
}

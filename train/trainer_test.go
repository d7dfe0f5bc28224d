package train_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// aboveChance is the test accuracy every head must reach on the blobs
// (chance is 0.25 with four classes).
const aboveChance = 0.8

func TestEveryHeadLearnsSeparableData(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	for _, loss := range nn.HeadNames() {
		t.Run(loss, func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Epochs = 5
			spec := results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 32, Seed: 1}
			res, err := train.Train(context.Background(), cfg, data, spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed() {
				t.Fatalf("run failed: %s", res.Failure)
			}
			if len(res.Epochs) != cfg.Epochs {
				t.Fatalf("%d epochs recorded, want %d", len(res.Epochs), cfg.Epochs)
			}
			if acc, ep := res.Best(); acc < aboveChance {
				t.Errorf("max test accuracy %.3f (epoch %d), want ≥ %.2f; epochs %+v", acc, ep, aboveChance, res.Epochs)
			}
			last := res.Epochs[len(res.Epochs)-1]
			if last.TrainAcc < aboveChance || last.TrainLoss >= res.Epochs[0].TrainLoss {
				t.Errorf("last epoch %+v: want training accuracy ≥ %.2f and a loss below the first epoch's %v", last, aboveChance, res.Epochs[0].TrainLoss)
			}
		})
	}
}

func TestSameSeedSameResult(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	cfg := tinyConfig()
	for _, dtype := range results.Dtypes {
		for _, loss := range nn.HeadNames() {
			t.Run(dtype+"/"+loss, func(t *testing.T) {
				cfg.Dtype = dtype
				spec := results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 64, Seed: 3}
				var got []results.RunResult
				for i := 0; i < 2; i++ {
					r, err := train.Train(context.Background(), cfg, data, spec, nil)
					if err != nil {
						t.Fatal(err)
					}
					for j := range r.Epochs {
						r.Epochs[j].Seconds = 0
					}
					got = append(got, r)
				}
				if got[0].Failed() || len(got[0].Epochs) != cfg.Epochs {
					t.Fatalf("run %+v, want %d completed epochs", got[0], cfg.Epochs)
				}
				if !reflect.DeepEqual(got[0], got[1]) {
					t.Errorf("same seed, different results:\n%+v\n%+v", got[0], got[1])
				}
				spec.Seed = 4
				other, err := train.Train(context.Background(), cfg, data, spec, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(other.Epochs) == 0 || other.Epochs[0].TrainLoss == got[0].Epochs[0].TrainLoss {
					t.Errorf("seeds 3 and 4 give the same first-epoch loss %v", other.Epochs[0].TrainLoss)
				}
			})
		}
	}
}

// Runs with the same seed start from the same weights whatever the loss:
// with a learning rate so small that no weight changes in float32, every
// loss gives the test accuracy of the shared initial model.
func TestSameSeedSameInitialisationForEveryLoss(t *testing.T) {
	data := blobs(4, 8, 512, 250, 7)
	cfg := tinyConfig()
	cfg.Epochs = 1
	cfg.LR = 1e-30
	var accs []float64
	for _, loss := range nn.HeadNames() {
		r, err := train.Train(context.Background(), cfg, data, results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: 64, Seed: 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, r.Epochs[0].TestAcc)
	}
	for i, a := range accs {
		if a != accs[0] {
			t.Errorf("loss %s starts at test accuracy %v, loss %s at %v", nn.HeadNames()[i], a, nn.HeadNames()[0], accs[0])
		}
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	spec := results.RunSpec{Dataset: "synthetic", Loss: "ce", Batch: 32, Seed: 1}
	tests := []struct {
		name string
		edit func(d *datasets.Dataset, s *results.RunSpec) *datasets.Dataset
		want string
	}{
		{"nil data", func(*datasets.Dataset, *results.RunSpec) *datasets.Dataset { return nil }, "no dataset"},
		{"zero batch", func(d *datasets.Dataset, s *results.RunSpec) *datasets.Dataset { s.Batch = 0; return d }, "batch size 0 < 1"},
		{"negative batch", func(d *datasets.Dataset, s *results.RunSpec) *datasets.Dataset { s.Batch = -5; return d }, "batch size -5 < 1"},
		{"oversized batch", func(d *datasets.Dataset, s *results.RunSpec) *datasets.Dataset { s.Batch = 513; return d }, "exceeds the 512 training samples"},
		{"unknown loss", func(d *datasets.Dataset, s *results.RunSpec) *datasets.Dataset { s.Loss = "zero-one"; return d }, `unknown head "zero-one"`},
		{"one class", func(d *datasets.Dataset, _ *results.RunSpec) *datasets.Dataset { d.Classes = 1; return d }, "1 classes, want ≥ 2"},
		{"label too large", func(d *datasets.Dataset, _ *results.RunSpec) *datasets.Dataset { d.Train.Y[7] = 4; return d }, "training label 7 is 4, outside [0, 4)"},
		{"negative label", func(d *datasets.Dataset, _ *results.RunSpec) *datasets.Dataset { d.Test.Y[3] = -1; return d }, "test label 3 is -1"},
		{"short rows", func(d *datasets.Dataset, _ *results.RunSpec) *datasets.Dataset {
			d.Train.X = d.Train.X[:len(d.Train.X)-1]
			return d
		}, "training split has 4095 values for 512 labels × 8 features"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := spec
			data := tc.edit(blobs(4, 8, 512, 250, 7), &s)
			_, err := train.Train(context.Background(), tinyConfig(), data, s, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

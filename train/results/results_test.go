package results_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

// sampleRuns returns hand-made results: two seeds of CE and HS at batch 128
// and one failed HS run at batch 1024.
func sampleRuns() []results.RunResult {
	run := func(loss string, batch int, seed int64, accs ...float64) results.RunResult {
		r := results.RunResult{Spec: results.RunSpec{Dataset: "synthetic", Loss: loss, Batch: batch, Seed: seed}}
		for i, a := range accs {
			r.Epochs = append(r.Epochs, results.EpochStats{Epoch: i + 1, TrainLoss: 1 / float64(i+1), TrainAcc: a - 0.01, TestAcc: a, Seconds: 0.25})
		}
		return r
	}
	failed := run("hs", 1024, 1, 0.5)
	failed.Failure, failed.FailedEpoch = "training loss is NaN", 2
	return []results.RunResult{
		run("ce", 128, 1, 0.80, 0.90, 0.85),
		run("hs", 128, 1, 0.85, 0.92),
		run("ce", 128, 2, 0.70, 0.88),
		run("hs", 128, 2, 0.91, 0.89),
		failed,
	}
}

func TestRunsRoundTrip(t *testing.T) {
	runs := sampleRuns()
	runs[0].Epochs[0].TrainAcc = math.NaN() // no training sample
	var buf bytes.Buffer
	if err := results.WriteRuns(&buf, runs); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != 1+3+2+2+2+1+1 {
		t.Errorf("runs.csv has %d lines, want header + one per epoch + one per failure = 12:\n%s", lines, buf.String())
	}
	got, err := results.ReadRuns(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(got[0].Epochs[0].TrainAcc) {
		t.Errorf("NaN train accuracy read back as %v", got[0].Epochs[0].TrainAcc)
	}
	got[0].Epochs[0].TrainAcc, runs[0].Epochs[0].TrainAcc = 0, 0
	if !reflect.DeepEqual(got, runs) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, runs)
	}
}

func TestReadRunsRejectsBadFiles(t *testing.T) {
	legacy := "dataset,loss,batch,seed,epoch,train_loss,train_acc,test_acc,seconds,status,error\n"
	header := strings.TrimSuffix(legacy, "\n") + ",test_acc_calibrated\n"
	type badFile struct{ name, in, want string }
	tests := []badFile{
		{"empty", "", "empty file"},
		{"header", "a,b\n", `header ["a" "b"]`},
		{"header names", strings.Replace(header, "seed", "seeds", 1), "header"},
		{"legacy header names", strings.Replace(legacy, "seed", "seeds", 1), "header"},
		// The calibrated column.
		{"calibrated number", header + "synthetic,ce,128,1,1,0.5,0.9,0.9,1,ok,,high\n", `test_acc_calibrated "high"`},
		{"legacy row", header + "synthetic,ce,128,1,1,0.5,0.9,0.9,1,ok,\n", "wrong number of fields"},
		{"long legacy row", legacy + "synthetic,ce,128,1,1,0.5,0.9,0.9,1,ok,,0.9\n", "wrong number of fields"},
	}
	// Bad rows, written in the legacy format; each is also checked in the
	// current one, with an empty test_acc_calibrated.
	for _, tc := range []badFile{
		{"short row", "synthetic,ce,128,1,1,0.5\n", "wrong number of fields"},
		{"batch", "synthetic,ce,0,1,1,0.5,0.9,0.9,1,ok,\n", `batch "0"`},
		{"epoch gap", "synthetic,ce,128,1,2,0.5,0.9,0.9,1,ok,\n", "epoch 2 follows epoch 0"},
		{"number", "synthetic,ce,128,1,1,x,0.9,0.9,1,ok,\n", `train_loss "x"`},
		{"status", "synthetic,ce,128,1,1,0.5,0.9,0.9,1,maybe,\n", `status "maybe"`},
		{"bare quote", "synth\"etic,ce,128,1,1,0.5,0.9,0.9,1,ok,\n", "bare \" in non-quoted-field"},
		{"unterminated quote", "\"synthetic,ce,128,1,1,0.5,0.9,0.9,1,ok,\n", "extraneous or missing \" in quoted-field"},
		{"failure without message", "synthetic,ce,128,1,1,,,,,failed,\n", "without an error message"},
	} {
		tests = append(tests,
			badFile{tc.name + " (legacy)", legacy + tc.in, tc.want},
			badFile{tc.name, header + strings.ReplaceAll(tc.in, "\n", ",\n"), tc.want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := results.ReadRuns(strings.NewReader(tc.in))
			if !errors.Is(err, results.ErrBadRuns) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrBadRuns containing %q", err, tc.want)
			}
		})
	}
}

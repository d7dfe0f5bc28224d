package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/cmd/train/internal/cli"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// events is a shard of two runs of two epochs: the first already done, the
// second trained.
func events() []train.Event {
	spec := results.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 64, Seed: 2}
	done := results.RunResult{Spec: spec, Epochs: []results.EpochStats{{Epoch: 1, TestAcc: 0.5, Seconds: 1}, {Epoch: 2, TestAcc: 0.875, Seconds: 2}}}
	ev := func(k train.EventKind, run int) train.Event {
		return train.Event{Kind: k, Spec: spec, Run: run, Runs: 2, Epochs: 2}
	}
	e1, e2, fin := ev(train.EpochDone, 2), ev(train.EpochDone, 2), ev(train.RunDone, 2)
	e1.Epoch, e2.Epoch, fin.Result = done.Epochs[0], done.Epochs[1], done
	return []train.Event{ev(train.RunSkipped, 1), ev(train.RunStarted, 2), e1, e2, fin}
}

func TestProgressBar(t *testing.T) {
	var w bytes.Buffer
	p := cli.NewProgress(&w, false)
	for _, e := range events() {
		p.Observe(e)
	}
	out := w.String()
	// The bar ends full (4 of 4 epochs: 2 skipped, 2 trained) with the last
	// run's accuracy in its description.
	for _, want := range []string{"run 2/2 hs b64 s2 epoch 2/2 test acc 0.8750", "100%", "(4/4"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%q", want, out)
		}
	}
}

func TestProgressQuiet(t *testing.T) {
	var w bytes.Buffer
	p := cli.NewProgress(&w, true)
	for _, e := range events() {
		p.Observe(e)
	}
	want := "run 1/2 synthetic hs batch 64 seed 2: already in runs.csv\n" +
		"run 2/2 synthetic hs batch 64 seed 2: max test accuracy 0.8750 (epoch 2), 3.0 s\n"
	if w.String() != want {
		t.Errorf("quiet output\n%q\nwant\n%q", w.String(), want)
	}
}

// With calibration the log line and the bar also give the calibrated
// accuracy.
func TestProgressCalibrated(t *testing.T) {
	evs := events()
	for i := range evs {
		for j := range evs[i].Result.Epochs {
			evs[i].Result.Epochs[j].Calibrated, evs[i].Result.Epochs[j].TestAccCalibrated = true, 0.9-0.1*float64(j)
		}
		if evs[i].Kind == train.EpochDone {
			evs[i].Epoch.Calibrated, evs[i].Epoch.TestAccCalibrated = true, 0.9375
		}
	}
	var q bytes.Buffer
	p := cli.NewProgress(&q, true)
	for _, e := range evs {
		p.Observe(e)
	}
	if want := "run 2/2 synthetic hs batch 64 seed 2: max test accuracy 0.8750 (epoch 2), calibrated 0.9000 (epoch 1), 3.0 s\n"; !strings.HasSuffix(q.String(), want) {
		t.Errorf("quiet output\n%q\nwant it to end in\n%q", q.String(), want)
	}
	var b bytes.Buffer
	p = cli.NewProgress(&b, false)
	for _, e := range evs {
		p.Observe(e)
	}
	if want := "epoch 2/2 test acc 0.8750 calibrated 0.9375"; !strings.Contains(b.String(), want) {
		t.Errorf("progress output lacks %q:\n%q", want, b.String())
	}
}

package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/cmd/train/internal/cli"
	"github.com/hypersimplex/hsloss/train"
)

// events is a shard of two runs of two epochs: the first already done, the
// second trained.
func events() []train.Event {
	spec := train.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 64, Seed: 2}
	done := train.RunResult{Spec: spec, Epochs: []train.EpochStats{{Epoch: 1, TestAcc: 0.5, Seconds: 1}, {Epoch: 2, TestAcc: 0.875, Seconds: 2}}}
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

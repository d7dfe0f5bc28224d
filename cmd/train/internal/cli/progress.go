package cli

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
	"github.com/schollz/progressbar/v3"
)

// Progress shows a sweep's progress: a bar over all epochs of the shard with
// the current run, its latest test accuracy and an ETA, or, when quiet, one
// plain line per finished run (for logs).
type Progress struct {
	w     io.Writer
	quiet bool
	bar   *progressbar.ProgressBar
}

// NewProgress writes to w.
func NewProgress(w io.Writer, quiet bool) *Progress { return &Progress{w: w, quiet: quiet} }

// Observe is a train.SweepOptions.Observe.
func (p *Progress) Observe(e train.Event) {
	if p.quiet {
		p.log(e)
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(e.Runs*e.Epochs,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("starting"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetItsString("epochs"),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	run := fmt.Sprintf("run %d/%d %s b%d s%d", e.Run, e.Runs, e.Spec.Loss, e.Spec.Batch, e.Spec.Seed)
	switch e.Kind {
	case train.RunSkipped:
		p.bar.Describe(run + " already done")
		p.bar.Add(e.Epochs)
	case train.RunStarted:
		p.bar.Describe(run)
	case train.EpochDone:
		desc := fmt.Sprintf("%s epoch %d/%d test acc %.4f", run, e.Epoch.Epoch, e.Epochs, e.Epoch.TestAcc)
		if e.Epoch.Calibrated {
			desc += fmt.Sprintf(" calibrated %.4f", e.Epoch.TestAccCalibrated)
		}
		p.bar.Describe(desc)
		p.bar.Add(1)
	case train.RunDone:
		if rest := e.Epochs - len(e.Result.Epochs); rest > 0 { // a failed run's missing epochs
			p.bar.Add(rest)
		}
	}
}

func (p *Progress) log(e train.Event) {
	switch e.Kind {
	case train.RunSkipped:
		fmt.Fprintf(p.w, "run %d/%d %s: already in runs.csv\n", e.Run, e.Runs, e.Spec)
	case train.RunDone:
		r := e.Result
		secs := 0.0
		for _, ep := range r.Epochs {
			secs += ep.Seconds
		}
		if r.Failed() {
			fmt.Fprintf(p.w, "run %d/%d %s: FAILED in epoch %d: %s\n", e.Run, e.Runs, e.Spec, r.FailedEpoch, r.Failure)
			return
		}
		acc, ep := r.Best()
		cal := ""
		if slices.ContainsFunc(r.Epochs, func(e results.EpochStats) bool { return e.Calibrated }) {
			cacc, cep := r.BestCalibrated()
			cal = fmt.Sprintf(", calibrated %.4f (epoch %d)", cacc, cep)
		}
		fmt.Fprintf(p.w, "run %d/%d %s: max test accuracy %.4f (epoch %d)%s, %.1f s\n", e.Run, e.Runs, e.Spec, acc, ep, cal, secs)
	}
}

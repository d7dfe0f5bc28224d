package results_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/train/results"
)

func TestSummarize(t *testing.T) {
	sum := results.Summarize(sampleRuns(), []string{"ce", "hs"})
	if len(sum.Rows) != 2 {
		t.Fatalf("%d rows, want 2 (batch 128 and 1024)", len(sum.Rows))
	}
	r := sum.Rows[0]
	if r.Batch != 128 || len(r.Losses) != 2 || r.Losses[0].Loss != "ce" || r.Losses[1].Loss != "hs" {
		t.Fatalf("first row %+v, want batch 128 with ce then hs", r)
	}
	// Maximum test accuracies: CE 0.90 (epoch 2), 0.88 (epoch 2);
	// HS 0.92 (epoch 2), 0.91 (epoch 1).
	ce, hs := r.Losses[0], r.Losses[1]
	const tol = 1e-12
	if math.Abs(ce.Mean-0.89) > tol || math.Abs(ce.SD-math.Sqrt(0.0002)) > tol || ce.MeanBestEpoch != 2 {
		t.Errorf("CE stats %+v, want mean 0.89, sd √0.0002, best epoch 2", ce)
	}
	if math.Abs(hs.Mean-0.915) > tol || math.Abs(hs.SD-math.Sqrt(0.00005)) > tol || hs.MeanBestEpoch != 1.5 {
		t.Errorf("HS stats %+v, want mean 0.915, sd √0.00005, best epoch 1.5", hs)
	}
	if ce.VsBaseline != nil {
		t.Errorf("CE tested against itself: %+v", ce.VsBaseline)
	}
	// Differences 0.02 and 0.03: mean 0.025, sd √0.00005, t = 0.025/(sd/√2) = 5,
	// df 1: p = 1 − (2/π)·atan 5.
	tt := hs.VsBaseline
	if tt == nil {
		t.Fatal("no t-test for HS")
	}
	if math.Abs(tt.MeanDiff-0.025) > 1e-9 || math.Abs(tt.T-5) > 1e-9 || math.Abs(tt.P-tTwoSidedP(5, 1)) > 1e-9 {
		t.Errorf("HS vs CE %+v, want Δ 0.025, t 5, p %v", tt, tTwoSidedP(5, 1))
	}
	r = sum.Rows[1]
	if len(r.Losses) != 1 || r.Losses[0].N != 0 || r.Losses[0].Failed != 1 {
		t.Errorf("batch 1024 row %+v, want one HS entry with 0 completed and 1 failed run", r)
	}
	if len(sum.Failures) != 1 {
		t.Errorf("%d failures, want 1", len(sum.Failures))
	}
}

func TestSummaryMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := results.Summarize(sampleRuns(), []string{"ce", "hs"}).Markdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| batch | CE | HS | Δ | t | p |",
		"| 128 | 0.8900 ± 0.0141 | 0.9150 ± 0.0071 | +0.0250 | 5.00 | 0.126 |",
		"| 1024 | — | failed (1) | — | — | — |",
		"- synthetic/hs/b1024/s1: epoch 2: training loss is NaN",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	var c bytes.Buffer
	if err := results.Summarize(sampleRuns(), nil).WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.String(), "synthetic,128,hs,2,0,0.915,") || strings.Count(c.String(), "\n") != 4 {
		t.Errorf("summary.csv:\n%s", c.String())
	}
}

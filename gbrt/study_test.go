package gbrt_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
)

// linearBooster is a stand-in for XGBoost in the tests: a linear model
// b + w·x whose rounds take the step −eta·Σg·x/(Σh + 1) (the leaf value of
// a single leaf), with the L2 loss (margin − label) for its own objective.
type linearBooster struct {
	sets  [3]*gbrt.Dataset
	w     []float64
	b     float64
	eta   float64
	fails bool // Boost returns an error
}

func newLinear(tr, va, te *gbrt.Dataset) *linearBooster {
	return &linearBooster{sets: [3]*gbrt.Dataset{tr, va, te}, w: make([]float64, tr.Cols), eta: 0.5}
}

func (l *linearBooster) Margins(s gbrt.Set) ([]float32, error) {
	d := l.sets[s]
	m := make([]float32, d.Rows)
	for i := range m {
		v := l.b
		for j, x := range d.X[i*d.Cols : (i+1)*d.Cols] {
			v += l.w[j] * float64(x)
		}
		m[i] = float32(v)
	}
	return m, nil
}

func (l *linearBooster) Boost(_ int, grad, hess []float32) error {
	if l.fails {
		return errors.New("boom")
	}
	d := l.sets[gbrt.Train]
	if grad == nil {
		m, _ := l.Margins(gbrt.Train)
		grad, hess = make([]float32, d.Rows), make([]float32, d.Rows)
		for i := range m {
			grad[i], hess[i] = m[i]-d.Y[i], 1
		}
	}
	var H float64
	for _, h := range hess {
		H += float64(h)
	}
	gw := make([]float64, d.Cols)
	var gb float64
	for i, g := range grad {
		gb += float64(g)
		for j, x := range d.X[i*d.Cols : (i+1)*d.Cols] {
			gw[j] += float64(g) * float64(x)
		}
	}
	l.b -= l.eta * gb / (H + 1)
	for j := range l.w {
		l.w[j] -= l.eta * gw[j] / (H + 1)
	}
	return nil
}

func linearFactory(_ gbrt.Objective, _ int64, tr, va, te *gbrt.Dataset) (gbrt.Booster, func(), error) {
	return newLinear(tr, va, te), func() {}, nil
}

func TestFitEarlyStopping(t *testing.T) {
	d, err := gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 600, Features: 2, Rate: 0.3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, va, te, err := d.Split(1, 0.2, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"l2", "hs-gn"} {
		obj, _ := gbrt.ParseObjective(name, 0.001)
		res, err := gbrt.Fit(context.Background(), newLinear(tr, va, te), obj, tr.Y, va.Y, gbrt.FitConfig{Rounds: 200, Patience: 5})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rounds-res.BestRounds > 5 || res.BestRounds < 1 || len(res.TestMargin) != te.Rows {
			t.Errorf("%s: best %d of %d rounds, %d test margins", name, res.BestRounds, res.Rounds, len(res.TestMargin))
		}
		if auc, _ := gbrt.AUC(res.TestMargin, te.Y); auc < 0.8 { // x₀ dominates the synthetic score
			t.Errorf("%s: test AUC %v of a linear model, want ≥ 0.8", name, auc)
		}
	}
	obj, _ := gbrt.ParseObjective("hs-ones", 0.001)
	failing := newLinear(tr, va, te)
	failing.fails = true
	if _, err := gbrt.Fit(context.Background(), failing, obj, tr.Y, va.Y, gbrt.FitConfig{Rounds: 3, Patience: 1}); err == nil || !strings.Contains(err.Error(), "round 0: boom") {
		t.Errorf("a failing booster: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gbrt.Fit(ctx, newLinear(tr, va, te), obj, tr.Y, va.Y, gbrt.FitConfig{Rounds: 3, Patience: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func testStudyConfig() gbrt.StudyConfig {
	return gbrt.StudyConfig{
		Datasets: []string{"a"}, Objectives: []string{"hs-gn", "logistic", "l2"}, Seeds: 3, FirstSeed: 1,
		Tau: 0.001, Valid: 0.2, Test: 0.2, Fit: gbrt.FitConfig{Rounds: 20, Patience: 5},
	}
}

func TestStudyResumes(t *testing.T) {
	dir := t.TempDir()
	loads := 0
	load := func(string) (*gbrt.Dataset, error) {
		loads++
		return gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 300, Features: 3, Rate: 0.4, Noise: 0.5}, 2)
	}
	var ran, skipped int
	opt := gbrt.StudyOptions{Dir: dir, Load: load, NewBooster: linearFactory, Observe: func(_, _ int, _ gbrt.Run, skip bool) {
		if skip {
			skipped++
		} else {
			ran++
		}
	}}
	sum, err := gbrt.Study(context.Background(), testStudyConfig(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if ran != 9 || skipped != 0 || len(sum.Rows) != 3 {
		t.Fatalf("first pass: %d ran, %d skipped, %d summary rows; want 9, 0, 3", ran, skipped, len(sum.Rows))
	}
	for _, r := range sum.Rows {
		if r.Runs != 3 || (r.Objective == "hs-gn") != (r.Vs[0] != nil && r.Vs[1] != nil) || r.HasLogLoss != (r.Objective == "logistic") {
			t.Errorf("row %+v", r)
		}
	}
	first, _ := os.ReadFile(filepath.Join(dir, gbrt.RunsFile))
	ran, skipped, loads = 0, 0, 0
	if _, err := gbrt.Study(context.Background(), testStudyConfig(), opt); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(filepath.Join(dir, gbrt.RunsFile))
	if ran != 0 || skipped != 9 || loads != 0 || string(first) != string(second) {
		t.Errorf("rerun: %d ran, %d skipped, %d loads, runs.csv changed: %v; want 0, 9, 0, false", ran, skipped, loads, string(first) != string(second))
	}
	md, _ := os.ReadFile(filepath.Join(dir, gbrt.SummaryMDFile))
	if !strings.Contains(string(md), "| a | hs-gn | 3 |") {
		t.Errorf("summary.md:\n%s", md)
	}
	other := testStudyConfig()
	other.Tau = 0.01
	if _, err := gbrt.Study(context.Background(), other, opt); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("another configuration in the same folder: err = %v", err)
	}
}

func TestRunsRoundTrip(t *testing.T) {
	runs := []gbrt.Run{
		{Dataset: "d", Objective: "logistic", Seed: 3, AUC: 0.75, Accuracy: 0.5, LogLoss: 0.25, HasLogLoss: true, ValidAUC: 0.5, BestRounds: 4, Rounds: 9, Active: -1, Seconds: 1.5},
		{Dataset: "d", Objective: "hs-ones", Seed: 3, AUC: 0.5, Accuracy: 0.625, ValidAUC: 0.125, BestRounds: 1, Rounds: 2, Active: 7, Seconds: 0.25},
	}
	var b strings.Builder
	if err := gbrt.WriteRuns(&b, runs); err != nil {
		t.Fatal(err)
	}
	got, err := gbrt.ReadRuns(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != runs[0] || got[1] != runs[1] {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, runs)
	}
	if _, err := gbrt.ReadRuns(strings.NewReader(strings.Replace(b.String(), "0.75", "x", 1))); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a bad number: err = %v", err)
	}
}

// TestValidateNamesTheField checks that every invalid field of a study's
// configuration is reported as a *FieldError naming it.
func TestValidateNamesTheField(t *testing.T) {
	if err := testStudyConfig().Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*gbrt.StudyConfig)
	}{
		{"datasets", func(c *gbrt.StudyConfig) { c.Datasets = nil }},
		{"objectives", func(c *gbrt.StudyConfig) { c.Objectives = nil }},
		{"objectives", func(c *gbrt.StudyConfig) { c.Objectives = []string{"hinge"} }},
		{"seeds", func(c *gbrt.StudyConfig) { c.Seeds = 0 }},
		{"rounds", func(c *gbrt.StudyConfig) { c.Fit.Rounds = 0 }},
		{"patience", func(c *gbrt.StudyConfig) { c.Fit.Patience = -1 }},
		{"tau", func(c *gbrt.StudyConfig) { c.Tau = 0 }},
		{"tau", func(c *gbrt.StudyConfig) { c.Tau = math.Inf(1) }},
		{"valid", func(c *gbrt.StudyConfig) { c.Valid = 1 }},
		{"test", func(c *gbrt.StudyConfig) { c.Test = 0.8 }},
	} {
		cfg := testStudyConfig()
		c.edit(&cfg)
		var fe *gbrt.FieldError
		if err := cfg.Validate(); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: err = %v, want a FieldError for it", c.field, err)
		}
	}
	// τ is the HS objectives' only: a study without them does not read it.
	cfg := testStudyConfig()
	cfg.Objectives, cfg.Tau = []string{"logistic", "l2"}, 0
	if err := cfg.Validate(); err != nil {
		t.Errorf("τ = 0 without an HS objective: %v", err)
	}
}

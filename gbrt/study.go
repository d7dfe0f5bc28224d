package gbrt

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// StudyConfig is a study: every objective on every dataset for Seeds seeds
// (seed s fixes the split of the data and XGBoost's seed, the same for
// every objective, so runs pair by seed). Everything in it changes the
// results and is stored in config.json of the results folder.
type StudyConfig struct {
	Datasets   []string        `json:"datasets"`   // names, resolved by the caller's loader
	Objectives []string        `json:"objectives"` // see ParseObjective
	Seeds      int             `json:"seeds"`      // seeds per (dataset, objective): FirstSeed, FirstSeed+1, …
	FirstSeed  int64           `json:"first_seed"` // the first seed
	Tau        float64         `json:"tau"`        // temperature of the HS objectives
	Valid      float64         `json:"valid"`      // fraction of rows for validation (early stopping)
	Test       float64         `json:"test"`       // fraction of rows for the test
	Fit        FitConfig       `json:"fit"`        // rounds and patience
	Booster    map[string]any  `json:"booster"`    // the booster's parameters, recorded as given
	Synthetic  SyntheticConfig `json:"synthetic"`  // the generator of the synthetic-P datasets
}

// Run is the result of one (dataset, objective, seed).
type Run struct {
	Dataset    string
	Objective  string
	Seed       int64
	AUC        float64 // test AUC of the ensemble kept by early stopping
	Accuracy   float64 // test accuracy at the best threshold (BestAccuracy)
	LogLoss    float64 // test log-loss; only when HasLogLoss (logistic)
	HasLogLoss bool
	ValidAUC   float64 // validation AUC of the kept ensemble
	BestRounds int     // rounds of the kept ensemble
	Rounds     int     // rounds run
	Active     int     // HS: |A| at the last round's gradient; -1 otherwise
	Seconds    float64 // wall time of the run
}

// key identifies a run in a results folder.
func (r Run) key() string { return fmt.Sprintf("%s\x00%s\x00%d", r.Dataset, r.Objective, r.Seed) }

// NewBoosterFunc makes the booster of one run (package gbrt/xgboost in
// cmd/gbrt); close frees it.
type NewBoosterFunc func(obj Objective, seed int64, train, valid, test *Dataset) (b Booster, close func(), err error)

// RunOne splits d by seed, fits obj and measures the test set.
func RunOne(ctx context.Context, d *Dataset, obj Objective, seed int64, cfg StudyConfig, newBooster NewBoosterFunc) (Run, error) {
	start := time.Now()
	tr, va, te, err := d.Split(uint64(seed), cfg.Valid, cfg.Test)
	if err != nil {
		return Run{}, err
	}
	b, closeB, err := newBooster(obj, seed, tr, va, te)
	if err != nil {
		return Run{}, err
	}
	defer closeB()
	res, err := Fit(ctx, b, obj, tr.Y, va.Y, cfg.Fit)
	if err != nil {
		return Run{}, err
	}
	r := Run{Dataset: d.Name, Objective: obj.Name, Seed: seed, ValidAUC: res.ValidAUC,
		BestRounds: res.BestRounds, Rounds: res.Rounds, Active: -1}
	if obj.XGBoost == "" {
		r.Active = res.Last.Active
	}
	if r.AUC, err = AUC(res.TestMargin, te.Y); err != nil {
		return Run{}, err
	}
	if r.Accuracy, _, err = BestAccuracy(res.TestMargin, te.Y); err != nil {
		return Run{}, err
	}
	if obj.XGBoost == "binary:logistic" {
		p := make([]float64, len(res.TestMargin))
		for i, m := range res.TestMargin {
			p[i] = Sigmoid(m)
		}
		if r.LogLoss, err = LogLoss(p, te.Y); err != nil {
			return Run{}, err
		}
		r.HasLogLoss = true
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// FieldError is a StudyConfig validation error; Field is the JSON name of
// the field (fit's are "rounds" and "patience"), so that a command line
// can name the flag that sets it.
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "gbrt: study: <field>: <message>".
func (e *FieldError) Error() string { return "gbrt: study: " + e.Field + ": " + e.Msg }

// Validate reports the first field of c that Study cannot run with, as a
// *FieldError.
func (c StudyConfig) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case len(c.Datasets) == 0:
		return bad("datasets", "empty list")
	case len(c.Objectives) == 0:
		return bad("objectives", "empty list")
	case c.Seeds < 1:
		return bad("seeds", "%d, need at least 1", c.Seeds)
	case c.Fit.Rounds < 1:
		return bad("rounds", "%d, need at least 1", c.Fit.Rounds)
	case c.Fit.Patience < 1:
		return bad("patience", "%d, need at least 1", c.Fit.Patience)
	case usesHS(c.Objectives) && (!(c.Tau > 0) || math.IsInf(c.Tau, 1)):
		return bad("tau", "%v is not a finite positive number (the hs-* objectives' temperature)", c.Tau)
	case !(c.Valid > 0 && c.Valid < 1):
		return bad("valid", "%v outside (0, 1)", c.Valid)
	case !(c.Test > 0 && c.Test < 1) || c.Valid+c.Test >= 1:
		return bad("test", "%v outside (0, 1 − valid)", c.Test)
	}
	for _, o := range c.Objectives {
		if _, err := ParseObjective(o, c.Tau); err != nil {
			return &FieldError{Field: "objectives", Msg: err.Error()}
		}
	}
	return nil
}

// usesHS reports whether any objective is one of the HS ones (hs-*), the
// only ones that read the temperature τ.
func usesHS(objectives []string) bool {
	for _, o := range objectives {
		if strings.HasPrefix(o, "hs-") {
			return true
		}
	}
	return false
}

// StudyOptions are the inputs of Study that do not change its results.
type StudyOptions struct {
	Dir        string                                     // results folder; resumes what it holds
	Load       func(name string) (*Dataset, error)        // loads a dataset by name
	NewBooster NewBoosterFunc                             // makes the booster of a run
	Observe    func(done, total int, r Run, skipped bool) // called after each run (may be nil)
}

// Study runs every (dataset, objective, seed) of cfg not yet in
// opt.Dir/runs.csv, rewriting runs.csv atomically after each run, then
// writes summary.csv and summary.md and returns the summary. A folder
// whose config.json differs from cfg is an error (use another folder). It
// stops between runs when ctx is cancelled, keeping the finished runs.
func Study(ctx context.Context, cfg StudyConfig, opt StudyOptions) (*Summary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	runs, err := openFolder(opt.Dir, cfg)
	if err != nil {
		return nil, err
	}
	done := make(map[string]bool, len(runs))
	for _, r := range runs {
		done[r.key()] = true
	}
	total := len(cfg.Datasets) * len(cfg.Objectives) * cfg.Seeds
	count := 0
	for _, name := range cfg.Datasets {
		var d *Dataset
		for s := range cfg.Seeds {
			seed := cfg.FirstSeed + int64(s)
			for _, on := range cfg.Objectives {
				count++
				want := Run{Dataset: name, Objective: on, Seed: seed}
				if done[want.key()] {
					if opt.Observe != nil {
						opt.Observe(count, total, want, true)
					}
					continue
				}
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if d == nil {
					if d, err = opt.Load(name); err != nil {
						return nil, err
					}
					d.Name = name
				}
				obj, _ := ParseObjective(on, cfg.Tau) // checked by Validate
				r, err := RunOne(ctx, d, obj, seed, cfg, opt.NewBooster)
				if err != nil {
					return nil, fmt.Errorf("%s, %s, seed %d: %w", name, on, seed, err)
				}
				runs = append(runs, r)
				done[r.key()] = true
				if err := writeRuns(opt.Dir, runs); err != nil {
					return nil, err
				}
				if opt.Observe != nil {
					opt.Observe(count, total, r, false)
				}
			}
		}
	}
	sum, err := Summarize(cfg, runs)
	if err != nil {
		return nil, err
	}
	if err := sum.write(opt.Dir); err != nil {
		return nil, err
	}
	return sum, nil
}

// meanSD returns the mean and sample standard deviation of x (sd 0 for
// fewer than 2 values).
func meanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

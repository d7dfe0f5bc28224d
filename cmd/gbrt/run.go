//go:build xgboost

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hypersimplex/hsloss/gbrt"
	"github.com/hypersimplex/hsloss/gbrt/xgboost"
)

// flagOf maps the fields of gbrt.StudyConfig (as gbrt.FieldError names
// them) to the flags that set them.
var flagOf = map[string]string{
	"datasets": "dataset", "objectives": "objective", "seeds": "seeds", "rounds": "rounds",
	"patience": "patience", "tau": "tau", "valid": "valid", "test": "test",
}

// run is the whole command: it parses args, runs (or resumes) the study,
// prints the summary table to stdout and progress to stderr.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	syn := gbrt.DefaultSyntheticConfig()
	par := xgboost.DefaultParams()
	fs := flag.NewFlagSet("gbrt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		datasets   = fs.String("dataset", "synthetic-10", "comma-separated datasets: synthetic-P (generated, P percent positives) or NAME for the file DATA/NAME.csv (scripts/gbrt-data.sh writes spam, ticdata, pima, ionosphere, breast-cancer)")
		dataDir    = fs.String("data", filepath.Join("data", "gbrt"), "`folder` of the CSV datasets")
		objectives = fs.String("objective", strings.Join(gbrt.Objectives, ","), "comma-separated objectives: "+strings.Join(gbrt.Objectives, ", "))
		seeds      = fs.Int("seeds", 3, "seeds per (dataset, objective): seed, seed+1, …; a seed fixes the split and XGBoost's seed, the same for every objective")
		seed       = fs.Int64("seed", 1, "first seed")
		rounds     = fs.Int("rounds", 300, "at most this many boosting rounds")
		patience   = fs.Int("patience", 30, "stop after this many rounds without a better validation AUC")
		eta        = fs.Float64("eta", par.Eta, "XGBoost learning rate")
		depth      = fs.Int("max-depth", par.MaxDepth, "XGBoost maximum tree depth")
		threads    = fs.Int("threads", par.Threads, "XGBoost threads")
		tau        = fs.Float64("tau", gbrt.ReferenceTau, "temperature τ of the HS objectives (the reference: 0.001)")
		valid      = fs.Float64("valid", 0.2, "fraction of each dataset for validation (early stopping)")
		test       = fs.Float64("test", 0.2, "fraction of each dataset for the test")
		synRows    = fs.Int("synthetic-rows", syn.Rows, "rows of a synthetic dataset")
		synFeat    = fs.Int("synthetic-features", syn.Features, "features of a synthetic dataset")
		synNoise   = fs.Float64("synthetic-noise", syn.Noise, "scale of the logistic noise of a synthetic dataset (0: separable)")
		out        = fs.String("out", filepath.Join("results", "gbrt-quick"), "results folder; rerunning the same command there resumes the study")
		quiet      = fs.Bool("quiet", false, "no line per finished run")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil
		}
		return fmt.Errorf("%s (run gbrt -h for the flags)", flagParseErr(err))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; run gbrt -h)", fs.Arg(0))
	}
	cfg := gbrt.StudyConfig{
		Datasets: splitList(*datasets), Objectives: splitList(*objectives),
		Seeds: *seeds, FirstSeed: *seed, Tau: *tau, Valid: *valid, Test: *test,
		Fit:       gbrt.FitConfig{Rounds: *rounds, Patience: *patience},
		Synthetic: gbrt.SyntheticConfig{Rows: *synRows, Features: *synFeat, Noise: *synNoise},
	}
	par.Eta, par.MaxDepth, par.Threads = *eta, *depth, *threads
	cfg.Booster = map[string]any{"library": "xgboost " + xgboost.Version(), "booster": "gbtree", "tree_method": "hist",
		"eta": par.Eta, "max_depth": par.MaxDepth, "other": "XGBoost defaults"}
	if err := cfg.Validate(); err != nil {
		var fe *gbrt.FieldError
		if errors.As(err, &fe) && flagOf[fe.Field] != "" {
			return fmt.Errorf("flag -%s: %s", flagOf[fe.Field], fe.Msg)
		}
		return err
	}
	switch {
	case !(par.Eta > 0 && par.Eta <= 1):
		return fmt.Errorf("flag -eta: %v outside (0, 1]", par.Eta)
	case par.MaxDepth < 1:
		return fmt.Errorf("flag -max-depth: %d, need at least 1", par.MaxDepth)
	case par.Threads < 1:
		return fmt.Errorf("flag -threads: %d, need at least 1", par.Threads)
	case *out == "":
		return errors.New("flag -out: empty folder name")
	}
	for _, d := range cfg.Datasets {
		if _, ok, err := syntheticRate(d); ok && err != nil {
			return fmt.Errorf("flag -dataset: %v", err)
		}
	}
	load := func(name string) (*gbrt.Dataset, error) {
		if rate, ok, _ := syntheticRate(name); ok {
			sc := cfg.Synthetic
			sc.Rate = rate
			return gbrt.Synthetic(sc, 0)
		}
		f, err := os.Open(filepath.Join(*dataDir, name+".csv"))
		if err != nil {
			return nil, fmt.Errorf("dataset %s: %w (scripts/gbrt-data.sh %s writes the CSV datasets)", name, err, *dataDir)
		}
		defer f.Close()
		return gbrt.ReadCSV(f, name)
	}
	newBooster := func(obj gbrt.Objective, seed int64, tr, va, te *gbrt.Dataset) (gbrt.Booster, func(), error) {
		p := par
		p.Seed = seed
		b, err := xgboost.NewBooster(obj, p, tr, va, te)
		if err != nil {
			return nil, nil, err
		}
		return b, b.Close, nil
	}
	total := len(cfg.Datasets) * len(cfg.Objectives) * cfg.Seeds
	fmt.Fprintf(stderr, "gbrt: XGBoost %s, %d runs (%d datasets × %d objectives × %d seeds), results in %s\n",
		xgboost.Version(), total, len(cfg.Datasets), len(cfg.Objectives), cfg.Seeds, *out)
	start := time.Now()
	fresh, kept := 0, 0
	observe := func(done, total int, r gbrt.Run, skipped bool) {
		if skipped {
			kept++
		}
		if skipped || *quiet {
			return
		}
		fresh++
		eta := time.Duration(float64(time.Since(start)) / float64(fresh) * float64(total-done)).Round(time.Second)
		fmt.Fprintf(stderr, "[%d/%d] %s %s seed %d: test AUC %.4f, %d rounds kept of %d, %.1fs (about %v left)\n",
			done, total, r.Dataset, r.Objective, r.Seed, r.AUC, r.BestRounds, r.Rounds, r.Seconds, eta)
	}
	sum, err := gbrt.Study(ctx, cfg, gbrt.StudyOptions{Dir: *out, Load: load, NewBooster: newBooster, Observe: observe})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; the finished runs are kept in %s: rerun the same command to resume", *out)
		}
		return err
	}
	if err := sum.Markdown(stdout); err != nil {
		return err
	}
	if kept > 0 {
		fmt.Fprintf(stderr, "gbrt: resumed: %d of the %d runs were already in %s\n", kept, total, *out)
	}
	fmt.Fprintf(stderr, "gbrt: wrote %s: %s, %s, %s, %s\n", *out, gbrt.RunsFile, gbrt.SummaryCSVFile, gbrt.SummaryMDFile, gbrt.ConfigFile)
	return nil
}

// syntheticRate parses "synthetic-P" (P percent positives, 0 < P < 100).
func syntheticRate(name string) (rate float64, ok bool, err error) {
	p, found := strings.CutPrefix(name, "synthetic-")
	if !found {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(p, 64)
	if err != nil || !(v > 0 && v < 100) {
		return 0, true, fmt.Errorf("%q: the percentage of positives %q is not a number in (0, 100)", name, p)
	}
	return v / 100, true, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// invalidValue matches the flag package's error for a value it cannot
// parse.
var invalidValue = regexp.MustCompile(`^invalid value (".*") for flag -([\w-]+): (.*)$`)

// flagParseErr rewrites the flag package's parse errors to start with the
// flag's name like the other flag errors.
func flagParseErr(err error) string {
	return invalidValue.ReplaceAllString(err.Error(), "flag -$2: invalid value $1: $3")
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: gbrt [flags]

Boosts XGBoost trees with each objective on each dataset for each seed
(the seed fixes a stratified training/validation/test split and XGBoost's
seed, so runs pair by seed), with early stopping on validation AUC, and
writes into -out: runs.csv (one row per run), summary.csv, summary.md (mean
± sd of the test AUC and best-threshold accuracy, log-loss of logistic,
paired t-tests of every objective's AUC against logistic and l2) and
config.json; then prints the summary table. An interrupted study resumes
when rerun with the same flags.

Objectives: hs-ones, hs-gn, hs-active, hs-const are the HyperSimplex loss
over the whole training set (k = number of positives, τ = -tau) with the
Hessian of ones (the public reference), the Gauss–Newton diagonal
2/(nτ²)·(1 − 1/|A|) on the active set A, ones on A, or 2/(nτ²) everywhere;
logistic is binary:logistic; l2 is reg:squarederror (what the
reference's "cross-entropy" baseline is).

Flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

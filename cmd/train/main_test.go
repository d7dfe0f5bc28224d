package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/train/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"batch_zero", []string{"-batch", "0"}},
		{"batch_not_int", []string{"-batch", "128,x"}},
		{"batch_twice", []string{"-batch", "128,128"}},
		{"loss_unknown", []string{"-loss", "ce,zero-one"}},
		{"dataset_unknown", []string{"-dataset", "imagenet"}},
		{"epochs_not_int", []string{"-epochs", "many"}},
		{"epochs_zero", []string{"-epochs", "0"}},
		{"seeds_zero", []string{"-seeds", "0"}},
		{"lr_negative", []string{"-lr", "-1"}},
		{"tau_zero", []string{"-tau", "0"}},
		{"tau_subnormal", []string{"-tau", "1e-310"}},
		{"tau_float32_overflow", []string{"-tau", "1e39"}},
		{"reduction_unknown", []string{"-reduction", "mean"}},
		{"augment_synthetic", []string{"-dataset", "synthetic", "-augment"}},
		{"calibrate_every_negative", []string{"-calibrate-every", "-1"}},
		{"k_unknown", []string{"-k", "median"}},
		{"fraction_big", []string{"-k", "fraction", "-fraction", "2"}},
		{"shard_out_of_range", []string{"-shard", "4/4"}},
		{"shard_malformed", []string{"-shard", "1of4"}},
		{"dtype_unknown", []string{"-dtype", "float16"}},
		{"undefined_flag", []string{"-batchsize", "128"}},
		{"argument", []string{"extra"}},
		{"merge_no_out", []string{"merge", "a"}},
		{"merge_no_folders", []string{"merge", "-out", "x"}},
	}
	var all strings.Builder
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), &stdout, &stderr, tc.args)
			if err == nil {
				t.Fatalf("run(%q) succeeded, want an error", tc.args)
			}
			if stdout.Len() > 0 || stderr.Len() > 0 {
				t.Errorf("run(%q) printed %q / %q before failing", tc.args, stdout.String(), stderr.String())
			}
			all.WriteString(strings.Join(tc.args, " ") + "\n\t" + err.Error() + "\n")
		})
	}
	golden(t, "flag_errors.golden", all.String())
}

func TestHelpListsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr, []string{"-h"}); err != nil {
		t.Fatal(err)
	}
	help := stdout.String()
	for _, line := range strings.Split(help, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("usage line of %d characters: %q", len([]rune(line)), line)
		}
	}
	for _, name := range append(slices.Collect(maps.Values(flagOf)), "out", "quiet") {
		i := strings.Index(help, "  -"+name+" ")
		if i < 0 {
			i = strings.Index(help, "  -"+name+"\n")
		}
		if i < 0 {
			t.Errorf("-h does not document -%s", name)
			continue
		}
		// The flag's entry is its line and the indented usage line after it.
		entry := strings.SplitN(help[i:], "\n", 3)
		if len(entry) < 2 || !strings.Contains(entry[1], "(default ") {
			t.Errorf("-h gives no default for -%s: %q", name, entry)
		}
	}
	golden(t, "help.golden", help)
}

// Every field of results.Config can be set by a flag, so that a FieldError
// always names one.
func TestEveryConfigFieldHasAFlag(t *testing.T) {
	typ := reflect.TypeFor[results.Config]()
	for i := range typ.NumField() {
		field, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if _, ok := flagOf[field]; !ok {
			t.Errorf("config field %s (%s) has no flag in flagOf", typ.Field(i).Name, field)
		}
	}
	if len(flagOf) != typ.NumField() {
		t.Errorf("flagOf has %d entries, results.Config %d fields", len(flagOf), typ.NumField())
	}
}

// tinyArgs is a synthetic sweep that runs in about a second. It leaves out
// hs: its accuracies move with every rounding change in package op's
// kernels, which would make the golden summary brittle (the Table 1 layout
// with HS is tested in package train).
func tinyArgs(out string) []string {
	return []string{"-dataset", "synthetic", "-loss", "ce,hinge,mse", "-batch", "50,250", "-seeds", "2", "-epochs", "2",
		"-hidden", "16", "-lr", "1e-2", "-train-sample", "500", "-quiet", "-out", out}
}

func TestTinyRunSummary(t *testing.T) {
	if name := accel.Name(); name != "gonum (pure Go)" {
		// The golden accuracies are those of the default build; another
		// BLAS rounds differently.
		t.Skipf("golden summary is for the pure-Go BLAS, this build uses %s", name)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr, tinyArgs(out)); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	golden(t, "tiny_summary.golden", stdout.String())
	for _, want := range []string{"BLAS: ", "sweep: 12 runs", "run 12/12 synthetic mse batch 250 seed 2: max test accuracy"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	if err != nil || string(md) != stdout.String() {
		t.Errorf("summary.md (%v) differs from the printed summary", err)
	}

	// Rerunning resumes: nothing left to train, same summary.
	stdout.Reset()
	stderr.Reset()
	if err := run(context.Background(), &stdout, &stderr, tinyArgs(out)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "max test accuracy") || strings.Count(stderr.String(), "already in runs.csv") != 12 {
		t.Errorf("rerun trained again:\n%s", stderr.String())
	}
	golden(t, "tiny_summary.golden", stdout.String())

	// Two shards merged give the same summary.
	var dirs []string
	for _, s := range []string{"0/2", "1/2"} {
		dir := filepath.Join(t.TempDir(), "shard")
		if err := run(context.Background(), &stdout, &stderr, append(tinyArgs(dir), "-shard", s)); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	stdout.Reset()
	if err := run(context.Background(), &stdout, &stderr, append([]string{"merge", "-out", filepath.Join(t.TempDir(), "m")}, dirs...)); err != nil {
		t.Fatal(err)
	}
	golden(t, "tiny_summary.golden", stdout.String())
}

func TestInterruptedRunSaysHowToResume(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, &stdout, &stderr, tinyArgs(t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "rerun the same command to resume") {
		t.Errorf("err = %v, want the resume hint", err)
	}
}

func TestBudgetSubcommand(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr, tinyArgs(out)); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	stdout.Reset()
	if err := run(context.Background(), &stdout, &stderr, []string{"budget", "-budgets", "1,2", out}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"synthetic, raw accuracy", "| batch | seeds | CE@2 | HINGE@2 | Δ@1 (p) | Δ@2 (p) |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("budget output lacks %q:\n%s", want, stdout.String())
		}
	}
	if md, err := os.ReadFile(filepath.Join(out, "budget.md")); err != nil || string(md) != stdout.String() {
		t.Errorf("budget.md (%v) differs from the printed tables", err)
	}
	// Several folders read as one: the same runs twice change nothing.
	twice := filepath.Join(t.TempDir(), "both")
	printed := stdout.String()
	stdout.Reset()
	if err := run(context.Background(), &stdout, &stderr, []string{"budget", "-budgets", "1,2", "-out", twice, out, out}); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != printed {
		t.Errorf("two copies of one folder give other tables:\n%s\nwant\n%s", stdout.String(), printed)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"budget"}, "no results folder"},
		{[]string{"budget", out, out}, "flag -out: required with several folders"},
		{[]string{"budget", "-budgets", "0", out}, "flag -budgets: budget 0 < 1"},
		{[]string{"budget", t.TempDir()}, "holds no runs"},
	} {
		if err := run(context.Background(), &stdout, &stderr, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

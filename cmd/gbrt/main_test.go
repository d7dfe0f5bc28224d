//go:build xgboost

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), &o, &e, args)
	return o.String(), e.String(), err
}

func TestHelp(t *testing.T) {
	out, _, err := runCmd(t, "-h")
	if err != nil || !strings.Contains(out, "Usage: gbrt") || !strings.Contains(out, "-objective") {
		t.Errorf("-h: err %v, stdout %q", err, out)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"-seeds 0", "flag -seeds: 0"},
		{"-seeds x", `flag -seeds: invalid value "x"`},
		{"-objective hinge", `flag -objective: gbrt: unknown objective "hinge"`},
		{"-dataset synthetic-0", `flag -dataset: "synthetic-0"`},
		{"-eta 2", "flag -eta: 2 outside (0, 1]"},
		{"-tau 0", "flag -tau: 0"},
		{"-valid 0.5 -test 0.5", "flag -test: 0.5"},
		{"-rounds 0", "flag -rounds: 0"},
		{"-patience 0", "flag -patience: 0"},
		{"-valid 1", "flag -valid: 1"},
		{"-dataset ,", "flag -dataset: empty list"},
		{"-out", "flag needs an argument: -out"},
		{"extra", `unexpected argument "extra"`},
	} {
		_, _, err := runCmd(t, strings.Fields(c.args)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// TestRunAndResume runs a tiny study, then the same command again: the
// second run trains nothing and prints the same table.
func TestRunAndResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	args := []string{"-dataset", "synthetic-20", "-synthetic-rows", "500", "-objective", "hs-gn,logistic,l2",
		"-seeds", "2", "-rounds", "10", "-patience", "3", "-out", dir}
	out1, err1, err := runCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"runs.csv", "summary.csv", "summary.md", "config.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out1, "| synthetic-20 | hs-gn | 2 |") || strings.Count(err1, "test AUC") != 6 {
		t.Errorf("first run: stdout\n%s\nstderr\n%s", out1, err1)
	}
	out2, err2, err := runCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if out2 != out1 || strings.Contains(err2, "test AUC") || !strings.Contains(err2, "resumed: 6 of the 6 runs") {
		t.Errorf("resume trained again or changed the table: stdout\n%s\nstderr\n%s", out2, err2)
	}
	if _, _, err := runCmd(t, append(args, "-tau", "0.01")...); err == nil || !strings.Contains(err.Error(), "another configuration") {
		t.Errorf("another configuration in the same folder: err = %v", err)
	}
	if _, _, err := runCmd(t, "-dataset", "nosuch", "-data", t.TempDir(), "-out", filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "scripts/gbrt-data.sh") {
		t.Errorf("missing dataset: err = %v", err)
	}
}

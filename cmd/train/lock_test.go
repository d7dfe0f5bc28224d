package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/internal/folderlock"
)

func TestFolderInUse(t *testing.T) {
	dir := t.TempDir()
	release, err := folderlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	want := fmt.Sprintf("%s is in use by process %d", dir, os.Getpid())
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), &stdout, &stderr, tinyArgs(dir)); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("sweep of a folder in use: err = %v, want it to contain %q", err, want)
	}
	out := filepath.Join(t.TempDir(), "merged")
	if err := run(context.Background(), &stdout, &stderr, []string{"merge", "-out", out, dir}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("merge of a folder in use: err = %v, want it to contain %q", err, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the refused merge created %s (%v)", out, err)
	}
}

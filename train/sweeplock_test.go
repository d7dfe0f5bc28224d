package train_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/internal/folderlock"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
)

func TestSweepOfFolderInUse(t *testing.T) {
	dir := t.TempDir()
	release, err := folderlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	loaded := false
	load := func(name string) (*datasets.Dataset, error) { loaded = true; return loadBlobs(name) }
	_, err = train.Sweep(context.Background(), tinyConfig(), train.SweepOptions{Dir: dir, Load: load})
	if !errors.Is(err, folderlock.ErrHeld) || !strings.Contains(err.Error(), dir+" is in use by process") {
		t.Errorf("err = %v, want a folderlock.ErrHeld naming %s", err, dir)
	}
	if loaded {
		t.Error("the sweep of a folder in use loaded its data first, want it to fail at once")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != folderlock.File {
		t.Errorf("a refused sweep left %v, want only the other holder's %s", entries, folderlock.File)
	}
}

func TestSweepLeavesNoLockFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := train.Sweep(context.Background(), tinyConfig(), train.SweepOptions{Dir: dir, Load: loadBlobs}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, folderlock.File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after the sweep %s is still there (%v)", folderlock.File, err)
	}
	if _, held, err := folderlock.Holder(dir); err != nil || held {
		t.Errorf("after the sweep Holder = %v, %v; want not held", held, err)
	}
}

func TestSweepOfFolderCreatedMeanwhile(t *testing.T) {
	// The folder does not exist when the sweep starts; another sweep
	// creates it and records its grid while this one loads its data.
	dir := filepath.Join(t.TempDir(), "new")
	load := func(name string) (*datasets.Dataset, error) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		if err := results.WriteConfigFile(dir, tinyConfig()); err != nil {
			return nil, err
		}
		return loadBlobs(name)
	}
	_, err := train.Sweep(context.Background(), tinyConfig(), train.SweepOptions{Dir: dir, Load: load})
	want := "sweep: " + dir + " was created by another process while this sweep was being checked; rerun it"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, results.RunsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused sweep wrote %s (%v)", results.RunsFile, err)
	}
	if _, err := os.Stat(filepath.Join(dir, folderlock.File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused sweep left %s (%v)", folderlock.File, err)
	}
}

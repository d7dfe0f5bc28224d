package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/hypersimplex/hsloss/internal/folderlock"
	"github.com/hypersimplex/hsloss/train/results"
)

// sweepLock is the lock of a sweep's results folder (package folderlock).
// A folder that exists is locked before the sweep reads it (lockExisting),
// so that a second sweep of it fails at once; a new folder only once the
// sweep has checked everything and created it (lockCreated), so that a
// refused sweep creates nothing. The lock file goes when the lock does.
type sweepLock struct {
	dir     string
	release func() error // nil while not held
}

// lockExisting takes the lock of l.dir if the folder exists.
func (l *sweepLock) lockExisting() error {
	if _, err := os.Stat(l.dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return l.acquire()
}

// lockCreated takes the lock of l.dir, which the sweep has just created,
// unless it holds it already. The folder must still be empty of results:
// another process may have created it since lockExisting.
func (l *sweepLock) lockCreated() error {
	if l.release != nil {
		return nil
	}
	if err := l.acquire(); err != nil {
		return err
	}
	f, err := results.ReadFolder(l.dir)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if f.Config != nil || len(f.Runs) > 0 {
		return fmt.Errorf("sweep: %s was created by another process while this sweep was being checked; rerun it", l.dir)
	}
	return nil
}

func (l *sweepLock) acquire() error {
	release, err := folderlock.Acquire(l.dir)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	l.release = release
	return nil
}

// unlock drops the lock if it is held.
func (l *sweepLock) unlock() error {
	if l.release == nil {
		return nil
	}
	err := l.release()
	l.release = nil
	return err
}

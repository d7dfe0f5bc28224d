// Package folderlock gives one process at a time the use of a folder, for
// example a results folder that a sweep rewrites after every run.
//
// The lock is an exclusive flock(2) on the file .lock inside the folder.
// The kernel drops it when its holder exits, however it exits, so the lock
// of a killed process never blocks anyone; the file itself is removed on
// release and a file left behind by a killed process is harmless. While
// the lock is held the file holds the holder's process id and host name,
// so that the error of a second process can say who holds it. On a
// network file system the lock is only as good as the file system's
// flock: NFSv4 supports it, Lustre when mounted with -o flock.
package folderlock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// File is the name of the lock file inside a locked folder.
const File = ".lock"

// ErrHeld is the error that *HeldError wraps.
var ErrHeld = errors.New("folder in use")

// Process identifies the holder of a lock; PID 0 and an empty Host mean
// that the holder has not written them (yet).
type Process struct {
	PID  int
	Host string
}

// String describes p for people: "process 1234 on host h".
func (p Process) String() string {
	if p.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("process %d on host %s", p.PID, p.Host)
}

// HeldError reports a folder whose lock another process holds.
type HeldError struct {
	Dir    string  // the folder
	Holder Process // who holds its lock
}

// Error returns "<dir> is in use by process <pid> on host <host> (its lock
// <dir>/.lock)".
func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is in use by %s (its lock %s)", e.Dir, e.Holder, filepath.Join(e.Dir, File))
}

// Unwrap returns ErrHeld.
func (e *HeldError) Unwrap() error { return ErrHeld }

// Acquire takes the lock of the folder dir, which must exist, without
// waiting: if another process holds it, Acquire returns a *HeldError
// naming dir and the holder. release removes the lock file and drops the
// lock; call it once. Acquire creates dir/.lock; other errors name it.
func Acquire(dir string) (release func() error, err error) {
	path := filepath.Join(dir, File)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("folderlock: %w", err)
		}
		if err := flock(f, syscall.LOCK_EX); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &HeldError{Dir: dir, Holder: holder}
			}
			return nil, fmt.Errorf("folderlock: lock %s: %w", path, err)
		}
		// The previous holder may have removed the file between our open
		// and our flock: then we hold the lock of a file nobody else can
		// find, and must start again with the current one.
		if same, err := isCurrent(f, path); err != nil {
			f.Close()
			return nil, fmt.Errorf("folderlock: %w", err)
		} else if !same {
			f.Close()
			continue
		}
		if err := writeHolder(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("folderlock: write %s: %w", path, err)
		}
		return func() error {
			// Remove the file while holding the lock, so that a process
			// waiting on it sees it replaced (isCurrent) and retries.
			rmErr := os.Remove(path)
			if errors.Is(rmErr, os.ErrNotExist) {
				rmErr = nil
			}
			if err := errors.Join(rmErr, f.Close()); err != nil {
				return fmt.Errorf("folderlock: release %s: %w", path, err)
			}
			return nil
		}, nil
	}
}

// Holder reports whether a process holds the lock of dir, and which. To
// tell, it takes a shared lock on dir/.lock for an instant (an Acquire in
// that instant fails as if the folder were in use) and only reads the
// file, so it works on a read-only folder; a folder without the file is
// not held.
func Holder(dir string) (p Process, held bool, err error) {
	path := filepath.Join(dir, File)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Process{}, false, nil
	}
	if err != nil {
		return Process{}, false, fmt.Errorf("folderlock: %w", err)
	}
	defer f.Close()
	switch err := flock(f, syscall.LOCK_SH); {
	case err == nil:
		return Process{}, false, nil // closing f drops the shared lock
	case errors.Is(err, syscall.EWOULDBLOCK):
		return readHolder(f), true, nil
	default:
		return Process{}, false, fmt.Errorf("folderlock: lock %s: %w", path, err)
	}
}

// flock applies how (LOCK_EX or LOCK_SH) to f without blocking, retrying
// when a signal interrupts the call.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// isCurrent reports whether the open file f is still the file at path.
func isCurrent(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, pi), nil
}

// writeHolder replaces the content of f by "pid host\n".
func writeHolder(f *os.File) error {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), host)), 0)
	return err
}

// readHolder parses the content writeHolder writes; anything else gives
// the zero Process.
func readHolder(f *os.File) Process {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<10))
	if err != nil {
		return Process{}
	}
	pid, host, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(pid)
	if !ok || err != nil || n <= 0 {
		return Process{}
	}
	return Process{PID: n, Host: host}
}

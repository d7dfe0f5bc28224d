package folderlock_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hypersimplex/hsloss/internal/folderlock"
)

// childEnv, when set, makes the test binary a child that takes the lock of
// the folder it names, says "locked" on stdout and waits to be killed (or
// for its stdin to close, so that it never outlives the test).
const childEnv = "FOLDERLOCK_TEST_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if _, err := folderlock.Acquire(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// wantHeld fails t unless err is a *HeldError for dir naming process pid
// on this host, and its message names the folder, the holder and the lock.
func wantHeld(t *testing.T, err error, dir string, pid int) {
	t.Helper()
	var he *folderlock.HeldError
	if !errors.As(err, &he) || !errors.Is(err, folderlock.ErrHeld) {
		t.Fatalf("err = %v, want a *HeldError", err)
	}
	host, _ := os.Hostname()
	if he.Dir != dir || he.Holder.PID != pid || he.Holder.Host != host {
		t.Errorf("HeldError %+v, want folder %s held by process %d on %s", he, dir, pid, host)
	}
	want := fmt.Sprintf("%s is in use by process %d on host %s (its lock %s)", dir, pid, host, filepath.Join(dir, folderlock.File))
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestSecondAcquireFailsAtOnce(t *testing.T) {
	dir := t.TempDir()
	release, err := folderlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	// flock treats every open of the file apart, even in one process.
	_, err = folderlock.Acquire(dir)
	wantHeld(t, err, dir, os.Getpid())
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, folderlock.File)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after release the lock file is still there (%v)", err)
	}
	release, err = folderlock.Acquire(dir)
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
}

func TestHolder(t *testing.T) {
	dir := t.TempDir()
	if p, held, err := folderlock.Holder(dir); err != nil || held {
		t.Fatalf("fresh folder: Holder = %v, %v, %v, want not held", p, held, err)
	}
	release, err := folderlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if p, held, err := folderlock.Holder(dir); err != nil || !held || p.PID != os.Getpid() || p.Host != host {
		t.Errorf("locked folder: Holder = %v, %v, %v, want process %d on %s", p, held, err, os.Getpid(), host)
	}
	// The query does not disturb the holder: the lock is still exclusive.
	_, err = folderlock.Acquire(dir)
	wantHeld(t, err, dir, os.Getpid())
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if p, held, err := folderlock.Holder(dir); err != nil || held {
		t.Errorf("released folder: Holder = %v, %v, %v, want not held", p, held, err)
	}
}

func TestLockOfKilledProcessDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+dir)
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	}()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("child said %q, %v; want locked", line, err)
	}
	_, err = folderlock.Acquire(dir)
	wantHeld(t, err, dir, child.Process.Pid)
	if p, held, err := folderlock.Holder(dir); err != nil || !held || p.PID != child.Process.Pid {
		t.Errorf("Holder = %v, %v, %v, want the child %d", p, held, err, child.Process.Pid)
	}

	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait() // the exit status of a killed process is an error
	killed = true
	// The killed child's lock file is left behind, but not its lock.
	if _, err := os.Stat(filepath.Join(dir, folderlock.File)); err != nil {
		t.Errorf("the killed child's lock file: %v", err)
	}
	if p, held, err := folderlock.Holder(dir); err != nil || held {
		t.Errorf("after the kill: Holder = %v, %v, %v, want not held", p, held, err)
	}
	release, err := folderlock.Acquire(dir)
	if err != nil {
		t.Fatalf("acquire after the holder was killed: %v", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
}

func TestHolderThatWroteNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, folderlock.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("not a pid\n"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	_, err = folderlock.Acquire(dir)
	want := fmt.Sprintf("%s is in use by another process (its lock %s)", dir, filepath.Join(dir, folderlock.File))
	if !errors.Is(err, folderlock.ErrHeld) || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestAcquireMissingFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	_, err := folderlock.Acquire(dir)
	if err == nil || errors.Is(err, folderlock.ErrHeld) || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want an error naming %s", err, dir)
	}
	if _, held, err := folderlock.Holder(dir); err != nil || held {
		t.Errorf("Holder of a missing folder = %v, %v; want not held", held, err)
	}
}

func ExampleAcquire() {
	dir, err := os.MkdirTemp("", "results")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	release, err := folderlock.Acquire(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = folderlock.Acquire(dir) // as a second process would
	fmt.Println(errors.Is(err, folderlock.ErrHeld))
	if err := release(); err != nil {
		fmt.Println(err)
	}
	// Output: true
}

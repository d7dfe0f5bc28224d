// Package atomicfile writes files so that a reader, or a crash, sees the
// old file or the complete new one, never a partial one.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// TempPattern is the os.CreateTemp pattern of the temporary file that
// Write makes for a file named base: hidden, ".<base>.tmp-*". A crash
// between creating and renaming it leaves such a file behind.
func TempPattern(base string) string { return "." + base + ".tmp-*" }

// Write writes the file at path (mode 0644) through write: the bytes go
// to a temporary file in the same folder, which is synced, renamed over
// path, and the folder is synced so that the rename survives a power loss
// (where the file system can sync a folder). On error the temporary file
// is removed, path is left as it was and the error is returned as is: the
// caller names the file. The folder must exist.
func Write(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, TempPattern(base))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Not every file system can sync a folder: a failure here is no error.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

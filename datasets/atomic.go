package datasets

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic writes a file through write into a temporary file in the
// same directory and renames it onto path only when everything succeeded,
// so readers see either the old file, or no file, or the complete new one.
func writeFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fileErr(path, err)
	}
	tmp, err := os.CreateTemp(dir, tempPattern(filepath.Base(path)))
	if err != nil {
		return fileErr(path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fileErr(path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fileErr(path, fmt.Errorf("sync: %w", err))
	}
	if err := tmp.Close(); err != nil {
		return fileErr(path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fileErr(path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fileErr(path, err)
	}
	return nil
}

// tempPattern is the os.CreateTemp pattern of the temporary files that
// writeFileAtomic makes for the file base (hidden: ".<base>.tmp-*").
func tempPattern(base string) string { return "." + base + ".tmp-*" }

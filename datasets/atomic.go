package datasets

import (
	"io"
	"os"
	"path/filepath"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
)

// writeFileAtomic writes a file through write with atomicfile.Write,
// creating its folder first: readers see either the old file, or no file,
// or the complete new one. Errors name the file.
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fileErr(path, err)
	}
	return fileErr(path, atomicfile.Write(path, write))
}

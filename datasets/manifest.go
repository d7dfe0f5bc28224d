package datasets

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ManifestName is the file, next to a dataset's IDX files, that records
// where they came from and their SHA-256 checksums. Loads verify every file
// against it.
const ManifestName = "manifest.json"

// Manifest describes the files of one dataset folder.
type Manifest struct {
	Dataset string         `json:"dataset"`
	Source  string         `json:"source"`          // where the data came from
	Split   string         `json:"split,omitempty"` // how train/test were formed
	Train   int            `json:"train"`           // training samples
	Test    int            `json:"test"`            // test samples
	Dropped int            `json:"dropped,omitempty"`
	Files   []ManifestFile `json:"files"`
}

// ManifestFile is one file of a Manifest.
type ManifestFile struct {
	Name   string   `json:"name"`
	Bytes  int64    `json:"bytes"`
	SHA256 Checksum `json:"sha256"`
}

// checksums returns the recorded checksum of the named file, or nil.
func (m *Manifest) checksums(name string) []Checksum {
	for _, f := range m.Files {
		if f.Name == name {
			return []Checksum{f.SHA256}
		}
	}
	return nil
}

// ReadManifest reads dir/manifest.json. A missing manifest is reported with
// an error satisfying errors.Is(err, fs.ErrNotExist); a damaged one with
// ErrMalformed.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fileErr(path, err)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fileErr(path, errf(ErrMalformed, "%v", err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fileErr(path, errf(ErrMalformed, "more input after the JSON document"))
	}
	if len(m.Files) == 0 {
		return nil, fileErr(path, errf(ErrMalformed, "no files listed"))
	}
	for _, f := range m.Files {
		if _, _, err := f.SHA256.newHash(); err != nil {
			return nil, fileErr(path, err)
		}
	}
	return &m, nil
}

// writeManifest writes m to dir/manifest.json atomically.
func writeManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	return writeFileAtomic(filepath.Join(dir, ManifestName), func(f io.Writer) error {
		_, err := f.Write(b)
		return err
	})
}

// manifestOrNil reads dir's manifest; a missing one gives (nil, nil).
func manifestOrNil(dir string) (*Manifest, error) {
	m, err := ReadManifest(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return m, err
}

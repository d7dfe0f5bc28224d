package datasets

import (
	"fmt"
	"path/filepath"
)

// MNISTFolder is the sub-folder of Options.Dir that may hold the MNIST files.
const MNISTFolder = "mnist"

// mnistChecksums are the SHA-256 checksums of the canonical MNIST files
// (LeCun et al., http://yann.lecun.com/exdb/mnist/; the same bytes as in
// the GoMNIST module and the PyTorch mirror, whose MD5s they match), both
// gzipped and raw. Files without a manifest must match them.
var mnistChecksums = map[string][]Checksum{
	"train-images-idx3-ubyte.gz": {"sha256:440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
	"train-labels-idx1-ubyte.gz": {"sha256:3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
	"t10k-images-idx3-ubyte.gz":  {"sha256:8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
	"t10k-labels-idx1-ubyte.gz":  {"sha256:f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
	"train-images-idx3-ubyte":    {"sha256:ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
	"train-labels-idx1-ubyte":    {"sha256:65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
	"t10k-images-idx3-ubyte":     {"sha256:0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
	"t10k-labels-idx1-ubyte":     {"sha256:ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
}

// canonicalSums looks names up in a checksum table.
func canonicalSums(table map[string][]Checksum) sumsFunc {
	return func(name string) []Checksum { return table[name] }
}

// folderSums returns the checksums to verify dir's files with: its
// manifest when it has one, the canonical table otherwise.
func folderSums(dir string, table map[string][]Checksum) (sumsFunc, string, error) {
	m, err := manifestOrNil(dir)
	if err != nil {
		return nil, "", err
	}
	if m != nil {
		return m.checksums, dir + " (" + m.Source + ")", nil
	}
	return canonicalSums(table), dir, nil
}

// loadMNIST reads MNIST from Dir/mnist, or else from the GoMNIST module.
func loadMNIST(opts Options) (*rawData, error) {
	dir := filepath.Join(opts.dir(), MNISTFolder)
	if hasIDX(dir) {
		sums, source, err := folderSums(dir, mnistChecksums)
		if err != nil {
			return nil, err
		}
		raw, err := readIDXDataset("mnist", dir, 10, sums)
		if err != nil {
			return nil, err
		}
		raw.source = source
		return raw, nil
	}
	mod, err := goModuleDir(opts.Context, opts.GoCommand, GoMNISTModule, GoMNISTVersion)
	if err != nil {
		return nil, fmt.Errorf("datasets: mnist: %w: no IDX files in %s, and the Go module %s@%s could not be found: %v; "+
			"run `make data` where Go works, or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "+
			"t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz in %s", ErrNotFound, dir, GoMNISTModule, GoMNISTVersion, err, dir)
	}
	modData := filepath.Join(mod, "data")
	raw, err := readIDXDataset("mnist", modData, 10, canonicalSums(mnistChecksums))
	if err != nil {
		return nil, err
	}
	raw.source = GoMNISTModule + "@" + GoMNISTVersion
	return raw, nil
}

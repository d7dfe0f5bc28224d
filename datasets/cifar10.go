package datasets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html,
// "CIFAR-10 binary version", cifar-10-binary.tar.gz): each file is a
// sequence of 3,073-byte records, one label byte in [0, 9] followed by the
// 32×32 red, then green, then blue plane, each row-major. That is the
// channel-major (3, 32, 32) layout of Dataset.Shape.
const (
	CIFAR10Folder  = "cifar-10-batches-bin" // sub-folder of Options.Dir, as the tarball unpacks
	cifarPixels    = 3 * 32 * 32
	cifarRecord    = 1 + cifarPixels
	cifarClasses   = 10
	cifarTestBatch = "test_batch.bin"
)

// cifarTrainBatches are the five training files (10,000 images each).
var cifarTrainBatches = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}

// ReadCIFAR10 reads CIFAR-10 binary records from r until EOF and returns
// the pixels (N × 3072 bytes, channel-major) and labels. It fails with
// ErrTruncated when the input ends inside a record or is empty, and with
// ErrLabelRange for a label byte above 9.
func ReadCIFAR10(r io.Reader) (pix []byte, labels []int, err error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	if len(b) == 0 {
		return nil, nil, errf(ErrTruncated, "no records")
	}
	n := len(b) / cifarRecord
	if rest := len(b) % cifarRecord; rest != 0 {
		return nil, nil, errf(ErrTruncated, "record %d has %d of %d bytes", n, rest, cifarRecord)
	}
	pix, labels = make([]byte, n*cifarPixels), make([]int, n)
	for i := range n {
		rec := b[i*cifarRecord : (i+1)*cifarRecord]
		if rec[0] >= cifarClasses {
			return nil, nil, errf(ErrLabelRange, "label %d of record %d outside [0, %d)", rec[0], i, cifarClasses)
		}
		labels[i] = int(rec[0])
		copy(pix[i*cifarPixels:], rec[1:])
	}
	return pix, labels, nil
}

// readCIFAR10Files reads and concatenates the named files of dir.
func readCIFAR10Files(dir string, names []string) (rawSplit, error) {
	var s rawSplit
	for _, name := range names {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return rawSplit{}, fmt.Errorf("datasets: cifar10: %w: %s is missing; download the CIFAR-10 binary version "+
					"(https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz) and unpack it with `tar xzf cifar-10-binary.tar.gz -C %s`",
					ErrNotFound, path, filepath.Dir(dir))
			}
			return rawSplit{}, fileErr(path, err)
		}
		pix, y, err := ReadCIFAR10(f)
		f.Close()
		if err != nil {
			return rawSplit{}, fileErr(path, err)
		}
		s.pix = append(s.pix, pix...)
		s.y = append(s.y, y...)
	}
	return s, nil
}

// loadCIFAR10 reads the five training batches and the test batch of dir.
func loadCIFAR10(dir string) (*rawData, error) {
	train, err := readCIFAR10Files(dir, cifarTrainBatches)
	if err != nil {
		return nil, err
	}
	test, err := readCIFAR10Files(dir, []string{cifarTestBatch})
	if err != nil {
		return nil, err
	}
	return &rawData{name: "cifar10", source: dir, classes: cifarClasses, shape: [3]int{3, 32, 32}, train: train, test: test}, nil
}

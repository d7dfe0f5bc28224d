package datasets

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// rawSplit is one split as stored: pixels as bytes (N × features), labels.
type rawSplit struct {
	pix []byte
	y   []int
}

// rawData is a whole image dataset before normalisation.
type rawData struct {
	name, source string
	classes      int
	shape        [3]int
	train, test  rawSplit
}

// IDX file stems: each is stored as "<stem>.gz" (gzip) or "<stem>" (raw).
const (
	trainImagesStem = "train-images-idx3-ubyte"
	trainLabelsStem = "train-labels-idx1-ubyte"
	testImagesStem  = "t10k-images-idx3-ubyte"
	testLabelsStem  = "t10k-labels-idx1-ubyte"
)

// idxStems lists the four files of an MNIST-format dataset.
var idxStems = [4]string{trainImagesStem, trainLabelsStem, testImagesStem, testLabelsStem}

// sumsFunc returns the acceptable checksums of a file name (nil: unchecked).
type sumsFunc func(name string) []Checksum

// findIDX returns the path of stem in dir, preferring "<stem>.gz".
func findIDX(dir, stem string) (string, error) {
	for _, name := range []string{stem + ".gz", stem} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fileErr(filepath.Join(dir, stem+".gz"), errf(ErrNotFound, "neither %s.gz nor %s exists", stem, stem))
}

// hasIDX reports whether dir holds all four IDX files.
func hasIDX(dir string) bool {
	for _, s := range idxStems {
		if _, err := findIDX(dir, s); err != nil {
			return false
		}
	}
	return true
}

// readVerified reads the whole file and checks it against sums (when
// sums is not nil) before anyone parses it.
func readVerified(path string, sums sumsFunc) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fileErr(path, errf(ErrNotFound, "%v", err))
		}
		return nil, fileErr(path, err)
	}
	if sums != nil {
		want := sums(filepath.Base(path))
		if len(want) == 0 {
			return nil, fileErr(path, errf(ErrChecksum, "no known checksum for %s", filepath.Base(path)))
		}
		if err := verifyAny(b, want); err != nil {
			return nil, fileErr(path, err)
		}
	}
	return b, nil
}

// readIDXFile reads and parses one verified IDX file whose magic must be
// wantMagic.
func readIDXFile(path string, sums sumsFunc, wantMagic uint32) (*IDX, error) {
	b, err := readVerified(path, sums)
	if err != nil {
		return nil, err
	}
	m, err := ReadIDX(bytes.NewReader(b))
	if err != nil {
		return nil, fileErr(path, err)
	}
	if m.Magic() != wantMagic {
		return nil, fileErr(path, errf(ErrBadMagic, "got 0x%08x, want 0x%08x", m.Magic(), wantMagic))
	}
	return m, nil
}

// readIDXSplit reads an image file and its label file and checks that
// they agree: same count, labels in [0, classes), images rows × cols.
func readIDXSplit(dir, imagesStem, labelsStem string, classes int, sums sumsFunc) (rawSplit, [2]int, error) {
	var hw [2]int
	ip, err := findIDX(dir, imagesStem)
	if err != nil {
		return rawSplit{}, hw, err
	}
	lp, err := findIDX(dir, labelsStem)
	if err != nil {
		return rawSplit{}, hw, err
	}
	im, err := readIDXFile(ip, sums, MagicIDXImages)
	if err != nil {
		return rawSplit{}, hw, err
	}
	lm, err := readIDXFile(lp, sums, MagicIDXLabels)
	if err != nil {
		return rawSplit{}, hw, err
	}
	if im.Dims[0] != lm.Dims[0] {
		return rawSplit{}, hw, fileErr(lp, errf(ErrCountMismatch, "%d labels for %d images in %s", lm.Dims[0], im.Dims[0], filepath.Base(ip)))
	}
	if im.Dims[0] == 0 || im.Dims[1] == 0 || im.Dims[2] == 0 {
		return rawSplit{}, hw, fileErr(ip, errf(ErrMalformed, "%d images of %d×%d pixels, want at least one non-empty image", im.Dims[0], im.Dims[1], im.Dims[2]))
	}
	y := make([]int, len(lm.Data))
	for i, v := range lm.Data {
		if int(v) >= classes {
			return rawSplit{}, hw, fileErr(lp, errf(ErrLabelRange, "label %d of sample %d outside [0, %d)", v, i, classes))
		}
		y[i] = int(v)
	}
	hw = [2]int{im.Dims[1], im.Dims[2]}
	return rawSplit{pix: im.Data, y: y}, hw, nil
}

// readIDXDataset reads the four IDX files of dir into a rawData with
// single-channel images of equal size in both splits.
func readIDXDataset(name, dir string, classes int, sums sumsFunc) (*rawData, error) {
	// The test split is read concurrently with the (six times larger)
	// training split; gzip decoding dominates the load time.
	var (
		test    rawSplit
		hw2     [2]int
		testErr error
		done    = make(chan struct{})
	)
	go func() {
		defer close(done)
		test, hw2, testErr = readIDXSplit(dir, testImagesStem, testLabelsStem, classes, sums)
	}()
	train, hw, err := readIDXSplit(dir, trainImagesStem, trainLabelsStem, classes, sums)
	<-done
	if err != nil {
		return nil, err
	}
	if testErr != nil {
		return nil, testErr
	}
	if hw != hw2 {
		p, _ := findIDX(dir, testImagesStem)
		return nil, fileErr(p, errf(ErrMalformed, "test images are %d×%d, training images %d×%d", hw2[0], hw2[1], hw[0], hw[1]))
	}
	return &rawData{name: name, classes: classes, shape: [3]int{1, hw[0], hw[1]}, train: train, test: test}, nil
}

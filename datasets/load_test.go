package datasets_test

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// statTol is the tolerance on means and standard deviations computed in
// float32.
const statTol = 1e-4

// loadFixture writes fx into dir/mnist (with a manifest) and loads it.
func loadFixture(t *testing.T, fx idxFixture, norm datasets.Normalization) (*datasets.Dataset, error) {
	t.Helper()
	dir := t.TempDir()
	fx.write(t, filepath.Join(dir, datasets.MNISTFolder), true)
	return datasets.Load("mnist", datasets.Options{Dir: dir, Normalization: norm})
}

func TestLoadIDXFolder(t *testing.T) {
	for _, gz := range []bool{true, false} {
		fx := newIDXFixture(t, 30, 12, gz)
		ds, err := loadFixture(t, fx, datasets.NormNone)
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if ds.Name != "mnist" || ds.Classes != 10 || ds.Features != 12 || ds.Shape != [3]int{1, 4, 3} {
			t.Errorf("got %s classes %d features %d shape %v", ds.Name, ds.Classes, ds.Features, ds.Shape)
		}
		if ds.Train.Len() != 30 || ds.Test.Len() != 12 || len(ds.Train.X) != 30*12 || len(ds.Test.X) != 12*12 {
			t.Fatalf("got %d/%d samples, %d/%d values", ds.Train.Len(), ds.Test.Len(), len(ds.Train.X), len(ds.Test.X))
		}
		trI, trL := idxImages(30, 4, 3, 10, fixtureSeed)
		for i, v := range trI.Data {
			if ds.Train.X[i] != float32(v) {
				t.Fatalf("train value %d = %v, want %d", i, ds.Train.X[i], v)
			}
		}
		for i, v := range trL.Data {
			if ds.Train.Y[i] != int(v) {
				t.Fatalf("train label %d = %d, want %d", i, ds.Train.Y[i], v)
			}
		}
	}
}

func TestNormalization(t *testing.T) {
	fx := newIDXFixture(t, 40, 10, true)
	none, err := loadFixture(t, fx, datasets.NormNone)
	if err != nil {
		t.Fatal(err)
	}
	unit, err := loadFixture(t, fx, datasets.NormUnit)
	if err != nil {
		t.Fatal(err)
	}
	std, err := loadFixture(t, fx, datasets.NormStandardize)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range none.Train.X {
		if want := v / 255; math.Abs(float64(unit.Train.X[i]-want)) > 1e-7 {
			t.Fatalf("unit value %d = %v, want %v", i, unit.Train.X[i], want)
		}
		if want := (float64(v)/255 - std.Mean[0]) / std.Std[0]; math.Abs(float64(std.Train.X[i])-want) > statTol {
			t.Fatalf("standardized value %d = %v, want %v", i, std.Train.X[i], want)
		}
	}
	// The training split is standardised to mean 0, variance 1; the test
	// split reuses the training statistics.
	mean, sd := meanStd(std.Train.X)
	if math.Abs(mean) > statTol || math.Abs(sd-1) > statTol {
		t.Errorf("standardized train mean %v std %v, want 0 and 1", mean, sd)
	}
	rawMean, rawSD := meanStd(none.Train.X)
	if math.Abs(rawMean/255-std.Mean[0]) > statTol || math.Abs(rawSD/255-std.Std[0]) > statTol {
		t.Errorf("recorded mean %v std %v, want %v %v", std.Mean, std.Std, rawMean/255, rawSD/255)
	}
	if want := (float64(none.Test.X[3])/255 - std.Mean[0]) / std.Std[0]; math.Abs(float64(std.Test.X[3])-want) > statTol {
		t.Errorf("test value %v, want %v (training statistics)", std.Test.X[3], want)
	}
	if unit.Mean != nil || none.Std != nil {
		t.Errorf("Mean/Std recorded without standardising")
	}
	if _, err := datasets.Load("synthetic", datasets.Options{Normalization: 7}); err == nil || !strings.Contains(err.Error(), "normalization = 7") {
		t.Errorf("bad normalization: got %v", err)
	}
}

func TestNormalizationText(t *testing.T) {
	for _, n := range []datasets.Normalization{datasets.NormStandardize, datasets.NormUnit, datasets.NormNone} {
		b, err := n.MarshalText()
		var got datasets.Normalization
		if err != nil || got.UnmarshalText(b) != nil || got != n {
			t.Errorf("%v: text %q (%v) reads back as %v", n, b, err, got)
		}
	}
	var n datasets.Normalization
	if err := n.UnmarshalText([]byte("zscore")); err == nil {
		t.Error("UnmarshalText(zscore): no error")
	}
	if _, err := datasets.Normalization(3).MarshalText(); err == nil {
		t.Error("MarshalText of Normalization(3): no error")
	}
}

func meanStd(x []float32) (mean, sd float64) {
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		sd += (float64(v) - mean) * (float64(v) - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)))
}

func TestLoadErrors(t *testing.T) {
	good := newIDXFixture(t, 6, 4, true)
	labelsMagicImages := encodeIDX(t, &datasets.IDX{Dims: []int{6}, Data: make([]byte, 6)}, true)
	_, fewLabels := idxImages(5, 4, 3, 10, fixtureSeed)
	badLabel := &datasets.IDX{Dims: []int{6}, Data: []byte{0, 1, 2, 10, 4, 5}}
	otherImg, _ := idxImages(4, 5, 3, 10, fixtureSeed)
	cases := []struct {
		name    string
		file    string
		content []byte
		want    error
	}{
		{"bad magic", "train-images-idx3-ubyte.gz", labelsMagicImages, datasets.ErrBadMagic},
		{"count mismatch", "train-labels-idx1-ubyte.gz", encodeIDX(t, fewLabels, true), datasets.ErrCountMismatch},
		{"label range", "train-labels-idx1-ubyte.gz", encodeIDX(t, badLabel, true), datasets.ErrLabelRange},
		{"truncated", "t10k-images-idx3-ubyte.gz", good["t10k-images-idx3-ubyte.gz"][:30], datasets.ErrTruncated},
		{"image size differs", "t10k-images-idx3-ubyte.gz", encodeIDX(t, otherImg, true), datasets.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := idxFixture{}
			for k, v := range good {
				fx[k] = v
			}
			fx[c.file] = c.content
			dir := t.TempDir()
			fx.write(t, filepath.Join(dir, datasets.MNISTFolder), true) // manifest matches the bad file
			ds, err := datasets.Load("mnist", datasets.Options{Dir: dir})
			if ds != nil {
				t.Errorf("dataset returned with error %v", err)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.file) {
				t.Errorf("error %q does not name %s", err, c.file)
			}
		})
	}
}

// TestLoadEmptyImages checks that images with no pixels are refused (the
// statistics loop would otherwise never advance).
func TestLoadEmptyImages(t *testing.T) {
	for _, dims := range [][]int{{6, 0, 3}, {6, 4, 0}, {6, 0, 0}} {
		fx := newIDXFixture(t, 6, 4, true)
		train := &datasets.IDX{Dims: dims, Data: []byte{}}
		test := &datasets.IDX{Dims: []int{4, dims[1], dims[2]}, Data: []byte{}}
		fx["train-images-idx3-ubyte.gz"] = encodeIDX(t, train, true)
		fx["t10k-images-idx3-ubyte.gz"] = encodeIDX(t, test, true)
		ds, err := loadFixture(t, fx, datasets.NormStandardize)
		if ds != nil || !errors.Is(err, datasets.ErrMalformed) || !strings.Contains(err.Error(), "images-idx3-ubyte.gz") {
			t.Errorf("dims %v: got %v, want ErrMalformed naming the image file", dims, err)
		}
	}
}

func TestLoadChecksums(t *testing.T) {
	fx := newIDXFixture(t, 6, 4, true)
	t.Run("tampered file", func(t *testing.T) {
		dir := t.TempDir()
		mdir := filepath.Join(dir, datasets.MNISTFolder)
		fx.write(t, mdir, true)
		tampered := encodeIDX(t, &datasets.IDX{Dims: []int{4}, Data: []byte{9, 9, 9, 9}}, true)
		if err := os.WriteFile(filepath.Join(mdir, "t10k-labels-idx1-ubyte.gz"), tampered, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := datasets.Load("mnist", datasets.Options{Dir: dir})
		if !errors.Is(err, datasets.ErrChecksum) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz") {
			t.Errorf("got %v, want ErrChecksum naming the file", err)
		}
		if err := datasets.Verify("mnist", datasets.Options{Dir: dir}); !errors.Is(err, datasets.ErrChecksum) {
			t.Errorf("Verify: got %v, want ErrChecksum", err)
		}
	})
	t.Run("no manifest, not the canonical files", func(t *testing.T) {
		dir := t.TempDir()
		fx.write(t, filepath.Join(dir, datasets.MNISTFolder), false)
		if _, err := datasets.Load("mnist", datasets.Options{Dir: dir}); !errors.Is(err, datasets.ErrChecksum) {
			t.Errorf("got %v, want ErrChecksum against the canonical MNIST checksums", err)
		}
	})
	t.Run("no manifest, canonical table", func(t *testing.T) {
		defer datasets.SetMNISTChecksums(fx.checksums())()
		dir := t.TempDir()
		fx.write(t, filepath.Join(dir, datasets.MNISTFolder), false)
		if _, err := datasets.Load("mnist", datasets.Options{Dir: dir}); err != nil {
			t.Errorf("got %v", err)
		}
		if err := datasets.Verify("mnist", datasets.Options{Dir: dir}); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
	t.Run("malformed manifest", func(t *testing.T) {
		dir := t.TempDir()
		mdir := filepath.Join(dir, datasets.MNISTFolder)
		fx.write(t, mdir, false)
		for _, content := range []string{`{"files": [`, `{"files": []}`, `{"files": [{"name": "a", "sha256": "crc:1"}]}`, `{"bogus": 1}`,
			`{"files": [{"name": "a", "sha256": "sha256:` + strings.Repeat("0", 64) + `"}]} {`} {
			if err := os.WriteFile(filepath.Join(mdir, datasets.ManifestName), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := datasets.Load("mnist", datasets.Options{Dir: dir})
			if !errors.Is(err, datasets.ErrMalformed) || !strings.Contains(err.Error(), datasets.ManifestName) {
				t.Errorf("manifest %s: got %v, want ErrMalformed naming it", content, err)
			}
		}
	})
	t.Run("file not in the manifest", func(t *testing.T) {
		dir := t.TempDir()
		mdir := filepath.Join(dir, datasets.MNISTFolder)
		fx.write(t, mdir, false)
		man := datasets.Manifest{Dataset: "mnist", Source: "fixture"}
		for name, b := range fx {
			if name != "t10k-images-idx3-ubyte.gz" {
				man.Files = append(man.Files, datasets.ManifestFile{Name: name, Bytes: int64(len(b)), SHA256: datasets.SHA256Of(b)})
			}
		}
		b, err := json.Marshal(man)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mdir, datasets.ManifestName), b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = datasets.Load("mnist", datasets.Options{Dir: dir})
		if !errors.Is(err, datasets.ErrChecksum) || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte.gz: checksum mismatch: no known checksum") {
			t.Errorf("got %v, want ErrChecksum for the unlisted file", err)
		}
	})
	t.Run("missing manifest", func(t *testing.T) {
		if _, err := datasets.ReadManifest(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v, want fs.ErrNotExist", err)
		}
	})
}

func TestLoadUnknown(t *testing.T) {
	_, err := datasets.Load("imagenet", datasets.Options{})
	if err == nil || !strings.Contains(err.Error(), `"imagenet"`) || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Errorf("got %v, want an error naming the dataset and the choices", err)
	}
	if err := datasets.Verify("cifar10", datasets.Options{}); err == nil {
		t.Error("Verify(cifar10): no error")
	}
}

func TestLoadFashionMissing(t *testing.T) {
	_, err := datasets.Load("fashion-mnist", datasets.Options{Dir: t.TempDir()})
	if !errors.Is(err, datasets.ErrNotFound) || !strings.Contains(err.Error(), "make data") {
		t.Errorf("got %v, want ErrNotFound telling to run make data", err)
	}
}

func TestChecksumVerify(t *testing.T) {
	data := []byte("hypersimplex")
	cases := []struct {
		sum  datasets.Checksum
		want error
	}{
		{datasets.SHA256Of(data), nil},
		{"md5:" + "a6a0f4d1a8dfc2bd0e7e6e6d1b0f7c87", datasets.ErrChecksum},
		{datasets.Checksum("sha256:" + strings.Repeat("0", 64)), datasets.ErrChecksum},
		{"sha1:abc", datasets.ErrMalformed},
		{"sha256:abc", datasets.ErrMalformed},
		{datasets.Checksum("sha256:" + strings.Repeat("z", 64)), datasets.ErrMalformed},
		{datasets.Checksum("md5:" + strings.ToUpper(md5Hypersimplex)), nil},
	}
	for _, c := range cases {
		if err := c.sum.Verify(data); !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("%s: got %v, want %v", c.sum, err, c.want)
		}
	}
	// MD5 of "hypersimplex", computed independently with md5sum.
	if err := datasets.Checksum("md5:" + md5Hypersimplex).Verify(data); err != nil {
		t.Errorf("md5: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.bin")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failure := errors.New("interrupted")
	err := datasets.WriteFileAtomic(path, func(f io.Writer) error {
		f.Write([]byte("half-written"))
		return failure
	})
	if !errors.Is(err, failure) {
		t.Errorf("got %v, want the write error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file now %q, want the old content", b)
	}
	noTempFiles(t, dir)
	if err := datasets.WriteFileAtomic(path, func(f io.Writer) error { _, err := f.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file now %q, want new", b)
	}
	noTempFiles(t, dir)
}

// md5Hypersimplex is `printf hypersimplex | md5sum`.
const md5Hypersimplex = "73ea6d59484a4dd6e1b786a386ba47dc"

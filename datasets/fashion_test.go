package datasets_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// npmMember is one file of a fake npm tarball.
type npmMember struct{ name, body string }

// npmTarball returns a gzipped tar of the members.
func npmTarball(t testing.TB, members []npmMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fashionPixel is the value of pixel j of image i of class c in the fake
// package: every image is distinct and identifies its origin.
func fashionPixel(c, i, j int) int { return (c*31 + i*7 + j) % 256 }

// fashionJSON returns {"data": [...]} with n images of class c; the
// positions in empty get [] instead.
func fashionJSON(c, n int, empty ...int) string {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	k := 0
	for i := 0; i < n+len(empty); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if slices.Contains(empty, i) {
			b.WriteString("[]")
			continue
		}
		b.WriteByte('[')
		for j := range 784 {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprint(&b, fashionPixel(c, k, j))
		}
		b.WriteByte(']')
		k++
	}
	b.WriteString("]}")
	return b.String()
}

// fashionMembers returns the ten class files with perClass images each,
// class 0 having two empty entries like the real package.
func fashionMembers(perClass int) []npmMember {
	ms := []npmMember{{"package/package.json", `{"name": "fashion-mnist"}`}}
	for c := range 10 {
		var empty []int
		if c == 0 {
			empty = []int{1, perClass + 1}
		}
		ms = append(ms, npmMember{fmt.Sprintf("package/src/clothes/%d.json", c), fashionJSON(c, perClass, empty...)})
	}
	return ms
}

func TestReadFashionMNISTNPM(t *testing.T) {
	imgs, err := datasets.ReadFashionMNISTNPM(bytes.NewReader(npmTarball(t, fashionMembers(7))))
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs.Labels) != 70 || len(imgs.Pix) != 70*784 || imgs.Dropped != 2 {
		t.Fatalf("got %d labels, %d pixels, %d dropped; want 70, %d, 2", len(imgs.Labels), len(imgs.Pix), imgs.Dropped, 70*784)
	}
	for k, c := range imgs.Labels {
		i := k % 7
		if c != k/7 {
			t.Fatalf("label %d = %d, want %d (class order)", k, c, k/7)
		}
		for j := range 784 {
			if got := int(imgs.Pix[k*784+j]); got != fashionPixel(c, i, j) {
				t.Fatalf("image %d pixel %d = %d, want %d", k, j, got, fashionPixel(c, i, j))
			}
		}
	}
}

func TestReadFashionMNISTNPMErrors(t *testing.T) {
	good := fashionMembers(2)
	with := func(c int, body string) []npmMember {
		ms := slices.Clone(good)
		ms[c+1].body = body
		return ms
	}
	valid := npmTarball(t, good)
	cases := []struct {
		name    string
		tarball []byte
		want    error
		member  string
	}{
		{"bad JSON", npmTarball(t, with(3, `{"data": [[1, 2,]]}`)), datasets.ErrMalformed, "3.json"},
		{"cut JSON", npmTarball(t, with(3, `{"data": [[1, 2`)), datasets.ErrTruncated, "3.json"},
		{"no data key", npmTarball(t, with(4, `{"images": []}`)), datasets.ErrMalformed, "4.json"},
		{"null data", npmTarball(t, with(4, `{"data": null}`)), datasets.ErrMalformed, "4.json"},
		{"null entry", npmTarball(t, with(4, `{"data": [[], null]}`)), datasets.ErrMalformed, "4.json"},
		{"trailing input", npmTarball(t, with(7, fashionJSON(7, 1)+`{`)), datasets.ErrMalformed, "7.json"},
		{"two documents", npmTarball(t, with(7, fashionJSON(7, 1)+fashionJSON(7, 1))), datasets.ErrMalformed, "7.json"},
		{"short image", npmTarball(t, with(5, `{"data": [[1, 2, 3]]}`)), datasets.ErrMalformed, "5.json"},
		{"pixel range", npmTarball(t, with(6, firstPixel(6, "256"))), datasets.ErrMalformed, "6.json"},
		{"fraction", npmTarball(t, with(6, firstPixel(6, "0.5"))), datasets.ErrMalformed, "6.json"},
		{"missing class", npmTarball(t, good[:10]), datasets.ErrMalformed, "9.json"},
		{"repeated class", npmTarball(t, append(slices.Clone(good), good[1])), datasets.ErrMalformed, "0.json"},
		{"cut tarball", valid[:len(valid)/2], datasets.ErrTruncated, ""},
		{"not gzip", []byte("not a tarball at all"), datasets.ErrMalformed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			imgs, err := datasets.ReadFashionMNISTNPM(bytes.NewReader(c.tarball))
			if imgs != nil {
				t.Error("partial images returned with an error")
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.member) {
				t.Errorf("error %q does not name %s", err, c.member)
			}
		})
	}
}

// firstPixel returns the class-c file of one image with its first pixel
// replaced by v.
func firstPixel(c int, v string) string {
	old := fmt.Sprintf("[[%d,", fashionPixel(c, 0, 0))
	return strings.Replace(fashionJSON(c, 1), old, "[["+v+",", 1)
}

// convertFixture writes the fake tarball and converts it into a new data
// folder.
func convertFixture(t *testing.T, perClass int, seed int64) (dataDir string, man *datasets.Manifest) {
	t.Helper()
	tgz := filepath.Join(t.TempDir(), datasets.FashionMNISTNPMTarball)
	b := npmTarball(t, fashionMembers(perClass))
	if err := os.WriteFile(tgz, b, 0o644); err != nil {
		t.Fatal(err)
	}
	dataDir = t.TempDir()
	man, err := datasets.ConvertFashionMNISTNPM(tgz, dataDir, datasets.SHA256Of(b), seed, datasets.FashionMNISTTestFraction)
	if err != nil {
		t.Fatal(err)
	}
	return dataDir, man
}

func TestConvertFashionMNISTNPM(t *testing.T) {
	dataDir, man := convertFixture(t, 7, datasets.FashionMNISTSplitSeed)
	if man.Train != 60 || man.Test != 10 || man.Dropped != 2 || len(man.Files) != 4 {
		t.Fatalf("manifest %+v, want 60 train, 10 test, 2 dropped, 4 files", man)
	}
	noTempFiles(t, filepath.Join(dataDir, datasets.FashionMNISTFolder))
	read, err := datasets.ReadManifest(filepath.Join(dataDir, datasets.FashionMNISTFolder))
	if err != nil || read.Train != 60 || read.Files[0] != man.Files[0] {
		t.Fatalf("manifest on disk %+v, %v", read, err)
	}
	ds, err := datasets.Load("fashion-mnist", datasets.Options{Dir: dataDir, Normalization: datasets.NormNone})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Shape != [3]int{1, 28, 28} || ds.Classes != 10 {
		t.Errorf("shape %v classes %d", ds.Shape, ds.Classes)
	}
	// Stratified: 6 train and 1 test image per class.
	for c, n := range ds.Train.ClassCounts(10) {
		if n != 6 || ds.Test.ClassCounts(10)[c] != 1 {
			t.Errorf("class %d: %d train, %d test; want 6 and 1", c, n, ds.Test.ClassCounts(10)[c])
		}
	}
	// Every source image appears exactly once, with its own label.
	seen := map[[2]int]int{}
	for _, s := range []datasets.Split{ds.Train, ds.Test} {
		for k, c := range s.Y {
			row := s.X[k*784 : (k+1)*784]
			i := -1
			for cand := range 7 {
				if int(row[0]) == fashionPixel(c, cand, 0) && int(row[1]) == fashionPixel(c, cand, 1) {
					i = cand
				}
			}
			if i < 0 {
				t.Fatalf("row %d with label %d matches no image of class %d", k, c, c)
			}
			seen[[2]int{c, i}]++
		}
	}
	if len(seen) != 70 {
		t.Errorf("%d distinct images, want 70", len(seen))
	}
	// Deterministic: the same seed writes the same bytes; another seed
	// another split.
	_, again := convertFixture(t, 7, datasets.FashionMNISTSplitSeed)
	if !slices.Equal(again.Files, man.Files) {
		t.Errorf("second conversion differs: %v vs %v", again.Files, man.Files)
	}
	_, other := convertFixture(t, 7, datasets.FashionMNISTSplitSeed+1)
	if other.Files[1].SHA256 == man.Files[1].SHA256 {
		t.Errorf("another seed gave the same training labels")
	}
}

func TestConvertFashionMNISTNPMErrors(t *testing.T) {
	dir := t.TempDir()
	tgz := filepath.Join(dir, "f.tgz")
	if err := os.WriteFile(tgz, npmTarball(t, fashionMembers(1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := datasets.ConvertFashionMNISTNPM(tgz, dir, datasets.FashionMNISTNPMSHA256, 1, datasets.FashionMNISTTestFraction)
	if !errors.Is(err, datasets.ErrChecksum) || !strings.Contains(err.Error(), tgz) {
		t.Errorf("wrong tarball: got %v, want ErrChecksum naming it", err)
	}
	_, err = datasets.ConvertFashionMNISTNPM(tgz, dir, "", 1, datasets.FashionMNISTTestFraction)
	if !errors.Is(err, datasets.ErrMalformed) {
		t.Errorf("one image per class: got %v, want ErrMalformed (empty test split)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, datasets.FashionMNISTFolder, datasets.ManifestName)); err == nil {
		t.Error("a manifest was written by a failed conversion")
	}
	_, err = datasets.ConvertFashionMNISTNPM(filepath.Join(dir, "missing.tgz"), dir, "", 1, 0.1)
	if err == nil || !strings.Contains(err.Error(), "missing.tgz") {
		t.Errorf("missing tarball: got %v", err)
	}
}

func TestFashionTamperedAndUnmanifested(t *testing.T) {
	dataDir, _ := convertFixture(t, 7, 1)
	fdir := filepath.Join(dataDir, datasets.FashionMNISTFolder)
	lp := filepath.Join(fdir, "train-labels-idx1-ubyte.gz")
	b, err := os.ReadFile(lp)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(lp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := datasets.Load("fashion-mnist", datasets.Options{Dir: dataDir}); !errors.Is(err, datasets.ErrChecksum) {
		t.Errorf("tampered: got %v, want ErrChecksum", err)
	}
	// Without a manifest the files must be the official ones (MD5).
	if err := os.Remove(filepath.Join(fdir, datasets.ManifestName)); err != nil {
		t.Fatal(err)
	}
	_, err = datasets.Load("fashion-mnist", datasets.Options{Dir: dataDir})
	if !errors.Is(err, datasets.ErrChecksum) || !strings.Contains(err.Error(), "md5") {
		t.Errorf("no manifest: got %v, want an MD5 ErrChecksum", err)
	}
}

package datasets_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// fixtureSeed seeds every generated fixture.
const fixtureSeed = 7

// idxImages returns n random h×w images and n labels in [0, classes).
func idxImages(n, h, w, classes int, seed uint64) (*datasets.IDX, *datasets.IDX) {
	rng := rand.New(rand.NewPCG(seed, 1))
	im := &datasets.IDX{Dims: []int{n, h, w}, Data: make([]byte, n*h*w)}
	for i := range im.Data {
		im.Data[i] = byte(rng.IntN(256))
	}
	lb := &datasets.IDX{Dims: []int{n}, Data: make([]byte, n)}
	for i := range lb.Data {
		lb.Data[i] = byte(i % classes)
	}
	return im, lb
}

// encodeIDX returns m as IDX bytes, gzipped when gz.
func encodeIDX(t testing.TB, m *datasets.IDX, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if gz {
		zw := gzip.NewWriter(&buf)
		if err := datasets.WriteIDX(zw, m); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	} else if err := datasets.WriteIDX(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// idxFixture is an MNIST-format dataset folder: file name → content.
type idxFixture map[string][]byte

// newIDXFixture returns a 10-class fixture with nTrain/nTest 4×3 images.
func newIDXFixture(t testing.TB, nTrain, nTest int, gz bool) idxFixture {
	t.Helper()
	ext := ""
	if gz {
		ext = ".gz"
	}
	trI, trL := idxImages(nTrain, 4, 3, 10, fixtureSeed)
	teI, teL := idxImages(nTest, 4, 3, 10, fixtureSeed+1)
	return idxFixture{
		"train-images-idx3-ubyte" + ext: encodeIDX(t, trI, gz),
		"train-labels-idx1-ubyte" + ext: encodeIDX(t, trL, gz),
		"t10k-images-idx3-ubyte" + ext:  encodeIDX(t, teI, gz),
		"t10k-labels-idx1-ubyte" + ext:  encodeIDX(t, teL, gz),
	}
}

// checksums returns the SHA-256 table of the fixture's files.
func (f idxFixture) checksums() map[string][]datasets.Checksum {
	m := map[string][]datasets.Checksum{}
	for name, b := range f {
		m[name] = []datasets.Checksum{datasets.SHA256Of(b)}
	}
	return m
}

// write puts the files into dir, with a manifest when withManifest.
func (f idxFixture) write(t testing.TB, dir string, withManifest bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	man := datasets.Manifest{Dataset: "fixture", Source: "fixture"}
	for name, b := range f {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		man.Files = append(man.Files, datasets.ManifestFile{Name: name, Bytes: int64(len(b)), SHA256: datasets.SHA256Of(b)})
	}
	if withManifest {
		b, err := json.Marshal(man)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, datasets.ManifestName), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// noTempFiles fails when dir holds a leftover temporary file.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

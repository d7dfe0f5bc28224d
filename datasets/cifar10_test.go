package datasets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// cifarRecords returns n CIFAR-10 binary records: label (first+i) mod 10,
// pixel p of record i = (i + p + first) mod 256.
func cifarRecords(n, first int) []byte {
	var b []byte
	for i := range n {
		b = append(b, byte((first+i)%10))
		for p := range 3072 {
			b = append(b, byte((first+i+p)%256))
		}
	}
	return b
}

func TestReadCIFAR10(t *testing.T) {
	pix, y, err := datasets.ReadCIFAR10(bytes.NewReader(cifarRecords(3, 8)))
	if err != nil {
		t.Fatal(err)
	}
	if len(y) != 3 || len(pix) != 3*3072 {
		t.Fatalf("got %d labels %d pixels", len(y), len(pix))
	}
	for i, want := range []int{8, 9, 0} {
		if y[i] != want || pix[i*3072+5] != byte(8+i+5) {
			t.Errorf("record %d: label %d pixel5 %d", i, y[i], pix[i*3072+5])
		}
	}
}

func TestReadCIFAR10Errors(t *testing.T) {
	rec := cifarRecords(2, 0)
	badLabel := bytes.Clone(rec)
	badLabel[3073] = 10
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, datasets.ErrTruncated},
		{"cut record", rec[:len(rec)-1], datasets.ErrTruncated},
		{"label only", rec[:3074], datasets.ErrTruncated},
		{"label 10", badLabel, datasets.ErrLabelRange},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pix, y, err := datasets.ReadCIFAR10(bytes.NewReader(c.input))
			if !errors.Is(err, c.want) || pix != nil || y != nil {
				t.Errorf("got %d pixels, %d labels, %v; want nothing and %v", len(pix), len(y), err, c.want)
			}
		})
	}
}

// writeCIFAR writes tiny batch files: 2 records per training batch, 3 test.
func writeCIFAR(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		name := filepath.Join(dir, "data_batch_"+string(rune('0'+i))+".bin")
		if err := os.WriteFile(name, cifarRecords(2, 2*(i-1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "test_batch.bin"), cifarRecords(3, 100), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadCIFAR10(t *testing.T) {
	dir := t.TempDir()
	cdir := filepath.Join(dir, datasets.CIFAR10Folder)
	writeCIFAR(t, cdir)
	ds, err := datasets.Load("cifar10", datasets.Options{Dir: dir, Normalization: datasets.NormNone})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Shape != [3]int{3, 32, 32} || ds.Features != 3072 || ds.Train.Len() != 10 || ds.Test.Len() != 3 {
		t.Fatalf("shape %v features %d, %d/%d samples", ds.Shape, ds.Features, ds.Train.Len(), ds.Test.Len())
	}
	// Record i of the training set is record i of the concatenated
	// batches; value (channel c, row r, column q) is byte 1 + c·1024 + r·32 + q.
	for i := range 10 {
		for _, p := range []int{0, 1023, 1024, 2048 + 32*5 + 7, 3071} {
			if got, want := ds.Train.X[i*3072+p], float32((i+p)%256); got != want {
				t.Fatalf("train %d value %d = %v, want %v", i, p, got, want)
			}
		}
		if ds.Train.Y[i] != i%10 {
			t.Errorf("label %d = %d", i, ds.Train.Y[i])
		}
	}
	std, err := datasets.Load("cifar10", datasets.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(std.Mean) != 3 || len(std.Std) != 3 {
		t.Errorf("per-channel statistics: mean %v std %v", std.Mean, std.Std)
	}
}

func TestLoadCIFAR10Errors(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		_, err := datasets.Load("cifar10", datasets.Options{Dir: t.TempDir()})
		if !errors.Is(err, datasets.ErrNotFound) || !strings.Contains(err.Error(), "cifar-10-binary.tar.gz") {
			t.Errorf("got %v, want ErrNotFound with the download URL", err)
		}
	})
	t.Run("truncated batch", func(t *testing.T) {
		dir := t.TempDir()
		cdir := filepath.Join(dir, datasets.CIFAR10Folder)
		writeCIFAR(t, cdir)
		p := filepath.Join(cdir, "data_batch_3.bin")
		if err := os.WriteFile(p, cifarRecords(2, 0)[:5000], 0o644); err != nil {
			t.Fatal(err)
		}
		ds, err := datasets.Load("cifar10", datasets.Options{Dir: dir})
		if ds != nil || !errors.Is(err, datasets.ErrTruncated) || !strings.Contains(err.Error(), p) {
			t.Errorf("got %v, want ErrTruncated naming %s", err, p)
		}
	})
}

// FuzzReadCIFAR10 checks that arbitrary input never panics and that a
// successful read accounts for every byte.
func FuzzReadCIFAR10(f *testing.F) {
	f.Add(cifarRecords(1, 3))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		pix, y, err := datasets.ReadCIFAR10(bytes.NewReader(b))
		if err == nil && len(pix)+len(y) != len(b) {
			t.Fatalf("%d bytes read as %d pixels and %d labels", len(b), len(pix), len(y))
		}
	})
}

package gbrt_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
)

func TestReadCSV(t *testing.T) {
	d, err := gbrt.ReadCSV(strings.NewReader("a,b,label\n1,2.5,1\n-3, 4e2 ,0\n"), "tiny")
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows != 2 || d.Cols != 2 || !slices.Equal(d.X, []float32{1, 2.5, -3, 400}) || !slices.Equal(d.Y, []float32{1, 0}) {
		t.Errorf("ReadCSV = %+v", d)
	}
	bad := []struct{ name, csv, want string }{
		{"empty", "", "no header row"},
		{"header only", "a,label\n", "0 rows"},
		{"one column", "label\n1\n", "header has 1 columns"},
		{"NaN feature", "a,label\nNaN,1\n", "(row 0, column 0) = NaN"},
		{"label 2", "a,label\n1,0\n1,2\n", "label of row 1 = 2"},
		{"text", "a,label\n1,0\nx,1\n", `line 3, column 1: "x"`},
		{"ragged", "a,b,label\n1,2,0\n1,1\n", "wrong number of fields"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := gbrt.ReadCSV(strings.NewReader(c.csv), "bad")
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, gbrt.ErrData) {
				t.Fatalf("err = %v, want an ErrData containing %q", err, c.want)
			}
		})
	}
}

func TestSynthetic(t *testing.T) {
	cfg := gbrt.SyntheticConfig{Rows: 1000, Features: 6, Rate: 0.03, Noise: 1}
	a, err := gbrt.Synthetic(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Positives() != 30 {
		t.Errorf("%d positives, want exactly 30", a.Positives())
	}
	b, _ := gbrt.Synthetic(cfg, 7)
	c, _ := gbrt.Synthetic(cfg, 8)
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
		t.Error("the same seed gave different data")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("different seeds gave the same data")
	}
	for _, bad := range []gbrt.SyntheticConfig{{Rows: 1, Features: 2, Rate: 0.5}, {Rows: 10, Features: 1, Rate: 0.5},
		{Rows: 10, Features: 2, Rate: 1}, {Rows: 10, Features: 2, Rate: 0.5, Noise: -1}, {Rows: 10, Features: 2, Rate: 0.01}} {
		if _, err := gbrt.Synthetic(bad, 1); err == nil {
			t.Errorf("Synthetic(%+v): no error", bad)
		}
	}
}

func TestSplitStratified(t *testing.T) {
	d, err := gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 1000, Features: 3, Rate: 0.1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Rows { // make each row identifiable by its first feature
		d.X[i*d.Cols] = float32(i)
	}
	tr, va, te, err := d.Split(3, 0.2, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float32]bool{}
	for _, s := range []*gbrt.Dataset{tr, va, te} {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		for r := range s.Rows {
			id := s.X[r*s.Cols]
			if seen[id] {
				t.Fatalf("row %v in two sets", id)
			}
			seen[id] = true
			if s.Y[r] != d.Y[int(id)] {
				t.Fatalf("row %v lost its label", id)
			}
		}
	}
	if len(seen) != d.Rows {
		t.Errorf("%d rows in the sets, want %d", len(seen), d.Rows)
	}
	if tr.Rows != 600 || va.Rows != 200 || te.Rows != 200 || tr.Positives() != 60 || va.Positives() != 20 || te.Positives() != 20 {
		t.Errorf("sizes (positives) %d (%d), %d (%d), %d (%d); want 600 (60), 200 (20), 200 (20)",
			tr.Rows, tr.Positives(), va.Rows, va.Positives(), te.Rows, te.Positives())
	}
	if _, _, _, err := d.Split(3, 0.5, 0.5); err == nil {
		t.Error("fractions summing to 1: no error")
	}
	small := &gbrt.Dataset{Name: "small", Rows: 4, Cols: 1, X: []float32{1, 2, 3, 4}, Y: []float32{0, 0, 0, 1}}
	if _, _, _, err := small.Split(1, 0.2, 0.2); err == nil || !strings.Contains(err.Error(), "class 1") {
		t.Errorf("one positive: err = %v", err)
	}
}

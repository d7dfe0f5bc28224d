package op

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
)

// TestOpsHashTau checks that τ (and the layout and regularizer) are in
// WriteHash, Hashcode and String of both the forward op and its diff op, so
// Gorgonia never merges two of them.
func TestOpsHashTau(t *testing.T) {
	ops := []struct {
		name string
		make func(tau float64) G.Op
	}{
		{"forward", func(tau float64) G.Op { return &sbaOp{tau: tau} }},
		{"diff", func(tau float64) G.Op { return &sbaDiffOp{tau: tau} }},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			a, b, a2 := o.make(1.5), o.make(1.5000001), o.make(1.5)
			if a.Hashcode() == b.Hashcode() {
				t.Errorf("τ = 1.5 and 1.5000001 have the same Hashcode %d", a.Hashcode())
			}
			if a.Hashcode() != a2.Hashcode() || a.String() != a2.String() {
				t.Errorf("two ops with τ = 1.5 differ: %v (%d) and %v (%d)", a, a.Hashcode(), a2, a2.Hashcode())
			}
			if a.String() == b.String() || !strings.Contains(a.String(), "1.5") {
				t.Errorf("String() = %q and %q, want τ in each", a, b)
			}
		})
	}
	if (&sbaOp{tau: 1}).Hashcode() == (&sbaDiffOp{tau: 1}).Hashcode() {
		t.Error("the forward op and the diff op with τ = 1 have the same Hashcode")
	}
	if (&sbaOp{tau: 1}).Hashcode() == (&sbaOp{tau: 1, columns: true}).Hashcode() ||
		(&sbaDiffOp{tau: 1}).Hashcode() == (&sbaDiffOp{tau: 1, columns: true}).Hashcode() {
		t.Error("the row and column layouts have the same Hashcode")
	}
	for _, pair := range [][2]G.Op{
		{&sbaOp{tau: 1}, &sbaOp{tau: 1, reg: hypersimplex.Entropic}},
		{&sbaDiffOp{tau: 1, columns: true}, &sbaDiffOp{tau: 1, columns: true, reg: hypersimplex.Entropic}},
	} {
		if pair[0].Hashcode() == pair[1].Hashcode() || pair[0].String() == pair[1].String() {
			t.Errorf("%v and %v: the regularizer is not in Hashcode and String", pair[0], pair[1])
		}
	}
}

// TestForEachRowBlock checks that every row is visited exactly once, in
// parallel or not, and that the lowest failing block's error is returned.
func TestForEachRowBlock(t *testing.T) {
	for _, c := range []struct{ rows, n, minElems int }{
		{1, 10, 0}, {7, 10, 0}, {7, 10, 1 << 30}, {100, 3, 1}, {2, 1, 1},
	} {
		t.Run(fmt.Sprintf("%dx%d/min%d", c.rows, c.n, c.minElems), func(t *testing.T) {
			visits := make([]int32, c.rows)
			err := forEachRowBlock(c.rows, c.n, c.minElems, func(lo, hi int) error {
				for r := lo; r < hi; r++ {
					atomic.AddInt32(&visits[r], 1)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for r, v := range visits {
				if v != 1 {
					t.Fatalf("row %d visited %d times", r, v)
				}
			}
		})
	}
	errLow, errHigh := errors.New("low"), errors.New("high")
	err := forEachRowBlock(64, 1, 0, func(lo, hi int) error {
		if lo == 0 {
			return errLow
		}
		return errHigh
	})
	if err != errLow {
		t.Fatalf("got error %v, want the first block's %v", err, errLow)
	}
}

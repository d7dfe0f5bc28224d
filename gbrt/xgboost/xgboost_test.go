//go:build xgboost

package xgboost

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
)

func separable(t *testing.T) (tr, va, te *gbrt.Dataset) {
	t.Helper()
	d, err := gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 2000, Features: 3, Rate: 0.3, Noise: 0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, va, te, err = d.Split(1, 0.2, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	return tr, va, te
}

// TestLearnsSeparable: every objective learns a separable problem (the
// label a deterministic function of the features) to a test AUC near 1.
func TestLearnsSeparable(t *testing.T) {
	tr, va, te := separable(t)
	for _, name := range gbrt.Objectives {
		t.Run(name, func(t *testing.T) {
			obj, err := gbrt.ParseObjective(name, gbrt.ReferenceTau)
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewBooster(obj, DefaultParams(), tr, va, te)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			res, err := gbrt.Fit(context.Background(), b, obj, tr.Y, va.Y, gbrt.FitConfig{Rounds: 150, Patience: 20})
			if err != nil {
				t.Fatal(err)
			}
			auc, err := gbrt.AUC(res.TestMargin, te.Y)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: test AUC %.4f after %d of %d rounds", name, auc, res.BestRounds, res.Rounds)
			if auc < 0.95 {
				t.Errorf("%s: test AUC %.4f, want ≥ 0.95", name, auc)
			}
		})
	}
}

// TestBadInput: bad data and gradients give errors before they reach C;
// an error inside C comes back with XGBoost's message.
func TestBadInput(t *testing.T) {
	tr, va, te := separable(t)
	obj, _ := gbrt.ParseObjective("logistic", 0)
	nan := *tr
	nan.X = append([]float32(nil), tr.X...)
	nan.X[5] = float32(math.NaN())
	label := *tr
	label.Y = append([]float32(nil), tr.Y...)
	label.Y[3] = 2
	empty := &gbrt.Dataset{Name: "empty", Cols: tr.Cols}
	narrow := &gbrt.Dataset{Name: "narrow", Rows: 1, Cols: 1, X: []float32{1}, Y: []float32{1}}
	cases := []struct {
		name          string
		train, valid  *gbrt.Dataset
		p             Params
		want          string
		wantDataError bool
	}{
		{"NaN feature", &nan, va, DefaultParams(), "(row 1, column 2) = NaN", true},
		{"label 2", &label, va, DefaultParams(), "label of row 3 = 2", true},
		{"empty", empty, va, DefaultParams(), "0 rows", true},
		{"columns", tr, narrow, DefaultParams(), "validation set has 1 columns", false},
		{"nil", tr, nil, DefaultParams(), "validation set is nil", false},
		{"eta", tr, va, Params{Eta: 0, MaxDepth: 1, Threads: 1}, "eta = 0", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := NewBooster(obj, c.p, c.train, c.valid, te)
			if err == nil {
				b.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), c.want) || errors.Is(err, gbrt.ErrData) != c.wantDataError {
				t.Fatalf("err = %v, want one containing %q (ErrData: %v)", err, c.want, c.wantDataError)
			}
		})
	}

	b, err := NewBooster(obj, DefaultParams(), tr, va, te)
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float32, tr.Rows)
	h := make([]float32, tr.Rows)
	g[7] = float32(math.NaN())
	if err := b.Boost(0, g, h); err == nil || !strings.Contains(err.Error(), "grad[7] = NaN") {
		t.Errorf("NaN gradient: err = %v", err)
	}
	g[7], h[2] = 0, -1
	if err := b.Boost(0, g, h); err == nil || !strings.Contains(err.Error(), "hess[2] = -1") {
		t.Errorf("negative Hessian: err = %v", err)
	}
	if err := b.Boost(0, g[:3], h[:3]); err == nil || !strings.Contains(err.Error(), "len(grad) = 3") {
		t.Errorf("short gradient: err = %v", err)
	}
	if _, err := b.Margins(gbrt.Set(5)); err == nil {
		t.Error("unknown set: no error")
	}
	if err := b.th.do(func() error { return b.setParam("objective", "no:such") }); err != nil {
		t.Fatal(err) // XGBoost checks parameters when it trains
	}
	if err := b.Boost(0, nil, nil); err == nil || !strings.Contains(err.Error(), "XGBoosterUpdateOneIter") || !strings.Contains(err.Error(), "no:such") {
		t.Errorf("unknown objective inside XGBoost: err = %v", err)
	}
	b.Close()
	b.Close()
	if err := b.Boost(0, nil, nil); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("closed booster: err = %v", err)
	}
}

func TestMarginsAreRawScores(t *testing.T) {
	tr, va, te := separable(t)
	obj, _ := gbrt.ParseObjective("logistic", 0)
	b, err := NewBooster(obj, DefaultParams(), tr, va, te)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, err := b.Margins(gbrt.Test)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range m { // base_score 0.5 is the margin logit(0.5) = 0 before any tree
		if v != 0 {
			t.Fatalf("margin[%d] = %v before any round, want 0", i, v)
		}
	}
	if err := b.Boost(0, nil, nil); err != nil {
		t.Fatal(err)
	}
	if m, _ = b.Margins(gbrt.Test); len(m) != te.Rows {
		t.Fatalf("%d margins for %d test rows", len(m), te.Rows)
	}
}

func ExampleNewBooster() {
	d, _ := gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 1000, Features: 3, Rate: 0.3}, 1)
	tr, va, te, _ := d.Split(1, 0.2, 0.2)
	obj, _ := gbrt.ParseObjective("hs-gn", gbrt.ReferenceTau)
	b, err := NewBooster(obj, DefaultParams(), tr, va, te)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	res, err := gbrt.Fit(context.Background(), b, obj, tr.Y, va.Y, gbrt.FitConfig{Rounds: 100, Patience: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	auc, err := gbrt.AUC(res.TestMargin, te.Y)
	fmt.Printf("test AUC %.2f %v\n", auc, err)
	// Output: test AUC 0.94 <nil>
}

// TestOtherThread uses a booster from another OS thread than the one that
// created it, which XGBoost 1.7's thread-local prediction cache does not
// allow without the booster's own thread ("0 feature is supplied").
func TestOtherThread(t *testing.T) {
	tr, va, te := separable(t)
	obj, _ := gbrt.ParseObjective("l2", 0)
	runtime.LockOSThread() // no other goroutine runs on this thread now
	defer runtime.UnlockOSThread()
	b, err := NewBooster(obj, DefaultParams(), tr, va, te)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // a thread other than the test's
		defer runtime.UnlockOSThread()
		if err := b.Boost(0, nil, nil); err != nil {
			done <- err
			return
		}
		_, err := b.Margins(gbrt.Valid)
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

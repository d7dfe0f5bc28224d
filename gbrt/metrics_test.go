package gbrt_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/gbrt"
)

// bruteAUC counts the (positive, negative) pairs, ties ½.
func bruteAUC(s []float64, t []float32) float64 {
	var wins, pairs float64
	for i := range s {
		for j := range s {
			if t[i] == 1 && t[j] == 0 {
				pairs++
				switch {
				case s[i] > s[j]:
					wins++
				case s[i] == s[j]:
					wins += 0.5
				}
			}
		}
	}
	return wins / pairs
}

// bruteAccuracy tries every threshold between, below and above the scores.
func bruteAccuracy(s []float64, t []float32) float64 {
	best := 0.0
	cuts := append([]float64{math.Inf(-1), math.Inf(1)}, s...)
	for _, c := range cuts {
		correct := 0
		for i := range s {
			if (s[i] >= c) == (t[i] == 1) {
				correct++
			}
		}
		best = max(best, float64(correct)/float64(len(s)))
	}
	return best
}

func TestAUCAndAccuracyAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 2 + rng.IntN(30)
		s, y := make([]float64, n), make([]float32, n)
		for i := range s {
			s[i] = float64(rng.IntN(6)) // many ties
			if rng.Float64() < 0.4 {
				y[i] = 1
			}
		}
		y[0], y[1] = 0, 1
		auc, err := gbrt.AUC(s, y)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteAUC(s, y); math.Abs(auc-want) > 1e-12 {
			t.Fatalf("trial %d: AUC = %v, brute force %v", trial, auc, want)
		}
		acc, thr, err := gbrt.BestAccuracy(s, y)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteAccuracy(s, y); math.Abs(acc-want) > 1e-12 {
			t.Fatalf("trial %d: BestAccuracy = %v, brute force %v", trial, acc, want)
		}
		correct := 0
		for i := range s {
			if (s[i] >= thr) == (y[i] == 1) {
				correct++
			}
		}
		if got := float64(correct) / float64(n); got != acc {
			t.Fatalf("trial %d: threshold %v gives accuracy %v, reported %v", trial, thr, got, acc)
		}
	}
}

func TestAUCLimits(t *testing.T) {
	y := []float32{0, 0, 1, 1}
	for _, c := range []struct {
		s    []float64
		want float64
	}{{[]float64{1, 2, 3, 4}, 1}, {[]float64{4, 3, 2, 1}, 0}, {[]float64{1, 1, 1, 1}, 0.5}} {
		if got, err := gbrt.AUC(c.s, y); err != nil || got != c.want {
			t.Errorf("AUC(%v) = %v, %v, want %v", c.s, got, err, c.want)
		}
	}
}

func TestMetricErrors(t *testing.T) {
	cases := []struct {
		name string
		f    func() error
		want string
	}{
		{"AUC one class", func() error { _, err := gbrt.AUC([]float64{1, 2}, []float32{1, 1}); return err }, "2 positives and 0 negatives"},
		{"AUC empty", func() error { _, err := gbrt.AUC(nil, nil); return err }, "no samples"},
		{"AUC NaN", func() error { _, err := gbrt.AUC([]float64{1, math.NaN()}, []float32{1, 0}); return err }, "score[1] = NaN"},
		{"AUC label", func() error { _, err := gbrt.AUC([]float64{1, 2}, []float32{1, 0.5}); return err }, "label[1] = 0.5"},
		{"AUC length", func() error { _, err := gbrt.AUC([]float64{1, 2}, []float32{1}); return err }, "len(labels) = 1"},
		{"accuracy Inf", func() error { _, _, err := gbrt.BestAccuracy([]float64{math.Inf(1)}, []float32{1}); return err }, "score[0] = +Inf"},
		{"log-loss range", func() error { _, err := gbrt.LogLoss([]float64{1.5}, []float32{1}); return err }, "probability[0] = 1.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.f(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestLogLoss(t *testing.T) {
	got, err := gbrt.LogLoss([]float64{0.8, 0.4, 1, 0}, []float32{1, 0, 1, 0})
	want := -(math.Log(0.8) + math.Log(0.6)) / 4 // the certain right answers cost ≈ 1e-15
	if err != nil || math.Abs(got-want) > 1e-12 {
		t.Errorf("LogLoss = %v, %v, want %v", got, err, want)
	}
	got, err = gbrt.LogLoss([]float64{0}, []float32{1}) // clipped, not +Inf
	if err != nil || math.Abs(got+math.Log(1e-15)) > 1e-9 {
		t.Errorf("LogLoss of a certain wrong answer = %v, %v, want −log(1e-15)", got, err)
	}
}

func TestSigmoid(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{{0, 0.5}, {800, 1}, {-800, 0}, {math.Log(3), 0.75}} {
		if got := gbrt.Sigmoid(c.x); math.Abs(got-c.want) > 1e-15 || math.IsNaN(got) {
			t.Errorf("Sigmoid(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

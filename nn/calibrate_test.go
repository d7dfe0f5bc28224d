package nn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	"gorgonia.org/tensor"
)

// Tolerances of the FitClassOffsets tests.
const (
	// offsetGradTol bounds ‖∇f‖∞ at the returned offsets (FitClassOffsets
	// stops below 1e-11 or accepts up to 1e-8).
	offsetGradTol = 1e-8
	// offsetTol compares offsets with a closed form or an independent fit.
	offsetTol = 1e-7
)

// meanCE is f(b) of FitClassOffsets, written out independently: the mean
// over rows of logsumexp(z_i + b) − (z_i + b)_{y_i}, and its gradient
// mean(softmax(z_i + b)) − class frequencies.
func meanCE(logits []float64, labels []int, b []float64) (f float64, grad []float64) {
	C := len(b)
	grad = make([]float64, C)
	n := float64(len(labels))
	for i, y := range labels {
		v := make([]float64, C)
		m := math.Inf(-1)
		for c := range v {
			v[c] = logits[i*C+c] + b[c]
			m = math.Max(m, v[c])
		}
		var s float64
		for _, x := range v {
			s += math.Exp(x - m)
		}
		f += (m + math.Log(s) - v[y]) / n
		for c, x := range v {
			grad[c] += math.Exp(x-m) / s / n
		}
		grad[y] -= 1 / n
	}
	return f, grad
}

// randomProblem returns n × C logits with a per-class offset of up to
// ±spread added (what the HS loss leaves untrained) and labels drawn from
// unequal class frequencies, every class present.
func randomProblem(n, C int, spread float64, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	shift := make([]float64, C)
	for c := range shift {
		shift[c] = spread * (2*rng.Float64() - 1)
	}
	logits := make([]float64, n*C)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % C
		if i >= C && rng.Float64() < 0.5 {
			labels[i] = 0 // class 0 is over-represented
		}
		for c := 0; c < C; c++ {
			logits[i*C+c] = 2*rng.NormFloat64() + shift[c]
			if c == labels[i] {
				logits[i*C+c] += 1.5 // informative logits
			}
		}
	}
	return logits, labels
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func TestFitClassOffsetsIsOptimal(t *testing.T) {
	tests := []struct {
		n, C          int
		spread, scale float64
		seed          uint64
	}{
		{2, 2, 0, 1, 1},
		{50, 3, 0, 1, 2},
		{500, 10, 0, 1, 3},
		{500, 10, 20, 1, 4},
		{2000, 10, 300, 1, 5}, // offsets far beyond exp's range
		{300, 7, 5, 1, 6},
		{1000, 10, 0, 40, 7},  // nearly one-hot softmax: probabilities underflow
		{1000, 4, 0, 1e-6, 8}, // nearly uninformative logits
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("n%d_C%d_spread%g_scale%g", tc.n, tc.C, tc.spread, tc.scale), func(t *testing.T) {
			logits, labels := randomProblem(tc.n, tc.C, tc.spread, tc.seed)
			for i := range logits {
				logits[i] *= tc.scale
			}
			logits0, labels0 := slices.Clone(logits), slices.Clone(labels)
			b := make([]float64, tc.C)
			if err := nn.FitClassOffsets(b, logits, labels); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(logits, logits0) || !slices.Equal(labels, labels0) {
				t.Fatal("FitClassOffsets modified its input")
			}
			f, grad := meanCE(logits, labels, b)
			f0, _ := meanCE(logits, labels, make([]float64, tc.C))
			if g := maxAbs(grad); !(g <= offsetGradTol) {
				t.Errorf("‖∇f(b)‖∞ = %g, want ≤ %g (b = %v)", g, offsetGradTol, b)
			}
			if !(f <= f0) {
				t.Errorf("f(b) = %v > f(0) = %v", f, f0)
			}
			if s := sum(b); math.Abs(s) > 1e-9*(1+maxAbs(b)) {
				t.Errorf("Σ b = %g, want 0 (the pin)", s)
			}
			// A convex f: no coordinate step from b decreases it.
			for c := range b {
				for _, h := range []float64{-1e-3, 1e-3} {
					bb := slices.Clone(b)
					bb[c] += h
					if fh, _ := meanCE(logits, labels, bb); fh < f {
						t.Errorf("f(b + %g·e_%d) = %v < f(b) = %v", h, c, fh, f)
					}
				}
			}
			again := make([]float64, tc.C)
			if err := nn.FitClassOffsets(again, logits, labels); err != nil || !slices.Equal(again, b) {
				t.Errorf("second fit %v (%v), want the same bits %v", again, err, b)
			}
		})
	}
}

// With all logits equal the optimum is the log of the class frequencies:
// softmax(b) = n_c/n, so b_c = log n_c − mean_d log n_d under the pin; for
// two classes b_1 − b_0 = log(n_1/n_0).
func TestFitClassOffsetsClosedForm(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		logit  float64
	}{
		{"balanced", []int{4, 4}, 0},
		{"1:3", []int{1, 3}, 0},
		{"3:1 shifted logits", []int{30, 10}, -7.5},
		{"1:1000", []int{1, 1000}, 0},
		{"four classes", []int{1, 2, 4, 8}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			C := len(tc.counts)
			var labels []int
			for c, k := range tc.counts {
				for range k {
					labels = append(labels, c)
				}
			}
			logits := make([]float64, len(labels)*C)
			for i := range logits {
				logits[i] = tc.logit
			}
			want := make([]float64, C)
			for c, k := range tc.counts {
				want[c] = math.Log(float64(k))
			}
			mean := sum(want) / float64(C)
			for c := range want {
				want[c] -= mean
			}
			got := make([]float64, C)
			if err := nn.FitClassOffsets(got, logits, labels); err != nil {
				t.Fatal(err)
			}
			for c := range got {
				if math.Abs(got[c]-want[c]) > offsetTol {
					t.Errorf("b = %v, want %v", got, want)
					break
				}
			}
		})
	}
}

// For two classes f depends on t = b_1 − b_0 alone and f′(t) = mean_i
// σ(z_i1 − z_i0 + t) − n_1/n is increasing: its root, found here by
// bisection, is the optimum.
func TestFitClassOffsetsTwoClassesMatchesBisection(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		logits, labels := randomProblem(400, 2, 3, seed)
		q1 := 0.0
		for _, y := range labels {
			q1 += float64(y) / float64(len(labels))
		}
		deriv := func(tt float64) float64 {
			s := 0.0
			for i := range labels {
				s += 1 / (1 + math.Exp(-(logits[2*i+1] - logits[2*i] + tt)))
			}
			return s/float64(len(labels)) - q1
		}
		lo, hi := -100.0, 100.0
		for range 200 { // invariant: deriv(lo) < 0 ≤ deriv(hi)
			mid := (lo + hi) / 2
			if deriv(mid) < 0 {
				lo = mid
			} else {
				hi = mid
			}
		}
		b := make([]float64, 2)
		if err := nn.FitClassOffsets(b, logits, labels); err != nil {
			t.Fatal(err)
		}
		if got := b[1] - b[0]; math.Abs(got-lo) > offsetTol || b[0] != -b[1] {
			t.Errorf("seed %d: b = %v: b1 − b0 = %v, bisection gives %v; want b0 = −b1", seed, b, got, lo)
		}
	}
}

// Adding s_c to class c's logits shifts the optimum by −s_c (up to the pin).
func TestFitClassOffsetsShiftEquivariant(t *testing.T) {
	logits, labels := randomProblem(600, 6, 0, 9)
	C := 6
	b := make([]float64, C)
	if err := nn.FitClassOffsets(b, logits, labels); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]float64{
		{1, 2, 3, 4, 5, 6},
		{-40, 0, 40, 0, 0, 0},
		{900, -900, 0, 0, 0, 123.5},
	} {
		shifted := slices.Clone(logits)
		for i := range shifted {
			shifted[i] += s[i%C]
		}
		got := make([]float64, C)
		if err := nn.FitClassOffsets(got, shifted, labels); err != nil {
			t.Fatalf("shift %v: %v", s, err)
		}
		mean := sum(s) / float64(C)
		for c := range got {
			if want := b[c] - (s[c] - mean); math.Abs(got[c]-want) > offsetTol*(1+math.Abs(s[c])) {
				t.Errorf("shift %v: b = %v, want %v − (s − mean s)", s, got, b)
				break
			}
		}
	}
}

func TestFitClassOffsetsOneClass(t *testing.T) {
	b := []float64{7}
	if err := nn.FitClassOffsets(b, []float64{1, -3}, []int{0, 0}); err != nil || b[0] != 0 {
		t.Errorf("b = %v, err = %v; want [0], nil", b, err)
	}
}

func TestFitClassOffsetsRejectsBadInput(t *testing.T) {
	good := []float64{0, 1, 2, 3, 4, 5}
	tests := []struct {
		name   string
		dst    int
		logits []float64
		labels []int
		want   string
	}{
		{"no classes", 0, nil, []int{0}, "len(dst) = 0"},
		{"no rows", 2, nil, nil, "no rows"},
		{"short logits", 2, good[:5], []int{0, 1, 1}, "len(logits) = 5, want len(labels)·len(dst) = 3·2"},
		{"negative label", 2, good, []int{0, -1, 1}, "labels[1] = -1 outside [0, 2)"},
		{"label too large", 2, good, []int{0, 1, 2}, "labels[2] = 2 outside [0, 2)"},
		{"absent class", 3, good, []int{0, 2}, "class 1 has no label among the 2 rows"},
		{"NaN", 2, []float64{0, 1, math.NaN(), 3}, []int{0, 1}, "logits[1, 0] is NaN"},
		{"+Inf", 2, []float64{0, 1, 2, math.Inf(1)}, []int{0, 1}, "logits[1, 1] is +Inf"},
		{"-Inf", 2, []float64{math.Inf(-1), 1, 2, 3}, []int{0, 1}, "logits[0, 0] is -Inf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]float64, tc.dst)
			for i := range dst {
				dst[i] = 42
			}
			err := nn.FitClassOffsets(dst, tc.logits, tc.labels)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			for _, v := range dst {
				if v != 42 {
					t.Errorf("dst = %v, want it unchanged on error", dst)
					break
				}
			}
		})
	}
}

func TestPredictWithOffsets(t *testing.T) {
	// Quantised logits make ties common.
	rng := rand.New(rand.NewPCG(11, 12))
	const rows, C = 200, 5
	logits := make([]float64, rows*C)
	for i := range logits {
		logits[i] = float64(rng.IntN(4))
	}
	want := make([]int, rows)
	if err := nn.Predict(want, tensor.New(tensor.WithShape(rows, C), tensor.WithBacking(slices.Clone(logits)))); err != nil {
		t.Fatal(err)
	}
	got := make([]int, rows)
	if err := nn.PredictWithOffsets(got, logits, make([]float64, C)); err != nil || !slices.Equal(got, want) {
		t.Errorf("zero offsets: %v (%v), want Predict's %v", got, err, want)
	}
	// Offsets move the argmax; ties still go to the lowest class.
	offsets := []float64{0, 0.5, -10, 0.5, 0}
	if err := nn.PredictWithOffsets(got, logits, offsets); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		best := 0
		for c := 1; c < C; c++ {
			if logits[i*C+c]+offsets[c] > logits[i*C+best]+offsets[best] {
				best = c
			}
		}
		if got[i] != best {
			t.Fatalf("row %d %v + %v: class %d, want %d", i, logits[i*C:(i+1)*C], offsets, got[i], best)
		}
	}

	for _, tc := range []struct {
		name    string
		dst     int
		logits  []float64
		offsets []float64
		want    string
	}{
		{"no classes", 1, []float64{1}, nil, "len(offsets) = 0"},
		{"length", 2, []float64{1, 2, 3}, []float64{0, 0}, "len(logits) = 3, want len(dst)·len(offsets) = 2·2"},
		{"NaN logit", 2, []float64{1, 2, 3, math.NaN()}, []float64{0, 0}, "logits[1, 1] + offsets[1] is NaN"},
		{"Inf − Inf", 1, []float64{math.Inf(1), 0}, []float64{math.Inf(-1), 0}, "logits[0, 0] + offsets[0] is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := nn.PredictWithOffsets(make([]int, tc.dst), tc.logits, tc.offsets)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if err := nn.PredictWithOffsets(nil, nil, []float64{0}); err != nil {
		t.Errorf("no rows: %v, want nil", err)
	}
}

// The logits of four samples carry no information (all zero) and three of
// them are class 1, so argmax predicts class 0 (ties go to the lowest
// class); the fitted offsets make softmax(b) the class frequencies
// (b_1 − b_0 = log 3) and the prediction the majority class.
func ExampleFitClassOffsets() {
	logits := make([]float64, 4*2) // 4 rows × 2 classes
	labels := []int{0, 1, 1, 1}
	b := make([]float64, 2)
	if err := nn.FitClassOffsets(b, logits, labels); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("b = [%.4f %.4f], b1 − b0 = %.4f = log 3\n", b[0], b[1], b[1]-b[0])
	pred := make([]int, 4)
	if err := nn.PredictWithOffsets(pred, logits, b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("predictions with offsets:", pred)
	// Output:
	// b = [-0.5493 0.5493], b1 − b0 = 1.0986 = log 3
	// predictions with offsets: [1 1 1 1]
}

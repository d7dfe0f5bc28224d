package nn_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// headValueGrad evaluates head's loss and its gradient with respect to the
// logits on one batch with a TapeMachine.
func headValueGrad(t *testing.T, head nn.Head, dt tensor.Dtype, logits []float64, labels []int, classes int) (float64, []float64) {
	t.Helper()
	n := len(labels)
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(n, classes), G.WithName("logits"),
		G.WithValue(newDense(dt, tensor.Shape{n, classes}, logits)))
	y := G.NewMatrix(g, dt, G.WithShape(n, classes), G.WithName("onehot"),
		G.WithValue(newDense(dt, tensor.Shape{n, classes}, oneHot(labels, classes))))
	var loss *G.Node
	var err error
	if oh, ok := head.(nn.OffsetHead); ok {
		// The logits x + b with b = 0: x's gradient is the network's.
		b := G.NewMatrix(g, dt, G.WithShape(1, classes), G.WithName("b"), G.WithValue(newDense(dt, tensor.Shape{1, classes}, make([]float64, classes))))
		z, berr := G.BroadcastAdd(x, b, nil, []byte{0})
		if berr != nil {
			t.Fatal(berr)
		}
		loss, err = oh.LossWithOffsets(z, y, b)
	} else {
		loss, err = head.Loss(x, y)
	}
	if err != nil {
		t.Fatalf("%s Loss: %v", head.Name(), err)
	}
	if _, err := G.Grad(loss, x); err != nil {
		t.Fatalf("%s Grad: %v", head.Name(), err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(x))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("%s RunAll: %v", head.Name(), err)
	}
	grad, err := x.Grad()
	if err != nil {
		t.Fatalf("%s x.Grad: %v", head.Name(), err)
	}
	return floats(t, loss.Value())[0], floats(t, grad)
}

// The tiny batch every head is checked on: 4 samples, 3 classes, including a
// row with large logits (overflow test for exp), a tied row and a hinge kink
// (for the margin 0.75 of the test).
var (
	tinyLogits = []float64{
		1, 2, 0.5,
		0.3, -1, 0.3,
		300, 299.5, -200,
		1.75, 1, 0, // hinge: Δ + x₁ − x₀ = 0 exactly (the kink)
	}
	tinyLabels  = []int{0, 2, 1, 0}
	tinyClasses = 3
)

// ceReference is the softmax cross-entropy and its gradient, computed row by
// row in float64 from the definition.
func ceReference(x []float64, labels []int, classes int) (float64, []float64) {
	n := len(labels)
	grad := make([]float64, len(x))
	loss := 0.0
	for i, y := range labels {
		row := x[i*classes : (i+1)*classes]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		z := 0.0
		for _, v := range row {
			z += math.Exp(v - m)
		}
		loss += -(row[y] - m - math.Log(z)) / float64(n)
		for c, v := range row {
			p := math.Exp(v-m) / z
			if c == y {
				p--
			}
			grad[i*classes+c] = p / float64(n)
		}
	}
	return loss, grad
}

// hingeReference is the Weston–Watkins hinge loss and its subgradient from
// the definition, counting a class exactly at the margin as violating
// (Gorgonia's ReLU′(0) = 1; any value in [0, 1] is a valid subgradient).
func hingeReference(x []float64, labels []int, classes int, margin float64) (float64, []float64) {
	n := float64(len(labels))
	grad := make([]float64, len(x))
	loss := 0.0
	for i, y := range labels {
		for c := 0; c < classes; c++ {
			if c == y {
				continue
			}
			v := margin + x[i*classes+c] - x[i*classes+y]
			if v >= 0 {
				loss += v / n
				grad[i*classes+c] += 1 / n
				grad[i*classes+y] -= 1 / n
			}
		}
	}
	return loss, grad
}

// mseReference is the entry-mean squared error against one-hot targets.
func mseReference(x []float64, labels []int, classes int) (float64, []float64) {
	t := oneHot(labels, classes)
	grad := make([]float64, len(x))
	loss := 0.0
	m := float64(len(x))
	for i := range x {
		d := x[i] - t[i]
		loss += d * d / m
		grad[i] = 2 * d / m
	}
	return loss, grad
}

// brierReference is the entry-mean squared error of softmax(x) against
// one-hot targets, with the softmax Jacobian applied by hand.
func brierReference(x []float64, labels []int, classes int) (float64, []float64) {
	t := oneHot(labels, classes)
	grad := make([]float64, len(x))
	m := float64(len(x))
	loss := 0.0
	for i := 0; i < len(labels); i++ {
		row := x[i*classes : (i+1)*classes]
		mx := slices.Max(row)
		p := make([]float64, classes)
		z := 0.0
		for c, v := range row {
			p[c] = math.Exp(v - mx)
			z += p[c]
		}
		g := make([]float64, classes)
		dot := 0.0
		for c := range p {
			p[c] /= z
			d := p[c] - t[i*classes+c]
			loss += d * d / m
			g[c] = 2 * d / m
			dot += g[c] * p[c]
		}
		for c := range p {
			grad[i*classes+c] = p[c] * (g[c] - dot)
		}
	}
	return loss, grad
}

func TestHeadsValueAndGradient(t *testing.T) {
	const margin = 0.75
	tests := []struct {
		name string
		opts nn.HeadOptions
		ref  func(x []float64, labels []int, classes int) (float64, []float64)
	}{
		{"ce", nn.DefaultHeadOptions(), ceReference},
		{"mse", nn.DefaultHeadOptions(), mseReference},
		{"brier", nn.DefaultHeadOptions(), brierReference},
		{"hinge", nn.HeadOptions{HingeMargin: margin}, func(x []float64, l []int, c int) (float64, []float64) {
			return hingeReference(x, l, c, margin)
		}},
	}
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(tc.name+"/"+dt.String(), func(t *testing.T) {
				head, err := nn.NewHead(tc.name, tc.opts)
				if err != nil {
					t.Fatal(err)
				}
				if head.Name() != tc.name {
					t.Errorf("Name() = %q, want %q", head.Name(), tc.name)
				}
				logits := tinyLogits
				if tc.name == "mse" {
					// keep squared errors of float32 well-conditioned
					logits = []float64{1, 2, 0.5, 0.3, -1, 0.3, 3, 2.5, -2, 1.75, 1, 0}
				}
				wantLoss, wantGrad := tc.ref(logits, tinyLabels, tinyClasses)
				gotLoss, gotGrad := headValueGrad(t, head, dt, logits, tinyLabels, tinyClasses)
				tol := tolFor(dt)
				if !closeTo(gotLoss, wantLoss, tol) {
					t.Errorf("loss = %.12g, want %.12g", gotLoss, wantLoss)
				}
				for i := range wantGrad {
					if !closeTo(gotGrad[i], wantGrad[i], tol) {
						t.Errorf("grad[%d] = %.12g, want %.12g", i, gotGrad[i], wantGrad[i])
					}
				}
			})
		}
	}
}

func TestNewHeadErrors(t *testing.T) {
	_, err := nn.NewHead("softmax", nn.DefaultHeadOptions())
	if err == nil {
		t.Fatal("NewHead(\"softmax\") succeeded, want an error")
	}
	for _, name := range nn.HeadNames() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list valid head %q", err, name)
		}
	}
	for _, m := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := nn.NewHead("hinge", nn.HeadOptions{HingeMargin: m}); err == nil {
			t.Errorf("hinge with margin %v succeeded, want an error", m)
		}
	}
}

func TestHeadShapeErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("x"))
	wrongShape := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("t2"))
	wrongType := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("t32"))
	vec := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("v"))
	for _, name := range nn.HeadNames() {
		head, err := nn.NewHead(name, nn.DefaultHeadOptions())
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			what           string
			logits, onehot *G.Node
		}{
			{"shape mismatch", x, wrongShape},
			{"dtype mismatch", x, wrongType},
			{"vector logits", vec, vec},
			{"nil targets", x, nil},
		}
		for _, c := range cases {
			if _, err := head.Loss(c.logits, c.onehot); err == nil {
				t.Errorf("%s: %s accepted, want an error", name, c.what)
			}
			if oh, ok := head.(nn.OffsetHead); ok {
				b := G.NewMatrix(g, tensor.Float64, G.WithShape(1, 3), G.WithName("b-"+name))
				if _, err := oh.LossWithOffsets(c.logits, c.onehot, b); err == nil {
					t.Errorf("%s: LossWithOffsets: %s accepted, want an error", name, c.what)
				}
			}
		}
	}
}

// TestHeadsAtZeroLogits checks every head against closed forms derived by
// hand for X = 0 (n = 4 rows, C = 3 classes, labels 0, 2, 1, 0, so the
// class counts are k = (2, 1, 1)):
//
//	ce     softmax(0) = 1/C:            L = ln C,             ∂L/∂X = (1/C − T)/n
//	mse    (0 − T)² sums to n:          L = 1/C,              ∂L/∂X = −2T/(nC)
//	brier  (1/C − T)² sums to n(C−1)/C: L = (C−1)/C²,         ∂L/∂X = 2(1/C − T)/(nC²)
//	       (Σ_c G[i,c]·P[i,c] = 0 when P = 1/C)
//	hs-ref k = ⌊n/2⌋ = 2, p = ½ everywhere: L = ¼, ∂L/∂X[i,c] = 2(k_c/n − T[i,c])/(nCτ)
//	hs-offset  hs + ln C (the offsets' cross-entropy), the network's gradient hs's
//	hinge  every wrong class at Δ:      L = (C − 1)Δ,         ∂L/∂X = (1 − C·T)/n
//	hs     Π_{Δ(n,k)}(0) = k/n on every entry (inside the box, all active):
//	       L = s Σ_c k_c(1 − k_c/n),   ∂L/∂X[i,c] = 2s(k_c/n − T[i,c])/τ (the mean
//	       of k_c/n − T[:,c] over the column is 0), s = ½/n, τ = 1.5.
func TestHeadsAtZeroLogits(t *testing.T) {
	const n, classes, margin, tau = 4, 3, 1.0, 1.5
	labels := []int{0, 2, 1, 0}
	k := []float64{2, 1, 1}
	T := oneHot(labels, classes)
	s := 0.5 / n
	wantHS := 0.0
	for _, kc := range k {
		wantHS += s * kc * (1 - kc/n)
	}
	tests := []struct {
		name string
		loss float64
		grad func(i, c int) float64
	}{
		{"ce", math.Log(classes), func(i, c int) float64 { return (1.0/classes - T[i*classes+c]) / n }},
		{"mse", 1.0 / classes, func(i, c int) float64 { return -2 * T[i*classes+c] / (n * classes) }},
		{"hinge", (classes - 1) * margin, func(i, c int) float64 { return (1 - classes*T[i*classes+c]) / n }},
		{"hs", wantHS, func(i, c int) float64 { return 2 * s * (k[c]/n - T[i*classes+c]) / tau }},
		{"brier", (classes - 1.0) / (classes * classes), func(i, c int) float64 {
			return 2 * (1.0/classes - T[i*classes+c]) / (n * classes * classes)
		}},
		{"hs-ref", 0.25, func(i, c int) float64 { return 2 * (k[c]/n - T[i*classes+c]) / (n * classes * tau) }},
		// hs plus the offsets' cross-entropy ln C, whose gradient goes to b only.
		{"hs-offset", wantHS + math.Log(classes), func(i, c int) float64 { return 2 * s * (k[c]/n - T[i*classes+c]) / tau }},
	}
	if len(tests) != len(nn.HeadNames()) {
		t.Fatalf("%d closed forms for %d heads %v: add the new head's", len(tests), len(nn.HeadNames()), nn.HeadNames())
	}
	opts := nn.DefaultHeadOptions()
	opts.HingeMargin, opts.HS.Tau = margin, tau
	for _, tc := range tests {
		for _, dt := range dtypes {
			t.Run(tc.name+"/"+dt.String(), func(t *testing.T) {
				head, err := nn.NewHead(tc.name, opts)
				if err != nil {
					t.Fatal(err)
				}
				loss, grad := headValueGrad(t, head, dt, make([]float64, n*classes), labels, classes)
				if !closeTo(loss, tc.loss, tolFor(dt)) {
					t.Errorf("loss = %.12g, want %.12g", loss, tc.loss)
				}
				for i := 0; i < n; i++ {
					for c := 0; c < classes; c++ {
						if want := tc.grad(i, c); !closeTo(grad[i*classes+c], want, tolFor(dt)) {
							t.Errorf("grad[%d,%d] = %.12g, want %.12g", i, c, grad[i*classes+c], want)
						}
					}
				}
			})
		}
	}
}

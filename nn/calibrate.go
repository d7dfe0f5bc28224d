package nn

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Settings of FitClassOffsets. Tolerances are on the infinity norm of the
// gradient of the mean cross-entropy f, whose entries are differences of
// class frequencies, in [−1, 1].
const (
	// offsetGradTol: Newton's method stops once ‖∇f‖∞ < offsetGradTol.
	offsetGradTol = 1e-11
	// offsetAcceptTol is the largest ‖∇f‖∞ accepted when the line search
	// finds no decrease (f within rounding of its minimum).
	offsetAcceptTol = 1e-8
	// offsetMaxIterations bounds the Newton iterations; with every class
	// present, fewer than 20 are typical.
	offsetMaxIterations = 100
	// offsetMaxStep caps a Newton step's largest offset change (in logit
	// units), so a nearly singular Hessian (a class whose probabilities
	// underflow) cannot send the line search to overflowing trial points.
	offsetMaxStep = 8
	// offsetArmijo is the sufficient-decrease constant of the backtracking
	// line search, offsetMaxHalvings its number of step halvings.
	offsetArmijo      = 1e-4
	offsetMaxHalvings = 60
)

// FitClassOffsets sets dst to the per-class logit offsets b that minimise
// the mean cross-entropy of softmax(z_i + b) on labelled rows, the logits
// z fixed:
//
//	f(b) = (1/n) Σ_i [ logsumexp(z_i + b) − (z_{i,y_i} + b_{y_i}) ]
//	∇f(b)_c = (1/n) Σ_i p_ic − n_c/n,        p_i = softmax(z_i + b)
//	∇²f(b)  = (1/n) Σ_i (diag(p_i) − p_i p_iᵀ)
//
// logits are n × C, row-major (batch-major rows, as everywhere in nn), with
// C = len(dst) classes and n = len(labels) rows; labels are in [0, C); n_c
// is the number of rows labelled c.
//
// Why: the HyperSimplex loss (op.HyperSimplexLoss, the hs head) projects
// every class column of the logits over the batch on its own, and the
// projection is shift-invariant, so adding b_c to class c's logits changes
// neither the loss nor its gradient: the loss never trains the offsets
// between classes (the output bias gets no gradient), while prediction by
// argmax over classes depends on exactly those offsets. Fitting b afterwards
// on the training logits of the frozen network, and predicting with
// argmax(z + b) (PredictWithOffsets), supplies what the loss cannot train.
// Cross-entropy trains its output bias, so for it b is close to 0 near the
// training optimum.
//
// f is convex and invariant under b → b + t·1, so b is determined only up
// to an added constant. FitClassOffsets pins it: it minimises over
// b_1 … b_{C−1} with b_0 = 0 (there the Hessian is positive definite when
// every class has a label and no probability underflows), then returns the
// representative with Σ_c b_c = 0. f has a minimiser when every class has
// at least one label; a class without a label has none (f keeps decreasing
// as its offset goes to −∞), which is an error.
//
// Algorithm: Newton's method in float64 from the offsets that centre every
// class column of the logits (b_c = −mean_i z_ic), the direction solved by
// a Cholesky factorisation of the (C−1)×(C−1) Hessian (gonum/mat; a
// multiple of the identity is added if it is not numerically positive
// definite), the step capped at 8 logit units per class and backtracked
// until the Armijo condition holds. Probabilities use log-sum-exp with the
// row maximum subtracted, so no exponential overflows, and the line search
// measures the decrease f(b + δ) − f(b) = (1/n) Σ_i log1p(Σ_c p_ic
// expm1(δ_c)) − Σ_c (n_c/n) δ_c directly rather than as a difference of two
// rounded values of f, so it keeps working at the 1e-11 tolerance. It stops
// when ‖∇f‖∞ < 1e-11, accepts ‖∇f‖∞ ≤ 1e-8 if the line search stalls, and
// otherwise (after 100 iterations) returns an error. Cost per iteration:
// n·C exponentials and O(n·C²) for the Hessian, plus O(n·C) per trial step;
// memory n·C float64. Deterministic: the same inputs give the same bits.
//
// Errors, for which dst is left unchanged: len(dst) = 0, n = 0, len(logits)
// ≠ n·C, a label outside [0, C), a class without a label, a NaN or ±Inf
// logit (naming its row and class), or no convergence. logits and labels
// are not modified.
func FitClassOffsets(dst, logits []float64, labels []int) error {
	C, n := len(dst), len(labels)
	if err := checkOffsetInput(C, n, logits, labels); err != nil {
		return err
	}
	if C == 1 { // f does not depend on b
		dst[0] = 0
		return nil
	}
	o := newOffsetFit(logits, labels, C)
	// Start from the centred logits: b_c = −(mean of column c), minus b_0
	// to pin b_0 = 0. A constant added to a class column is then undone
	// before the first step, whatever its size.
	for i := 0; i < n; i++ {
		floats.Sub(o.b, logits[i*C:(i+1)*C])
	}
	floats.Scale(1/float64(n), o.b)
	floats.AddConst(-o.b[0], o.b)
	m := C - 1 // free offsets b_1 … b_{C−1}
	var (
		grad  = make([]float64, C) // ∇f, full
		dir   = make([]float64, m)
		delta = make([]float64, C) // trial change of b, delta[0] = 0
		hess  = mat.NewSymDense(m, nil)
		chol  mat.Cholesky
	)
	for iter := 0; ; iter++ {
		o.point(grad, hess)
		g := grad[1:]
		gNorm := floats.Norm(grad, math.Inf(1))
		if gNorm < offsetGradTol {
			break
		}
		if iter == offsetMaxIterations {
			return fmt.Errorf("nn: FitClassOffsets: no convergence in %d Newton iterations: ‖∇f‖∞ = %.3g", iter, gNorm)
		}
		newtonDirection(dir, hess, g, &chol)
		if s := floats.Norm(dir, math.Inf(1)); s > offsetMaxStep {
			floats.Scale(offsetMaxStep/s, dir)
		}
		slope := floats.Dot(g, dir) // < 0: dir is a descent direction
		accepted := false
		for k, alpha := 0, 1.0; k < offsetMaxHalvings && slope < 0; k, alpha = k+1, alpha/2 {
			floats.ScaleTo(delta[1:], alpha, dir)
			if o.decrease(delta) <= offsetArmijo*alpha*slope {
				accepted = true
				break
			}
		}
		if !accepted {
			if gNorm <= offsetAcceptTol {
				break
			}
			return fmt.Errorf("nn: FitClassOffsets: line search stalled at ‖∇f‖∞ = %.3g after %d Newton iterations", gNorm, iter)
		}
		floats.Add(o.b, delta)
	}
	copy(dst, o.b)
	floats.AddConst(-floats.Sum(dst)/float64(C), dst)
	return nil
}

// newtonDirection sets dir to −(H + τI)⁻¹ g with the first τ of 0, τ₀,
// 10τ₀, … (τ₀ = 1e-10·max diag(H) + 1e-15) for which the Cholesky
// factorisation succeeds, or to −g if none of 30 does. It leaves H's
// diagonal modified.
func newtonDirection(dir []float64, hess *mat.SymDense, g []float64, chol *mat.Cholesky) {
	m := len(dir)
	d, gv := mat.NewVecDense(m, dir), mat.NewVecDense(m, g)
	diag := make([]float64, m)
	maxDiag := 0.0
	for i := range diag {
		diag[i] = hess.At(i, i)
		maxDiag = max(maxDiag, diag[i])
	}
	tau := 0.0
	for try := 0; try < 30; try++ {
		for i, v := range diag {
			hess.SetSym(i, i, v+tau)
		}
		if chol.Factorize(hess) && chol.SolveVecTo(d, gv) == nil {
			floats.Scale(-1, dir)
			return
		}
		if tau == 0 {
			tau = 1e-10*maxDiag + 1e-15
		} else {
			tau *= 10
		}
	}
	floats.ScaleTo(dir, -1, g)
}

// checkOffsetInput checks the arguments of FitClassOffsets: C classes, n
// rows.
func checkOffsetInput(C, n int, logits []float64, labels []int) error {
	if C == 0 {
		return errors.New("nn: FitClassOffsets: len(dst) = 0, want one offset per class")
	}
	if n == 0 {
		return errors.New("nn: FitClassOffsets: no rows (len(labels) = 0)")
	}
	if len(logits) != n*C {
		return fmt.Errorf("nn: FitClassOffsets: len(logits) = %d, want len(labels)·len(dst) = %d·%d", len(logits), n, C)
	}
	count := make([]int, C)
	for i, y := range labels {
		if y < 0 || y >= C {
			return fmt.Errorf("nn: FitClassOffsets: labels[%d] = %d outside [0, %d)", i, y, C)
		}
		count[y]++
	}
	for c, k := range count {
		if k == 0 {
			return fmt.Errorf("nn: FitClassOffsets: class %d has no label among the %d rows: its offset has no finite optimum", c, n)
		}
	}
	for j, v := range logits {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("nn: FitClassOffsets: logits[%d, %d] is %v", j/C, j%C, v)
		}
	}
	return nil
}

// offsetFit holds the data of FitClassOffsets and its current offsets b.
type offsetFit struct {
	z    []float64 // n × C logits
	y    []int
	C    int
	invN float64
	freq []float64 // n_c/n
	b    []float64 // current offsets, b[0] = 0
	p    []float64 // n × C: softmax(z_i + b) of every row, set by point
	e    []float64 // scratch: expm1(δ_c)
}

func newOffsetFit(z []float64, y []int, C int) *offsetFit {
	o := &offsetFit{z: z, y: y, C: C, invN: 1 / float64(len(y)),
		freq: make([]float64, C), b: make([]float64, C), p: make([]float64, len(z)), e: make([]float64, C)}
	for _, c := range y {
		o.freq[c]++
	}
	floats.Scale(o.invN, o.freq)
	return o
}

// point computes the probabilities p at the current b and writes ∇f(b)
// (all C entries) into grad and the Hessian with respect to b_1 … b_{C−1}
// into hess. Rows are summed in order, so the result is deterministic.
func (o *offsetFit) point(grad []float64, hess *mat.SymDense) {
	C := o.C
	clear(grad)
	h := make([]float64, (C-1)*(C-1)) // upper triangle of Σ_i diag(p_i) − p_i p_iᵀ
	for i := range o.y {
		row, p := o.z[i*C:(i+1)*C], o.p[i*C:(i+1)*C]
		m := math.Inf(-1)
		for c, v := range row {
			m = max(m, v+o.b[c])
		}
		var s float64 // invariant after the loop: s = Σ_c exp(z_ic + b_c − m) ∈ [1, C]
		for c, v := range row {
			p[c] = math.Exp(v + o.b[c] - m)
			s += p[c]
		}
		floats.Scale(1/s, p)
		floats.Add(grad, p)
		for c := 1; c < C; c++ {
			pc := p[c]
			hr := h[(c-1)*(C-1):]
			hr[c-1] += pc
			for d := c; d < C; d++ {
				hr[d-1] -= pc * p[d]
			}
		}
	}
	for c := range grad {
		grad[c] = grad[c]*o.invN - o.freq[c]
	}
	for r := 0; r < C-1; r++ {
		for c := r; c < C-1; c++ {
			hess.SetSym(r, c, h[r*(C-1)+c]*o.invN)
		}
	}
}

// decrease returns f(b + δ) − f(b), b the offsets of the last call to
// point, from the probabilities p_i at b:
//
//	f(b + δ) − f(b) = (1/n) Σ_i log(Σ_c p_ic e^{δ_c}) − Σ_c (n_c/n) δ_c
//	                = (1/n) Σ_i log1p(Σ_c p_ic expm1(δ_c)) − Σ_c (n_c/n) δ_c,
//
// which, unlike the difference of two rounded values of f, stays accurate
// when the decrease is far below f's rounding error.
func (o *offsetFit) decrease(delta []float64) float64 {
	C := o.C
	for c, d := range delta {
		o.e[c] = math.Expm1(d)
	}
	var sum float64
	for i := range o.y {
		sum += math.Log1p(floats.Dot(o.p[i*C:(i+1)*C], o.e))
	}
	return sum*o.invN - floats.Dot(o.freq, delta)
}

// PredictWithOffsets writes into dst the argmax over classes of each row
// of logits + offsets, that is argmax_c (z_ic + b_c): the prediction with
// the offsets of FitClassOffsets. logits are len(dst) × C, row-major, with
// C = len(offsets). Ties go to the lowest class index, as in Predict, and
// with all offsets 0 the result is Predict's. A NaN sum is an error
// (naming its row and class); offsets are not checked otherwise.
func PredictWithOffsets(dst []int, logits, offsets []float64) error {
	C := len(offsets)
	if C == 0 {
		return errors.New("nn: PredictWithOffsets: len(offsets) = 0, want one offset per class")
	}
	if len(logits) != len(dst)*C {
		return fmt.Errorf("nn: PredictWithOffsets: len(logits) = %d, want len(dst)·len(offsets) = %d·%d", len(logits), len(dst), C)
	}
	return argmaxRows("PredictWithOffsets", dst, logits, C, offsets)
}

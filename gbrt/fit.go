package gbrt

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Set names the three datasets a Booster holds.
type Set int

const (
	Train Set = iota // the rows the trees are fitted to
	Valid            // the rows early stopping watches
	Test             // the rows the result is measured on
)

// Booster is one gradient-boosted tree ensemble being fitted, with its
// training, validation and test rows (package gbrt/xgboost implements it
// with XGBoost).
type Booster interface {
	// Boost adds the trees of round iter (0, 1, …). With grad and hess
	// nil it uses the booster's own objective; otherwise they are the
	// gradient and Hessian of the loss at the current training margins,
	// one entry per training row.
	Boost(iter int, grad, hess []float32) error
	// Margins returns the raw scores of the rows of set s under the
	// trees added so far, in the order of the rows.
	Margins(s Set) ([]float32, error)
}

// Objective is what a run minimises: one of XGBoost's own objectives
// (XGBoost non-empty) or the HyperSimplex loss (HS).
type Objective struct {
	Name    string      // as on the command line, one of Objectives
	XGBoost string      // XGBoost's objective parameter, "" for HS
	HS      HSObjective // used when XGBoost is ""
}

// Objectives lists the names ParseObjective knows.
var Objectives = []string{"hs-ones", "hs-gn", "hs-active", "hs-const", "logistic", "l2"}

// ParseObjective returns the objective called name, with temperature tau
// for the HS objectives: hs-ones, hs-gn, hs-active and hs-const (the
// HyperSimplex loss with HessianOnes, HessianGaussNewton, HessianActive,
// HessianConstant), logistic
// (XGBoost's binary:logistic, the cross-entropy) and l2 (reg:squarederror,
// the L2 regression that the reference's "cross-entropy" baseline is).
func ParseObjective(name string, tau float64) (Objective, error) {
	switch name {
	case "logistic":
		return Objective{Name: name, XGBoost: "binary:logistic"}, nil
	case "l2":
		return Objective{Name: name, XGBoost: "reg:squarederror"}, nil
	}
	h, ok := map[string]Hessian{"hs-ones": HessianOnes, "hs-gn": HessianGaussNewton, "hs-active": HessianActive, "hs-const": HessianConstant}[name]
	if !ok {
		return Objective{}, fmt.Errorf("gbrt: unknown objective %q (known: %s)", name, strings.Join(Objectives, ", "))
	}
	if !(tau > 0) || math.IsInf(tau, 1) {
		return Objective{}, fmt.Errorf("gbrt: objective %s: τ = %v is not a finite positive number", name, tau)
	}
	return Objective{Name: name, HS: HSObjective{Tau: tau, Hessian: h}}, nil
}

// FitConfig sets the boosting loop.
type FitConfig struct {
	Rounds   int `json:"rounds"`   // at most this many rounds, ≥ 1
	Patience int `json:"patience"` // stop after this many rounds without a better validation AUC, ≥ 1
}

// FitResult is the outcome of Fit: the ensemble truncated at the round of
// the best validation AUC.
type FitResult struct {
	BestRounds int       // number of rounds of the kept ensemble (1-based)
	Rounds     int       // rounds run before stopping
	ValidAUC   float64   // validation AUC of the kept ensemble
	TestMargin []float64 // test margins of the kept ensemble
	// HS objectives only: the objective at the training margins of the
	// last round's gradient (when it has Active ≤ 1 the gradient is 0 and
	// boosting has stalled).
	Last HSStats
}

// Fit boosts b for up to cfg.Rounds rounds with objective obj, computing
// the HS gradient and Hessian from the training margins each round, and
// stops early when the validation AUC has not improved for cfg.Patience
// rounds (as the reference's early stopping on validation AUC). It keeps
// the test margins of the best round. trainY and validY are the labels of
// the training and validation rows. ctx cancels between rounds.
func Fit(ctx context.Context, b Booster, obj Objective, trainY, validY []float32, cfg FitConfig) (FitResult, error) {
	if cfg.Rounds < 1 {
		return FitResult{}, fmt.Errorf("gbrt: fit: rounds = %d, need at least 1", cfg.Rounds)
	}
	if cfg.Patience < 1 {
		return FitResult{}, fmt.Errorf("gbrt: fit: patience = %d, need at least 1", cfg.Patience)
	}
	var grad, hess []float64
	var g32, h32 []float32
	var res FitResult
	res.ValidAUC = math.Inf(-1)
	for it := 0; it < cfg.Rounds; it++ {
		if err := ctx.Err(); err != nil {
			return FitResult{}, err
		}
		if obj.XGBoost == "" {
			m, err := b.Margins(Train)
			if err != nil {
				return FitResult{}, err
			}
			if len(m) != len(trainY) {
				return FitResult{}, fmt.Errorf("gbrt: fit: %d training margins for %d labels", len(m), len(trainY))
			}
			if grad == nil {
				grad, hess = make([]float64, len(m)), make([]float64, len(m))
				g32, h32 = make([]float32, len(m)), make([]float32, len(m))
			}
			if res.Last, err = obj.HS.GradHess(grad, hess, widen(m), trainY); err != nil {
				return FitResult{}, fmt.Errorf("gbrt: fit: round %d: %w", it, err)
			}
			for i := range grad {
				g32[i], h32[i] = float32(grad[i]), float32(hess[i])
			}
		}
		if err := b.Boost(it, g32, h32); err != nil {
			return FitResult{}, fmt.Errorf("gbrt: fit: round %d: %w", it, err)
		}
		res.Rounds = it + 1
		vm, err := b.Margins(Valid)
		if err != nil {
			return FitResult{}, err
		}
		auc, err := AUC(widen(vm), validY)
		if err != nil {
			return FitResult{}, fmt.Errorf("gbrt: fit: round %d: validation: %w", it, err)
		}
		if auc > res.ValidAUC {
			tm, err := b.Margins(Test)
			if err != nil {
				return FitResult{}, err
			}
			res.ValidAUC, res.BestRounds, res.TestMargin = auc, it+1, widen(tm)
		} else if it+1-res.BestRounds >= cfg.Patience {
			break
		}
	}
	return res, nil
}

func widen(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// String returns "training", "validation" or "test".
func (s Set) String() string {
	switch s {
	case Train:
		return "training"
	case Valid:
		return "validation"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Set(%d)", int(s))
}

// Package gbrt is the HyperSimplex loss as the objective of gradient-boosted
// trees, the experiment of Appendix A of
//
//	C. Gomez, P. Wang, L. Tang, "Differentiable Zero-One Loss via
//	Hypersimplex Projections", arXiv 2602.23336 (PAKDD 2026),
//
// in pure Go: the objective's gradient and Hessian (HSObjective), the
// boosting loop with early stopping on validation AUC (Fit, over any
// Booster), the metrics (AUC, BestAccuracy, LogLoss), the datasets (a CSV
// reader and a seeded synthetic generator with a chosen positive rate,
// stratified splits), a paired t-test and the results folder of a study
// (runs.csv, summary.csv, summary.md, config.json; resumable).
//
// The booster itself is XGBoost, through its C API, in package
// gbrt/xgboost, which needs cgo, libxgboost-dev and the build tag xgboost;
// everything here builds and is tested without them.
//
// # The objective, as the public reference scripts have it
//
// The raw scores x ∈ ℝⁿ of the whole training set are projected as one
// vector onto the hypersimplex with k = Σ_i t_i (n times the fraction of
// positives) and τ = 0.001, and the loss is the mean squared error between
// the projection and the 0/1 labels t:
//
//	y = Π_{Δ(n,k)}(x/τ),   L(x) = (1/n) Σ_i (y_i − t_i)²,
//	∇L = (2/n) Jᵀ(y − t),  J = (1/τ) P_A,
//
// with A = {i : 0 < y_i < 1} the active set and P_A the centring projector
// on it (see package op/hypersimplex). Outside A the gradient is exactly 0.
// The reference hands the booster a Hessian of ones; HSObjective also offers
// the Gauss–Newton diagonal (2/n)·diag(JᵀJ), the indicator of A and the
// constant 2/(nτ²) (see Hessian). Ones give leaf steps 2/(nτ²) times the
// Gauss–Newton ones, which at τ = 0.001 on a few thousand rows makes the
// projection hard after one tree and the gradient zero soon after;
// docs/results.md has the evidence.
//
// # Conventions
//
// Feature matrices are row-major float32 (what XGBoost takes), labels are
// float32 0 or 1; the objective and the metrics compute in float64. Errors
// name the argument and its value; nothing here panics on bad input or
// returns NaN as a result.
package gbrt

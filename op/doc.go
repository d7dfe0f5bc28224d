// Package op adds Soft-Binary-Argmax@k, the Euclidean projection onto the
// hypersimplex, and the HyperSimplex loss to Gorgonia graphs, following
//
//	C. Gomez, P. Wang, L. Tang, "Differentiable Zero-One Loss via
//	Hypersimplex Projections", arXiv 2602.23336 (PAKDD 2026).
//
// The hypersimplex is Δ(n,k) = {y ∈ [0,1]^n : Σ_i y_i = k}, 0 ≤ k ≤ n, k real.
// Soft-Binary-Argmax@k with temperature τ > 0 is
//
//	y = Π_{Δ(n,k)}(x/τ) = argmin_{y ∈ Δ(n,k)} ‖y − x/τ‖²,
//	y_i = clip(x_i/τ − μ, 0, 1),  μ chosen so that Σ_i y_i = k,
//
// and its Jacobian is (1/τ)·P_A, with P_A the centring projector on the
// active set A = {i : 0 < y_i < 1}:
//
//	(Jᵀg)_i = (g_i − mean_{j∈A} g_j)/τ  for i ∈ A,  0 elsewhere.
//
// # Kernels
//
// The kernels (Project, ProjectVJP, BinaryArgmax) live in package
// op/hypersimplex, which imports only the standard library; this package
// wraps them in Gorgonia.
//
// # Gorgonia
//
// SoftBinaryArgmax applies hypersimplex.Project to every row of a node (with SymDiff and
// DoDiff through hypersimplex.ProjectVJP), and HyperSimplexLoss / BinaryHyperSimplexLoss
// build the loss on it; see their documentation. EntropicSoftBinaryArgmax and
// LossOptions.Regularizer = Entropic use the binary-entropy projection onto the
// same polytope instead (hypersimplex.ProjectEntropic, y_i = σ((x_i − ν)/τ),
// dense gradients).
package op

// Package op implements Soft-Binary-Argmax@k, the Euclidean projection onto
// the hypersimplex, and the HyperSimplex loss of
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
// and its Jacobian is (1/τ)·P_A with P_A the centring projector on the active
// set A = {i : 0 < y_i < 1}.
//
// # Kernels
//
// The kernels work on plain slices and import nothing from Gorgonia:
// Project (forward), ProjectVJP (backward) and BinaryArgmax (the hard top-k
// indicator, the τ → 0 limit). They are generic over Float (float32 and
// float64) and accumulate every sum in float64. The slice written is the first
// argument (y, dx); it may alias the input as documented per function. Bad
// arguments give an error naming the argument and its value, never a panic
// or a NaN.
package op

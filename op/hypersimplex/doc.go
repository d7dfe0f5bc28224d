// Package hypersimplex holds the kernels of Soft-Binary-Argmax@k, the
// Euclidean projection onto the hypersimplex, on plain slices, with no
// dependency beyond the standard library:
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
// Project (forward), ProjectVJP (backward) and BinaryArgmax (the hard top-k
// indicator, the τ → 0 limit) work on plain slices and import nothing from
// Gorgonia (package op wraps them in a Gorgonia op). ProjectEntropic and
// ProjectEntropicVJP are the same polytope with a binary-entropy
// regulariser instead of the Euclidean distance (Amos, Xu, Kolter, "The
// Limited Multi-Label Projection Layer", 2019):
//
//	y = argmin_{y ∈ Δ(n,k)} −⟨x/τ, y⟩ + Σ_i [y_i log y_i + (1 − y_i) log(1 − y_i)],
//	y_i = σ((x_i − ν)/τ),  Jᵀg = (1/τ)(d ⊙ g − d·(dᵀg)/Σd),  d = y ⊙ (1 − y),
//
// dense where Project is sparse (0 < k < n required). Conventions:
//
//   - The slice written comes first (y, dx); it may alias the input as each
//     function documents, and the inputs are otherwise left unchanged.
//   - One generic kernel serves float32 and float64 (Float); every sum is
//     accumulated in float64.
//   - Bad arguments (lengths, k outside [0, n] or NaN, τ not finite or
//     below the smallest normal float64 2⁻¹⁰²², NaN or ±Inf entries) give
//     an error naming the argument and its value, e.g. "hypersimplex: k = 11 outside [0, 10]",
//     an *ArgError wrapping the kind (ErrLength, ErrK, ErrTau, ErrNotFinite,
//     ErrRange); the kernels never panic, never return NaN and write nothing
//     on error.
//   - No allocation per call: Project and BinaryArgmax borrow a float64
//     scratch buffer of length n from a sync.Pool.
//
// Project finds μ by breakpoint search with selection (K. C. Kiwiel,
// "Breakpoint searching algorithms for the continuous quadratic knapsack
// problem", Math. Program. 112, 2008): O(n) expected, no sort. For long
// rows the first pivots come from a strided sample, so that a single
// classifying pass over x leaves only the entries near the root; pairs of
// interpolated pivots and medians of random breakpoints finish the search.
// The search is written in the units of x (so x/τ cannot overflow) and
// compares points symbolically, so inputs up to the float64 range, with ties
// at |x| ≫ 2^53·τ where x − τ == x in floating point, still give a feasible
// exact result; a τ above 2^960, for which the search's sums (up to about
// 3n·τ) could overflow, is brought below it together with x by an exact
// power-of-two rescaling (the result depends on x/τ only).
//
// ProjectVJP is two branch-free passes, O(n); it reads A from y as stored
// (an entry exactly 0 or 1 is clipped), so at ties among clipped entries
// the gradient is 0, as it should be.
//
// ProjectEntropic finds ν by a safeguarded Newton iteration on the smooth,
// strictly decreasing Σ_i σ((x_i − ν)/τ) (on log Σ y or log Σ (1 − y) far
// from the root, bisection when a step leaves the bracket), started from
// the root of a strided sample; a root far from 0 in units of τ is refined
// relative to the nearest entry, so Σ y = k holds to rounding at any scale.
//
// # Vector loops
//
// Built with GOEXPERIMENT=simd on amd64 (Go's experimental simd/archsimd)
// and run on a CPU with AVX2, the float32 passes over x, y and g (the
// bracket pass and the write of y in Project, both passes of ProjectVJP) and
// the float64 passes of the breakpoint search run 4 or 8 entries at a time,
// with the same float64 arithmetic per entry as the portable loops (only
// the order of float64 sums differs). Every other build, type or CPU runs
// the portable loops; the same tests run against both (make test-simd).
package hypersimplex

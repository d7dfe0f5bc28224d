// Package nn holds the models and classifier heads used to study the
// HyperSimplex loss of Gomez, Wang and Tang, "Differentiable Zero-One Loss
// via Hypersimplex Projections" (arXiv 2602.23336, PAKDD 2026), on
// Gorgonia.
//
// Conventions:
//
//   - Batch-major rows: an input x is batch × features, logits are
//     batch × classes, targets are one-hot batch × classes of the logits'
//     dtype. The CNN reshapes x to NCHW (batch, channels, height, width)
//     from the dataset shape.
//   - dtype is tensor.Float32 or tensor.Float64; anything else is an error.
//   - A model is described by an Architecture. Its parameters live outside
//     any graph, as []Param created by Init (seeded: the same seed gives
//     the same tensors). Bind creates one node per Param in a graph, bound
//     to the Param's tensor itself (shared storage), so a training graph,
//     a graph for a partial last batch and an evaluation graph with another
//     batch size all see the same, updated weights. Forward adds the
//     forward pass to the graph of x.
//   - Batch normalisation (CNN only) keeps running statistics per parameter
//     set, not per graph: every graph bound to the same []Param updates
//     (training) or reads (evaluation) the same running mean and variance.
//     See BatchNorm in batchnorm.go; BatchNormReLU is BatchNorm followed
//     by ReLU as one op (the CNN's blocks).
//   - The models' activation is ReLU (relu.go), a custom op with
//     branch-free kernels and ReLU′(0) = 0 (PyTorch's convention), run in
//     place by the TapeMachine. The hinge head keeps G.Rectify, whose
//     ReLU′(0) = 1 its documented kink convention relies on.
//
// A Head turns logits X and one-hot targets T (n × C) into a scalar loss
// node. The heads and their normalisations (n the batch size, y_i the label
// of row i):
//
//	ce     −(1/n) Σ_i log softmax(X[i,:])_{y_i}               batch mean
//	hs     s·Σ_c ‖Π_{Δ(n,k_c)}(X[:,c]/τ) − T[:,c]‖²          s = ½/n by default
//	       (op.HyperSimplexLoss; τ, k policy and s from HeadOptions.HS)
//	hinge  (1/n) Σ_i Σ_{c≠y_i} max(0, Δ + X[i,c] − X[i,y_i])   batch mean (Weston–Watkins)
//	mse    (1/(n·C)) Σ_{i,c} (X[i,c] − T[i,c])²               entry mean, no projection
//
// Prediction is the argmax of the logits for every head (Predict). The hs
// head cannot train per-class offsets of the logits (its projection is
// shift-invariant per class column); FitClassOffsets fits them afterwards
// on training logits and PredictWithOffsets predicts with them
// (calibrate.go).
//
// Graphs are meant to be run with Gorgonia's TapeMachine (this package's
// ops and the ce and hs heads also differentiate under the LispMachine).
//
// Speed and memory: the layers are this package's own ops (Conv2D,
// MaxPool2D, BatchNorm, BatchNormReLU, ReLU, Linear and the ce head's
// loss), which split
// their work across goroutines with one BLAS call per goroutine (after
// accel.Setup: gonum's pure-Go BLAS or single-threaded OpenBLAS) and write
// into output tensors they keep from run to run (outBuf), so a training
// step allocates almost nothing in steady state. The convolution works in
// chunks of images (Winograd's F(2×2, 3×3) for 3×3 same convolutions,
// shifted gemms on a padded copy, or im2col + gemm), so its working memory
// does not grow with the batch size. Built with GOEXPERIMENT=simd on amd64
// with AVX2, the float32 batch-norm passes and Winograd transforms run
// vector loops (*_simd_amd64.go), bit-identical to the portable ones but
// for the order of float64 sums.
package nn

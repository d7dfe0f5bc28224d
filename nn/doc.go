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
//     See BatchNorm in batchnorm.go.
//   - A Head turns logits and one-hot targets into a scalar loss node:
//     "ce" softmax cross-entropy, "hs" the HyperSimplex loss of package op,
//     "hinge" the Weston–Watkins multiclass hinge, "mse" squared error of
//     the logits against the one-hot targets (the paper's ablation without
//     projection). Prediction is the argmax of the logits for every head
//     (Predict).
//
// Graphs are meant to be run with Gorgonia's TapeMachine.
package nn

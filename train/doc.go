// Package train runs the experiments of Gomez, Wang and Tang, "Differentiable
// Zero-One Loss via Hypersimplex Projections" (arXiv 2602.23336, PAKDD 2026):
// does the HyperSimplex loss narrow the accuracy gap of large-batch training
// compared with cross-entropy?
//
// A sweep (Sweep) trains one run per point of the grid datasets × losses ×
// batch sizes × seeds described by a results.Config, into a results folder
// (package train/results, which reads, summarises and merges such folders
// without Gorgonia). Runs are paired across losses: a seed fixes the
// initial weights, the batch order and the augmentation, whatever the loss.
// Every run (Train) builds its training graph once, compiles one Gorgonia
// TapeMachine and reuses it for every batch, with Adam on the mean batch
// loss; after each epoch it measures the test accuracy and the training
// accuracy on a fixed sample on evaluation graphs that share the weights.
// With Config.Calibrate it also fits per-class logit offsets b on the
// training split (nn.FitClassOffsets; the HyperSimplex loss cannot train
// them) and measures the calibrated test accuracy, of argmax(logits + b).
//
// Rerunning a sweep on its folder skips the runs already in runs.csv, so an
// interrupted sweep resumes. Config.Shard splits the grid over several
// processes (one folder each) and results.Merge combines their folders.
//
// Conventions: data are batch-major rows (datasets.Split), graphs are
// float32 unless Config.Dtype says float64, and errors from configuration
// checks are *results.FieldError naming the Config field (its JSON name).
package train

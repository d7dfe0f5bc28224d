// Package train runs the experiments of Gomez, Wang and Tang, "Differentiable
// Zero-One Loss via Hypersimplex Projections" (arXiv 2602.23336, PAKDD 2026):
// does the HyperSimplex loss narrow the accuracy gap of large-batch training
// compared with cross-entropy?
//
// A sweep (Sweep) trains one run per point of the grid datasets × losses ×
// batch sizes × seeds described by a Config (DefaultConfig is a quick
// offline comparison). Runs are paired across losses: a seed fixes the
// initial weights and the batch order, whatever the loss. Every run (Train)
// builds its training graph once, compiles one Gorgonia TapeMachine and
// reuses it for every batch, with Adam on the mean batch loss; after each
// epoch it measures the test accuracy and the training accuracy on a fixed
// sample on evaluation graphs that share the weights. With Config.Calibrate
// it also fits per-class logit offsets b on the training split
// (nn.FitClassOffsets; the HyperSimplex loss cannot train them) and
// measures the calibrated test accuracy, of argmax(logits + b).
//
// The metric is the paper's: the maximum test accuracy over the epochs of a
// run. For every dataset and batch size, Summarize gives its mean ± sd over
// the seeds for each loss and a paired two-sided t-test of each loss against
// cross-entropy across the seeds (PairedTTest), and the same for the
// maximum calibrated test accuracy when it was measured:
//
//	d_s = acc_loss(s) − acc_ce(s),  t = mean(d)/(sd(d)/√n),  df = n − 1.
//
// Results live in a folder, every file written atomically (temp file +
// rename, internal/atomicfile):
//
//	runs.csv     one row per run per epoch (WriteRuns), rewritten after each run;
//	             test_acc_calibrated is empty without Config.Calibrate
//	summary.csv  one row per dataset, batch size and loss (calibrated columns
//	             only when measured)
//	summary.md   a table shaped like the paper's Table 1 (Summary.Markdown),
//	             and a second one for the calibrated accuracy when measured
//	config.json  the Config of the runs
//	*.png        max test accuracy vs batch size; test accuracy vs epoch (WritePlots)
//
// Rerunning a sweep on its folder skips the runs already in runs.csv, so an
// interrupted sweep resumes. Config.Shard splits the grid over several
// processes (one folder each) and Merge combines their folders.
//
// Conventions: data are batch-major rows (datasets.Split), graphs are
// float32 unless Config.Dtype says float64, and errors from configuration
// checks are *FieldError naming the Config field (its JSON name).
package train

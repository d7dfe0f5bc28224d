// Package results holds what a sweep of package train writes and reads,
// with no dependency on Gorgonia: the sweep's Config and run grid (RunSpec,
// Shard), the runs' per-epoch measurements, their files, the summaries and
// paired t-tests, the plots, and the merge of folders.
//
// The metric is the paper's: the maximum test accuracy over the epochs of a
// run. For every dataset and batch size, Summarize gives its mean ± sd over
// the seeds for each loss and a paired two-sided t-test of each loss against
// cross-entropy across the seeds (PairedTTest), and the same for the
// maximum calibrated test accuracy when it was measured:
//
//	d_s = acc_loss(s) − acc_ce(s),  t = mean(d)/(sd(d)/√n),  df = n − 1.
//
// A results folder holds, every file written atomically (temp file +
// rename, internal/atomicfile):
//
//	runs.csv     one row per run per epoch (WriteRuns), rewritten after each run;
//	             test_acc_calibrated is empty when not measured
//	summary.csv  one row per dataset, batch size and loss (calibrated columns
//	             only when measured)
//	summary.md   a table shaped like the paper's Table 1 (Summary.Markdown),
//	             and a second one for the calibrated accuracy when measured
//	config.json  the Config of the runs
//	*.png        max test accuracy vs batch size; test accuracy vs epoch (WritePlots)
//
// Merge combines folders made with the same settings (one per shard, say).
// Errors from configuration checks are *FieldError naming the Config field
// (its JSON name).
package results

package results_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
	"github.com/hypersimplex/hsloss/train/results"
)

func ExampleDefaultConfig() {
	cfg := results.DefaultConfig()
	fmt.Println(cfg.Datasets, cfg.Losses, cfg.BatchSizes, cfg.Seeds, "seeds", cfg.Epochs, "epochs")
	fmt.Println(len(cfg.Grid()), "runs")
	cfg.BatchSizes = []int{0}
	fmt.Println(cfg.Validate())
	// Output:
	// [mnist] [ce hs hs-offset] [128 1024] 2 seeds 3 epochs
	// 12 runs
	// results: config batch_sizes: batch size 0 < 1
}

func ExamplePairedTTest() {
	hs := []float64{0.947, 0.945, 0.948} // max test accuracy per seed
	ce := []float64{0.944, 0.943, 0.946}
	t, err := results.PairedTTest(hs, ce)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Δ = %+.4f, t = %.2f, df = %v, p = %.3f\n", t.MeanDiff, t.T, t.DF, t.P)
	// Output:
	// Δ = +0.0023, t = 7.00, df = 2, p = 0.020
}

func ExampleMeanSD() {
	mean, sd := results.MeanSD([]float64{0.90, 0.92, 0.94})
	fmt.Printf("%.2f ± %.2f\n", mean, sd)
	// Output: 0.92 ± 0.02
}

func ExampleParseShard() {
	cfg := results.DefaultConfig()
	shard, err := results.ParseShard("1/4")
	if err != nil {
		log.Fatal(err)
	}
	runs, err := shard.Select(cfg.Grid())
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range runs {
		fmt.Println(r.Key())
	}
	// Output:
	// mnist/hs/b128/s1
	// mnist/hs-offset/b128/s2
	// mnist/ce/b1024/s2
}

func ExampleSummarize() {
	run := func(loss string, seed int64, acc float64) results.RunResult {
		return results.RunResult{
			Spec:   results.RunSpec{Dataset: "fashion-mnist", Loss: loss, Batch: 8192, Seed: seed},
			Epochs: []results.EpochStats{{Epoch: 1, TestAcc: acc}},
		}
	}
	runs := []results.RunResult{run("ce", 1, 0.933), run("hs", 1, 0.941), run("ce", 2, 0.934), run("hs", 2, 0.944)}
	results.Summarize(runs, []string{"ce", "hs"}).Markdown(os.Stdout)
	// Output:
	// fashion-mnist: maximum test accuracy over epochs, mean ± sd over 2 seeds; Δ = HS − CE, paired two-sided t-test across seeds
	//
	// | batch | CE | HS | Δ | t | p |
	// |------:|---|---|---:|---:|---:|
	// | 8192 | 0.9335 ± 0.0007 | 0.9425 ± 0.0021 | +0.0090 | 9.00 | 0.070 |
}

// Two shards of one grid (as two jobs of a cluster array would write
// them), each in its own folder, merged into one.
func ExampleMerge() {
	dir, err := os.MkdirTemp("", "merge")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := results.DefaultConfig()
	cfg.Datasets, cfg.BatchSizes, cfg.Seeds = []string{"synthetic"}, []int{64}, 2

	var shards []string
	for i := 0; i < 2; i++ {
		c := cfg
		c.Shard = results.Shard{Index: i, Count: 2}
		shard := filepath.Join(dir, fmt.Sprint("shard", i))
		var runs []results.RunResult
		mine, err := c.Shard.Select(c.Grid())
		if err != nil {
			log.Fatal(err)
		}
		for _, spec := range mine { // what a sweep of this shard would write
			runs = append(runs, results.RunResult{Spec: spec, Epochs: []results.EpochStats{{Epoch: 1, TestAcc: 0.9}}})
		}
		if err := os.MkdirAll(shard, 0o755); err != nil {
			log.Fatal(err)
		}
		if err := results.WriteConfigFile(shard, c); err != nil {
			log.Fatal(err)
		}
		if err := results.WriteRunsFile(shard, runs); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("shard %s: %d runs\n", c.Shard, len(runs))
		shards = append(shards, shard)
	}
	merged, err := results.Merge(filepath.Join(dir, "merged"), shards)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range merged.Rows[0].Losses {
		fmt.Printf("merged %s: %d runs\n", l.Loss, l.N)
	}
	// Output:
	// shard 0/2: 3 runs
	// shard 1/2: 3 runs
	// merged ce: 2 runs
	// merged hs: 2 runs
	// merged hs-offset: 2 runs
}

func ExampleWriteRuns() {
	runs := []results.RunResult{{
		Spec: results.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1},
		Epochs: []results.EpochStats{{Epoch: 1, TrainLoss: 0.25, TrainAcc: 0.9, TestAcc: 0.91, Seconds: 2,
			Calibrated: true, TestAccCalibrated: 0.93}}, // Config.Calibrate
	}, {
		Spec:        results.RunSpec{Dataset: "mnist", Loss: "ce", Batch: 1024, Seed: 1},
		Failure:     "training loss is NaN at step 3 of the epoch",
		FailedEpoch: 1,
	}}
	var buf strings.Builder
	if err := results.WriteRuns(&buf, runs); err != nil {
		log.Fatal(err)
	}
	fmt.Print(buf.String())
	back, err := results.ReadRuns(strings.NewReader(buf.String()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(back), "runs read back; the second failed:", back[1].Failed())
	// Output:
	// dataset,loss,batch,seed,epoch,train_loss,train_acc,test_acc,seconds,status,error,test_acc_calibrated
	// mnist,hs,1024,1,1,0.25,0.9,0.91,2,ok,,0.93
	// mnist,ce,1024,1,1,,,,,failed,training loss is NaN at step 3 of the epoch,
	// 2 runs read back; the second failed: true
}

// Runs come back from a sweep in the order they finish; SortRuns puts
// them in the order of runs.csv: dataset, batch size, seed, loss.
func ExampleSortRuns() {
	runs := []results.RunResult{
		{Spec: results.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1}},
		{Spec: results.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 128, Seed: 2}},
		{Spec: results.RunSpec{Dataset: "mnist", Loss: "ce", Batch: 128, Seed: 2}},
		{Spec: results.RunSpec{Dataset: "fashion-mnist", Loss: "ce", Batch: 8192, Seed: 1}},
	}
	results.SortRuns(runs)
	for _, r := range runs {
		fmt.Println(r.Spec.Dataset, r.Spec.Batch, r.Spec.Seed, r.Spec.Loss)
	}
	// Output:
	// fashion-mnist 8192 1 ce
	// mnist 128 2 ce
	// mnist 128 2 hs
	// mnist 1024 1 hs
}

// summary.csv of four paired seeds at one batch size: one row per dataset,
// batch size and loss; the t-test columns are empty for CE itself. The
// accuracies are multiples of 1/16, so Δ and t are exact: HS − CE =
// (1, 5, 5, 5)/16, mean ¼, sd ⅛, t = ¼/(⅛/√4) = 4 with 3 degrees of
// freedom, two-sided p = 1 − (2/π)(atan(4/√3) + (4/√3)/(1 + 16/3)).
func ExampleSummary_WriteCSV() {
	accs := map[string][]float64{
		"ce": {0.5, 0.5625, 0.625, 0.625},
		"hs": {0.5625, 0.875, 0.9375, 0.9375},
	}
	var runs []results.RunResult
	for _, loss := range []string{"ce", "hs"} {
		for i, acc := range accs[loss] {
			runs = append(runs, results.RunResult{
				Spec:   results.RunSpec{Dataset: "mnist", Loss: loss, Batch: 8192, Seed: int64(i + 1)},
				Epochs: []results.EpochStats{{Epoch: 1, TestAcc: acc}},
			})
		}
	}
	if err := results.Summarize(runs, []string{"ce", "hs"}).WriteCSV(os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// dataset,batch,loss,runs,failed,mean_max_test_acc,sd_max_test_acc,mean_best_epoch,delta_vs_ce,t_vs_ce,df,p_vs_ce,note
	// mnist,8192,ce,4,0,0.578125,0.05983919423477113,1,,,,,
	// mnist,8192,hs,4,0,0.828125,0.1795175827043134,1,0.25,4,3,0.028008456010146163,
}

// The figures of a finished sweep, drawn again from its runs (for example
// after editing runs.csv by hand).
func ExampleWritePlots() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var runs []results.RunResult
	for _, batch := range []int{128, 1024} {
		for _, loss := range []string{"ce", "hs"} {
			runs = append(runs, results.RunResult{
				Spec:   results.RunSpec{Dataset: "mnist", Loss: loss, Batch: batch, Seed: 1},
				Epochs: []results.EpochStats{{Epoch: 1, TestAcc: 0.90}, {Epoch: 2, TestAcc: 0.93}},
			})
		}
	}
	names, err := results.WritePlots(dir, runs, []string{"ce", "hs"})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// max_acc_vs_batch_mnist.png
	// test_acc_vs_epoch_mnist_b128.png
	// test_acc_vs_epoch_mnist_b1024.png
}

// A results folder read back: here only runs.csv, written the way a sweep
// writes it; a folder without config.json has a nil Config.
func ExampleReadFolder() {
	dir, err := os.MkdirTemp("", "folder")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	runs := []results.RunResult{{
		Spec:   results.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1},
		Epochs: []results.EpochStats{{Epoch: 1, TestAcc: 0.91}, {Epoch: 2, TestAcc: 0.93}, {Epoch: 3, TestAcc: 0.92}},
	}}
	err = atomicfile.Write(filepath.Join(dir, results.RunsFile), func(w io.Writer) error { return results.WriteRuns(w, runs) })
	if err != nil {
		log.Fatal(err)
	}
	f, err := results.ReadFolder(dir)
	if err != nil {
		log.Fatal(err)
	}
	acc, epoch := f.Runs[0].Best()
	fmt.Println("config:", f.Config != nil)
	fmt.Printf("%s: max test accuracy %.2f in epoch %d\n", f.Runs[0].Spec, acc, epoch)
	// Output:
	// config: false
	// mnist hs batch 1024 seed 1: max test accuracy 0.93 in epoch 2
}

// Two seeds of CE and HS whose gap closes with training: HS trails after
// one epoch and leads from epoch 3 on.
func ExampleCompareBudgets() {
	var runs []results.RunResult
	for _, seed := range []int64{1, 2} {
		for loss, accs := range map[string][]float64{"ce": {0.80, 0.85, 0.86}, "hs": {0.70, 0.84, 0.88 + 0.01*float64(seed)}} {
			r := results.RunResult{Spec: results.RunSpec{Dataset: "mnist", Loss: loss, Batch: 8192, Seed: seed}}
			for e, a := range accs {
				r.Epochs = append(r.Epochs, results.EpochStats{Epoch: e + 1, TestAcc: a})
			}
			runs = append(runs, r)
		}
	}
	b := results.CompareBudgets(runs, []int{1, 3}, results.RawAccuracy)
	for _, c := range b.Cells {
		fmt.Printf("after %d epochs: HS − CE = %+.3f\n", c.Budget, c.Mean-c.MeanCE)
	}
	fmt.Println("HS stays above CE from epoch", b.Curves[0].Crossover())
	// Output:
	// after 1 epochs: HS − CE = -0.100
	// after 3 epochs: HS − CE = +0.035
	// HS stays above CE from epoch 3
}

package train_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/hypersimplex/hsloss/internal/atomicfile"

	"github.com/hypersimplex/hsloss/train"
)

func ExampleDefaultConfig() {
	cfg := train.DefaultConfig()
	fmt.Println(cfg.Datasets, cfg.Losses, cfg.BatchSizes, cfg.Seeds, "seeds", cfg.Epochs, "epochs")
	fmt.Println(len(cfg.Grid()), "runs")
	cfg.BatchSizes = []int{0}
	fmt.Println(cfg.Validate())
	// Output:
	// [mnist] [ce hs] [128 1024] 3 seeds 3 epochs
	// 12 runs
	// train: config batch_sizes: batch size 0 < 1
}

func ExamplePairedTTest() {
	hs := []float64{0.947, 0.945, 0.948} // max test accuracy per seed
	ce := []float64{0.944, 0.943, 0.946}
	t, err := train.PairedTTest(hs, ce)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Δ = %+.4f, t = %.2f, df = %v, p = %.3f\n", t.MeanDiff, t.T, t.DF, t.P)
	// Output:
	// Δ = +0.0023, t = 7.00, df = 2, p = 0.020
}

func ExampleMeanSD() {
	mean, sd := train.MeanSD([]float64{0.90, 0.92, 0.94})
	fmt.Printf("%.2f ± %.2f\n", mean, sd)
	// Output: 0.92 ± 0.02
}

func ExampleParseShard() {
	cfg := train.DefaultConfig()
	shard, err := train.ParseShard("1/4")
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
	// mnist/hs/b128/s3
	// mnist/hs/b1024/s2
}

func ExampleSummarize() {
	run := func(loss string, seed int64, acc float64) train.RunResult {
		return train.RunResult{
			Spec:   train.RunSpec{Dataset: "fashion-mnist", Loss: loss, Batch: 8192, Seed: seed},
			Epochs: []train.EpochStats{{Epoch: 1, TestAcc: acc}},
		}
	}
	runs := []train.RunResult{run("ce", 1, 0.933), run("hs", 1, 0.941), run("ce", 2, 0.934), run("hs", 2, 0.944)}
	train.Summarize(runs, []string{"ce", "hs"}).Markdown(os.Stdout)
	// Output:
	// fashion-mnist: maximum test accuracy over epochs, mean ± sd over 2 seeds; Δ = HS − CE, paired two-sided t-test across seeds
	//
	// | batch | CE | HS | Δ | t | p |
	// |------:|---|---|---:|---:|---:|
	// | 8192 | 0.9335 ± 0.0007 | 0.9425 ± 0.0021 | +0.0090 | 9.00 | 0.070 |
}

// A tiny sweep on synthetic data: two seeds of CE and HS at batch size 64.
// Rerunning it on the same folder would skip every run.
func ExampleSweep() {
	dir, err := os.MkdirTemp("", "sweep")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := train.DefaultConfig()
	cfg.Datasets = []string{"synthetic"}
	cfg.BatchSizes = []int{64}
	cfg.Seeds, cfg.Epochs = 2, 2
	cfg.Hidden = []int{16}

	sum, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range sum.Rows[0].Losses {
		fmt.Printf("%s: %d runs\n", l.Loss, l.N)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// ce: 2 runs
	// hs: 2 runs
	// config.json
	// max_acc_vs_batch_synthetic.png
	// runs.csv
	// summary.csv
	// summary.md
	// test_acc_vs_epoch_synthetic_b64.png
}

// The sweep of ExampleSweep split into two shards (as two jobs of a
// cluster array would run it), each into its own folder, then merged.
func ExampleMerge() {
	dir, err := os.MkdirTemp("", "merge")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := train.DefaultConfig()
	cfg.Datasets = []string{"synthetic"}
	cfg.BatchSizes = []int{64}
	cfg.Seeds, cfg.Epochs = 2, 2
	cfg.Hidden = []int{16}

	var shards []string
	for i := 0; i < 2; i++ {
		c := cfg
		c.Shard = train.Shard{Index: i, Count: 2}
		shards = append(shards, filepath.Join(dir, fmt.Sprint("shard", i)))
		sum, err := train.Sweep(context.Background(), c, train.SweepOptions{Dir: shards[i]})
		if err != nil {
			log.Fatal(err)
		}
		for _, l := range sum.Rows[0].Losses {
			fmt.Printf("shard %s %s: %d runs\n", c.Shard, l.Loss, l.N)
		}
	}
	merged, err := train.Merge(filepath.Join(dir, "merged"), shards)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range merged.Rows[0].Losses {
		fmt.Printf("merged %s: %d runs\n", l.Loss, l.N)
	}
	// Output:
	// shard 0/2 ce: 2 runs
	// shard 1/2 hs: 2 runs
	// merged ce: 2 runs
	// merged hs: 2 runs
}

func ExampleTrain() {
	cfg := train.DefaultConfig()
	cfg.Hidden, cfg.Epochs, cfg.LR = []int{16}, 4, 1e-2
	data := blobs(4, 8, 512, 250, 7)
	spec := train.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 32, Seed: 1}
	res, err := train.Train(context.Background(), cfg, data, spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	acc, _ := res.Best()
	fmt.Println("epochs:", len(res.Epochs), "failed:", res.Failed(), "max test accuracy above 0.8:", acc > 0.8)
	// Output:
	// epochs: 4 failed: false max test accuracy above 0.8: true
}

func ExampleWriteRuns() {
	runs := []train.RunResult{{
		Spec: train.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1},
		Epochs: []train.EpochStats{{Epoch: 1, TrainLoss: 0.25, TrainAcc: 0.9, TestAcc: 0.91, Seconds: 2,
			Calibrated: true, TestAccCalibrated: 0.93}}, // Config.Calibrate
	}, {
		Spec:        train.RunSpec{Dataset: "mnist", Loss: "ce", Batch: 1024, Seed: 1},
		Failure:     "training loss is NaN at step 3 of the epoch",
		FailedEpoch: 1,
	}}
	var buf strings.Builder
	if err := train.WriteRuns(&buf, runs); err != nil {
		log.Fatal(err)
	}
	fmt.Print(buf.String())
	back, err := train.ReadRuns(strings.NewReader(buf.String()))
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
	runs := []train.RunResult{
		{Spec: train.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1}},
		{Spec: train.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 128, Seed: 2}},
		{Spec: train.RunSpec{Dataset: "mnist", Loss: "ce", Batch: 128, Seed: 2}},
		{Spec: train.RunSpec{Dataset: "fashion-mnist", Loss: "ce", Batch: 8192, Seed: 1}},
	}
	train.SortRuns(runs)
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
	var runs []train.RunResult
	for _, loss := range []string{"ce", "hs"} {
		for i, acc := range accs[loss] {
			runs = append(runs, train.RunResult{
				Spec:   train.RunSpec{Dataset: "mnist", Loss: loss, Batch: 8192, Seed: int64(i + 1)},
				Epochs: []train.EpochStats{{Epoch: 1, TestAcc: acc}},
			})
		}
	}
	if err := train.Summarize(runs, []string{"ce", "hs"}).WriteCSV(os.Stdout); err != nil {
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
	var runs []train.RunResult
	for _, batch := range []int{128, 1024} {
		for _, loss := range []string{"ce", "hs"} {
			runs = append(runs, train.RunResult{
				Spec:   train.RunSpec{Dataset: "mnist", Loss: loss, Batch: batch, Seed: 1},
				Epochs: []train.EpochStats{{Epoch: 1, TestAcc: 0.90}, {Epoch: 2, TestAcc: 0.93}},
			})
		}
	}
	names, err := train.WritePlots(dir, runs, []string{"ce", "hs"})
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
	runs := []train.RunResult{{
		Spec:   train.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1},
		Epochs: []train.EpochStats{{Epoch: 1, TestAcc: 0.91}, {Epoch: 2, TestAcc: 0.93}, {Epoch: 3, TestAcc: 0.92}},
	}}
	err = atomicfile.Write(filepath.Join(dir, train.RunsFile), func(w io.Writer) error { return train.WriteRuns(w, runs) })
	if err != nil {
		log.Fatal(err)
	}
	f, err := train.ReadFolder(dir)
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

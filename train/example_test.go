package train_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

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

// A tiny sweep on synthetic data, then the same sweep split into two
// shards and merged.
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

	sum, err := train.Sweep(context.Background(), cfg, train.SweepOptions{Dir: filepath.Join(dir, "all")})
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range sum.Rows[0].Losses {
		fmt.Printf("%s: %d runs\n", l.Loss, l.N)
	}

	var shards []string
	for i := 0; i < 2; i++ {
		c := cfg
		c.Shard = train.Shard{Index: i, Count: 2}
		shards = append(shards, filepath.Join(dir, fmt.Sprint("shard", i)))
		if _, err := train.Sweep(context.Background(), c, train.SweepOptions{Dir: shards[i]}); err != nil {
			log.Fatal(err)
		}
	}
	merged, err := train.Merge(filepath.Join(dir, "merged"), shards)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same means:", merged.Rows[0].Losses[1].Mean == sum.Rows[0].Losses[1].Mean)
	// Output:
	// ce: 2 runs
	// hs: 2 runs
	// same means: true
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
		Spec:   train.RunSpec{Dataset: "mnist", Loss: "hs", Batch: 1024, Seed: 1},
		Epochs: []train.EpochStats{{Epoch: 1, TrainLoss: 0.25, TrainAcc: 0.9, TestAcc: 0.91, Seconds: 2}},
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
	// dataset,loss,batch,seed,epoch,train_loss,train_acc,test_acc,seconds,status,error
	// mnist,hs,1024,1,1,0.25,0.9,0.91,2,ok,
	// mnist,ce,1024,1,1,,,,,failed,training loss is NaN at step 3 of the epoch
	// 2 runs read back; the second failed: true
}

func ExampleWriteFileAtomic() {
	dir, err := os.MkdirTemp("", "atomic")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "note.txt")
	err = train.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "complete or absent\n")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output: complete or absent
}

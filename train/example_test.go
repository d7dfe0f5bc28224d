package train_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/hypersimplex/hsloss/train/results"

	"github.com/hypersimplex/hsloss/train"
)

// A tiny sweep on synthetic data: two seeds of CE and HS at batch size 64.
// Rerunning it on the same folder would skip every run.
func ExampleSweep() {
	dir, err := os.MkdirTemp("", "sweep")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := results.DefaultConfig()
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
	// hs-offset: 2 runs
	// config.json
	// max_acc_vs_batch_synthetic.png
	// runs.csv
	// summary.csv
	// summary.md
	// test_acc_vs_epoch_synthetic_b64.png
}

func ExampleTrain() {
	cfg := results.DefaultConfig()
	cfg.Hidden, cfg.Epochs, cfg.LR = []int{16}, 4, 1e-2
	data := blobs(4, 8, 512, 250, 7)
	spec := results.RunSpec{Dataset: "synthetic", Loss: "hs", Batch: 32, Seed: 1}
	res, err := train.Train(context.Background(), cfg, data, spec, nil)
	if err != nil {
		log.Fatal(err)
	}
	acc, _ := res.Best()
	fmt.Println("epochs:", len(res.Epochs), "failed:", res.Failed(), "max test accuracy above 0.8:", acc > 0.8)
	// Output:
	// epochs: 4 failed: false max test accuracy above 0.8: true
}

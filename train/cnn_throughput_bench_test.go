package train_test

import (
	"fmt"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
)

// BenchmarkTrainStepCNN times one training step of the paper's CNN
// (nn.NewCNN, 1×28×28 inputs, 10 classes) on a fixed random batch — Let,
// forward, backward, accel.Adam, Reset — with the cross-entropy head, and
// reports samples/s, allocations and the phases as BenchmarkTrainStep. It
// is the Go side of `make bench-peer-cnn` (scripts/peer_bench.py --model
// cnn trains the same layer list in PyTorch).
func BenchmarkTrainStepCNN(b *testing.B) {
	printBLAS.Do(printBLASConfig)
	for _, batch := range []int{32, 128, 512} {
		b.Run(fmt.Sprintf("solver=accel/head=ce/batch=%d", batch), func(b *testing.B) {
			arch, err := nn.NewCNN([3]int{1, 28, 28}, benchClasses)
			if err != nil {
				b.Fatal(err)
			}
			s, err := newArchTrainStep(arch, "accel", "ce", batch)
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			runTrainStep(b, s, batch)
		})
	}
}

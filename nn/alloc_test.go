package nn_test

import (
	"runtime"
	"testing"

	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	"gorgonia.org/tensor"
)

// maxStepBytes bounds what one steady-state forward+backward run of a
// small CNN (8 channels, hidden 32, batch 32: about 8 MB of activations
// and gradients per run) may allocate: the 1 MB per training step.
// Every convolution, pooling, batch norm, ReLU and linear layer writes
// into tensors it keeps from run to run; what remains is Gorgonia's
// bookkeeping and cross-entropy head (about 0.1 MB here) and, in the
// default pure-Go build, gonum's parallel sgemm, which allocates its own
// work buffers on every call (about 0.5 MB per run here; OpenBLAS
// allocates nothing on the Go heap).
const maxStepBytes = 1 << 20

// TestCNNStepDoesNotAllocateActivations runs a training graph of a small
// CNN a few times and checks that a run allocates at most maxStepBytes.
func TestCNNStepDoesNotAllocateActivations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a CNN several times")
	}
	t.Log("BLAS:", accel.Setup())
	arch, err := nn.NewCNNSized([3]int{1, 28, 28}, 10, 8, 32)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := arch.Init(tensor.Float32, 1)
	if err != nil {
		t.Fatal(err)
	}
	const batch = 32
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = i % 10
	}
	_, _, vm := ceGraph(t, arch, ps, tensor.Float32, randomValues(batch*28*28, 5), labels, 10)
	defer vm.Close()
	run := func() {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
	run() // the first run allocates the ops' outputs and work buffers
	const runs = 5
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		run()
	}
	runtime.ReadMemStats(&after)
	if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > maxStepBytes {
		t.Fatalf("a run allocates %d bytes, want ≤ %d", perRun, maxStepBytes)
	} else {
		t.Logf("a run allocates %d bytes, %d objects", perRun, (after.Mallocs-before.Mallocs)/runs)
	}
}

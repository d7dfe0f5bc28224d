package train_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train"
	"github.com/hypersimplex/hsloss/train/results"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The model of the throughput benchmark: the MLP 784-512-512-10 that the
// PyTorch peer (scripts/peer_bench.py) trains, float32, Adam.
const (
	benchFeatures = 784
	benchClasses  = 10
	benchLR       = 1e-3
	benchSeed     = 1
)

var benchHidden = []int{512, 512}

// printBLAS writes the BLAS in use as benchstat configuration lines
// ("blas: OpenBLAS (cgo)", "blas-details: ...") before the first result, so
// that results of the pure-Go and the OpenBLAS builds, or of two OpenBLAS
// kernel choices, can be told apart and compared.
var printBLAS sync.Once

func printBLASConfig() {
	fmt.Printf("blas: %s\nblas-details: %s\n", accel.Setup(), accel.Details())
}

// BenchmarkTrainStep times one training step of the MLP on a fixed random
// batch — Let the inputs, forward, backward, Adam, Reset — for each
// optimiser (gorgonia's AdamSolver, accel's fused Adam), head and batch
// size, and reports samples/s (batch / step time) and the time of each
// phase. It is the Go side of `make bench-peer`; `make bench-train` runs it
// for both BLAS builds.
func BenchmarkTrainStep(b *testing.B) {
	printBLAS.Do(printBLASConfig)
	for _, solver := range []string{"gorgonia", "accel"} {
		for _, head := range []string{"ce", "hs"} {
			for _, batch := range []int{128, 256, 512, 1024, 2048, 4096, 8192} {
				b.Run(fmt.Sprintf("solver=%s/head=%s/batch=%d", solver, head, batch), func(b *testing.B) {
					benchmarkTrainStep(b, solver, head, batch)
				})
			}
		}
	}
}

func benchmarkTrainStep(b *testing.B, solver, head string, batch int) {
	s, err := newTrainStep(solver, head, batch)
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	runTrainStep(b, s, batch)
}

// runTrainStep times s.run, after one untimed step, and reports samples/s
// and the phases.
func runTrainStep(b *testing.B, s *trainStep, batch int) {
	// One untimed step allocates the machine's buffers and Adam's state.
	if err := s.run(); err != nil {
		b.Fatal(err)
	}
	s.phases = stepPhases{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	s.phases.report(b)
}

// stepPhases accumulates the wall time of the parts of a training step.
type stepPhases struct {
	let, forwardBackward, optimiser, reset time.Duration
}

// report adds each phase's mean time per step, in ms, to b's results.
func (p stepPhases) report(b *testing.B) {
	perStep := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(b.N) }
	b.ReportMetric(perStep(p.let), "let-ms/op")
	b.ReportMetric(perStep(p.forwardBackward), "fwdbwd-ms/op")
	b.ReportMetric(perStep(p.optimiser), "adam-ms/op")
	b.ReportMetric(perStep(p.reset), "reset-ms/op")
}

// trainStep is a compiled training graph with its inputs and solver, built
// the way the trainer builds one: graph and TapeMachine once, then per batch
// Let, RunAll, solver Step, Reset.
type trainStep struct {
	x, onehot  *G.Node
	xVal, tVal tensor.Tensor
	vm         G.VM
	solver     G.Solver
	params     []nn.Param
	paramGrads []G.ValueGrad
	phases     stepPhases
}

func newTrainStep(solver, headName string, batch int) (*trainStep, error) {
	arch, err := nn.NewMLP(benchFeatures, benchHidden, benchClasses)
	if err != nil {
		return nil, err
	}
	return newArchTrainStep(arch, solver, headName, batch)
}

// newArchTrainStep is newTrainStep for any model of benchFeatures inputs
// and benchClasses outputs.
func newArchTrainStep(arch nn.Architecture, solver, headName string, batch int) (*trainStep, error) {
	ps, err := arch.Init(tensor.Float32, benchSeed)
	if err != nil {
		return nil, err
	}
	head, err := nn.NewHead(headName, nn.DefaultHeadOptions())
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	params, err := nn.Bind(g, ps)
	if err != nil {
		return nil, err
	}
	s := &trainStep{
		x:      G.NewMatrix(g, tensor.Float32, G.WithShape(batch, benchFeatures), G.WithName("x")),
		onehot: G.NewMatrix(g, tensor.Float32, G.WithShape(batch, benchClasses), G.WithName("onehot")),
		params: ps,
	}
	logits, err := arch.Forward(s.x, params, true)
	if err != nil {
		return nil, err
	}
	loss, err := head.Loss(logits, s.onehot)
	if err != nil {
		return nil, err
	}
	if _, err := G.Grad(loss, params...); err != nil {
		return nil, fmt.Errorf("grad: %w", err)
	}
	s.vm = G.NewTapeMachine(g, G.BindDualValues(params...))
	if s.solver, err = newSolver(solver); err != nil {
		return nil, err
	}
	s.paramGrads = G.NodesToValueGrads(params)
	s.xVal, s.tVal = randomBatch(batch)
	return s, nil
}

// newSolver returns Adam with the learning rate benchLR and the default
// β₁ = 0.9, β₂ = 0.999, ε = 1e-8: gorgonia's AdamSolver ("gorgonia") or
// accel's fused one ("accel").
func newSolver(name string) (G.Solver, error) {
	switch name {
	case "gorgonia":
		return G.NewAdamSolver(G.WithLearnRate(benchLR), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-8)), nil
	case "accel":
		return accel.NewAdam(benchLR, 0.9, 0.999, 1e-8)
	}
	return nil, fmt.Errorf("unknown solver %q", name)
}

// run performs one training step and adds the time of its phases to
// s.phases.
func (s *trainStep) run() error {
	t0 := time.Now()
	if err := G.Let(s.x, s.xVal); err != nil {
		return err
	}
	if err := G.Let(s.onehot, s.tVal); err != nil {
		return err
	}
	t1 := time.Now()
	if err := s.vm.RunAll(); err != nil {
		return err
	}
	t2 := time.Now()
	if err := s.solver.Step(s.paramGrads); err != nil {
		return err
	}
	t3 := time.Now()
	s.vm.Reset()
	t4 := time.Now()
	s.phases.let += t1.Sub(t0)
	s.phases.forwardBackward += t2.Sub(t1)
	s.phases.optimiser += t3.Sub(t2)
	s.phases.reset += t4.Sub(t3)
	return nil
}

func (s *trainStep) close() { s.vm.Close() }

// randomBatch returns standard normal inputs and one-hot targets of uniform
// random classes, like the peer's random data.
func randomBatch(batch int) (x, onehot tensor.Tensor) {
	rng := rand.New(rand.NewPCG(benchSeed, 2))
	xs := make([]float32, batch*benchFeatures)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	ts := make([]float32, batch*benchClasses)
	for i := 0; i < batch; i++ {
		ts[i*benchClasses+rng.IntN(benchClasses)] = 1
	}
	return tensor.New(tensor.WithShape(batch, benchFeatures), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(batch, benchClasses), tensor.WithBacking(ts))
}

// BenchmarkEpochSplit trains one epoch of the MLP 784-512-512-10 on MNIST
// (60,000 training samples, last partial batch dropped) and evaluates it
// like the trainer (10,000 test samples and a 2,000-sample training subset,
// in batches of 1,000 rows), timing each part of the epoch:
//
//	batch-s  shuffling and copying each batch into the graph's inputs
//	fwdbwd-s Let + forward + backward
//	adam-s   the optimiser step
//	eval-s   test and training-sample accuracy
//
// For the accel solver (the trainer's) it then runs train.Train for one
// epoch with the same settings and reports that epoch's wall time
// (trainer-s), to show that the parts add up to the trainer's epoch.
// One iteration is one epoch: run it with -benchtime 1x. Its twelve epochs
// take minutes, so it runs only when the environment variable
// HSLOSS_EPOCH_SPLIT is set (`make bench-epoch`), not in `make bench`. It
// needs MNIST (data/mnist or the GoMNIST module in the module cache) and
// skips without.
func BenchmarkEpochSplit(b *testing.B) {
	if os.Getenv("HSLOSS_EPOCH_SPLIT") == "" {
		b.Skip("set HSLOSS_EPOCH_SPLIT=1 to run (make bench-epoch): one MNIST epoch per case")
	}
	printBLAS.Do(printBLASConfig)
	ds, err := datasets.Load("mnist", datasets.Options{Dir: "../data"})
	if err != nil {
		b.Skipf("MNIST not available: %v", err)
	}
	for _, solver := range []string{"gorgonia", "accel"} {
		for _, head := range []string{"ce", "hs"} {
			for _, batch := range []int{128, 256, 512, 1024, 2048, 4096, 8192} {
				b.Run(fmt.Sprintf("solver=%s/head=%s/batch=%d", solver, head, batch), func(b *testing.B) {
					benchmarkEpochSplit(b, ds, solver, head, batch)
				})
			}
		}
	}
}

// Evaluation settings of the trainer's default configuration.
const (
	benchEvalBatch   = 1000
	benchTrainSample = 2000
)

func benchmarkEpochSplit(b *testing.B, ds *datasets.Dataset, solver, head string, batch int) {
	s, err := newTrainStep(solver, head, batch)
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	ev, err := newEvaluation(s.params, benchEvalBatch)
	if err != nil {
		b.Fatal(err)
	}
	defer ev.vm.Close()
	batches, err := datasets.NewBatcher(ds.Train, batch, benchSeed, true)
	if err != nil {
		b.Fatal(err)
	}
	sample := datasets.Split{X: ds.Train.X[:benchTrainSample*benchFeatures], Y: ds.Train.Y[:benchTrainSample]}
	xDst := s.xVal.Data().([]float32)
	tDst := s.tVal.Data().([]float32)
	labels := make([]int, batch)
	var batchTime, evalTime time.Duration
	s.phases = stepPhases{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batches.Epoch()
		for {
			tb := time.Now()
			n, ok := batches.Next(xDst, labels)
			if !ok {
				break
			}
			clear(tDst)
			for r, y := range labels[:n] {
				tDst[r*benchClasses+y] = 1
			}
			batchTime += time.Since(tb)
			if err := s.run(); err != nil {
				b.Fatal(err)
			}
		}
		if err := batches.Err(); err != nil {
			b.Fatal(err)
		}
		te := time.Now()
		for _, split := range []datasets.Split{ds.Test, sample} {
			if _, err := ev.accuracy(split); err != nil {
				b.Fatal(err)
			}
		}
		evalTime += time.Since(te)
	}
	b.StopTimer()
	perEpoch := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(perEpoch(batchTime), "batch-s")
	b.ReportMetric(perEpoch(s.phases.let+s.phases.forwardBackward+s.phases.reset), "fwdbwd-s")
	b.ReportMetric(perEpoch(s.phases.optimiser), "adam-s")
	b.ReportMetric(perEpoch(evalTime), "eval-s")
	if solver == "accel" {
		b.ReportMetric(trainerEpochSeconds(b, ds, head, batch), "trainer-s")
	}
}

// trainerEpochSeconds runs train.Train for one epoch with the settings of
// the split and returns the epoch's wall time (training and evaluation).
func trainerEpochSeconds(b *testing.B, ds *datasets.Dataset, head string, batch int) float64 {
	cfg := results.DefaultConfig()
	cfg.Datasets, cfg.Losses, cfg.BatchSizes, cfg.Seeds = []string{"mnist"}, []string{head}, []int{batch}, 1
	cfg.TrainSubset, cfg.TestSubset, cfg.TrainSample = 0, 0, benchTrainSample
	cfg.Hidden, cfg.Epochs, cfg.LR, cfg.EvalBatch = benchHidden, 1, benchLR, benchEvalBatch
	res, err := train.Train(context.Background(), cfg, ds, results.RunSpec{Dataset: "mnist", Loss: head, Batch: batch, Seed: benchSeed}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if res.Failed() || len(res.Epochs) != 1 {
		b.Fatalf("train.Train: %d epochs, failure %q", len(res.Epochs), res.Failure)
	}
	return res.Epochs[0].Seconds
}

// evaluation is an evaluation graph of the MLP for a fixed number of rows,
// bound to the training parameters, as the trainer builds one.
type evaluation struct {
	x      *G.Node
	xVal   *tensor.Dense
	logits *G.Node
	vm     G.VM
	pred   []int
}

func newEvaluation(params []nn.Param, rows int) (*evaluation, error) {
	arch, err := nn.NewMLP(benchFeatures, benchHidden, benchClasses)
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	e := &evaluation{
		x:    G.NewMatrix(g, tensor.Float32, G.WithShape(rows, benchFeatures), G.WithName("x")),
		xVal: tensor.New(tensor.WithShape(rows, benchFeatures), tensor.Of(tensor.Float32)),
		pred: make([]int, rows),
	}
	nodes, err := nn.Bind(g, params)
	if err != nil {
		return nil, err
	}
	if e.logits, err = arch.Forward(e.x, nodes, false); err != nil {
		return nil, err
	}
	e.vm = G.NewTapeMachine(g)
	return e, nil
}

// accuracy evaluates the full batches of s (the split sizes used here are
// multiples of the evaluation batch).
func (e *evaluation) accuracy(s datasets.Split) (float64, error) {
	rows := len(e.pred)
	correct := 0
	for off := 0; off+rows <= s.Len(); off += rows {
		copy(e.xVal.Float32s(), s.X[off*benchFeatures:(off+rows)*benchFeatures])
		if err := G.Let(e.x, e.xVal); err != nil {
			return 0, err
		}
		if err := e.vm.RunAll(); err != nil {
			return 0, err
		}
		if err := nn.Predict(e.pred, e.logits.Value().(tensor.Tensor)); err != nil {
			return 0, err
		}
		e.vm.Reset()
		for i, p := range e.pred {
			if p == s.Y[off+i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(s.Len()), nil
}

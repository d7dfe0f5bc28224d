package train_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
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

// printBLAS writes the BLAS in use as a benchstat configuration line
// ("blas: OpenBLAS (cgo)") before the first result, so that results of the
// pure-Go and the OpenBLAS builds can be told apart and compared.
var printBLAS sync.Once

// BenchmarkTrainStep times one training step of the MLP on a fixed random
// batch — Let the inputs, forward, backward, Adam, Reset — for each
// optimiser (gorgonia's AdamSolver, accel's fused Adam), head and batch
// size, and reports samples/s (batch / step time) and the time of each
// phase. It is the Go side of `make bench-peer`; `make bench-train` runs it
// for both BLAS builds.
func BenchmarkTrainStep(b *testing.B) {
	printBLAS.Do(func() { fmt.Printf("blas: %s\n", accel.Setup()) })
	for _, solver := range []string{"gorgonia", "accel"} {
		for _, head := range []string{"ce", "hs"} {
			for _, batch := range []int{128, 1024, 8192} {
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
	paramGrads []G.ValueGrad
	phases     stepPhases
}

func newTrainStep(solver, headName string, batch int) (*trainStep, error) {
	arch, err := nn.NewMLP(benchFeatures, benchHidden, benchClasses)
	if err != nil {
		return nil, err
	}
	ps, err := arch.Init(tensor.Float32, benchSeed)
	if err != nil {
		return nil, err
	}
	head, err := nn.NewHead(headName, nn.DefaultHeadOptions())
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	params := nn.Bind(g, ps)
	s := &trainStep{
		x:      G.NewMatrix(g, tensor.Float32, G.WithShape(batch, benchFeatures), G.WithName("x")),
		onehot: G.NewMatrix(g, tensor.Float32, G.WithShape(batch, benchClasses), G.WithName("onehot")),
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

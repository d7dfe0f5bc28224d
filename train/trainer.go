package train

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Train runs one training run of spec on data with the settings of cfg and
// returns its result. onEpoch, if not nil, is called after every epoch.
//
// The training graph is built and compiled once (one TapeMachine with the
// parameters' gradients bound as dual values) and reused for every batch;
// its input tensors are allocated once and refilled in place. Every epoch
// reshuffles the training split with a generator seeded from spec.Seed and
// drops the last partial batch, so every step sees exactly spec.Batch
// samples. Adam (cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Epsilon; the fused,
// allocation-free accel.Adam, equal to gorgonia's AdamSolver up to rounding)
// steps on the gradient of the head's loss, which is already a mean over
// the batch, so no batch scaling is applied. The parameters are initialised from
// spec.Seed, so runs with the same seed start from the same weights and see
// the same batches whatever their loss.
//
// After every epoch the test accuracy (on the whole test split) and the
// training accuracy (on cfg.TrainSample evenly spaced training samples) are
// measured on separate evaluation graphs bound to the same parameters, in
// batches of cfg.EvalBatch rows plus one graph for the last partial batch.
//
// A non-finite training loss, or an error while running the graphs (for
// example a projection rejecting NaN logits), ends the run: the result then
// holds the completed epochs and Failure says what happened. Train returns
// an error only for a bad configuration, spec or data (an unknown loss, a
// batch size outside [1, training samples], rows of the wrong length,
// labels outside [0, data.Classes)), or ctx's error if ctx is cancelled;
// then there is no result.
func Train(ctx context.Context, cfg Config, data *datasets.Dataset, spec RunSpec, onEpoch func(EpochStats)) (RunResult, error) {
	if err := cfg.Validate(); err != nil {
		return RunResult{}, err
	}
	r, err := newRun(cfg, data, spec)
	if err != nil {
		return RunResult{}, fmt.Errorf("train: run %s: %w", spec.Key(), err)
	}
	res := RunResult{Spec: spec}
	for epoch := 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		loss, err := r.trainEpoch(ctx)
		if err == nil {
			var st EpochStats
			st, err = r.evaluate()
			st.Epoch, st.TrainLoss, st.Seconds = epoch, loss, time.Since(start).Seconds()
			if err == nil {
				res.Epochs = append(res.Epochs, st)
				if onEpoch != nil {
					onEpoch(st)
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return RunResult{}, ctx.Err()
		}
		res.Failure, res.FailedEpoch = err.Error(), epoch
		break
	}
	return res, nil
}

// run holds the state of one training run.
type run struct {
	cfg      Config
	spec     RunSpec
	classes  int
	features int
	train    *trainGraph
	solver   G.Solver
	// valueGrads are the training graph's parameter nodes as the solver
	// takes them, built once.
	valueGrads []G.ValueGrad
	batches    *datasets.Batcher
	labels     []int     // labels of the current batch
	xBatch     []float32 // features of the current batch (float64 graphs only)
	test       datasets.Split
	sample     datasets.Split // fixed training sample for the training accuracy
	eval       *evaluator
}

// newRun checks its inputs, initialises the parameters from spec.Seed and
// builds the training graph, the batcher, Adam and the evaluator.
func newRun(cfg Config, data *datasets.Dataset, spec RunSpec) (*run, error) {
	if err := checkRun(data, spec); err != nil {
		return nil, err
	}
	trainSplit := subset(data.Train, cfg.TrainSubset, data.Features)
	test := subset(data.Test, cfg.TestSubset, data.Features)
	if spec.Batch > trainSplit.Len() {
		return nil, fmt.Errorf("batch size %d exceeds the %d training samples", spec.Batch, trainSplit.Len())
	}
	if test.Len() == 0 {
		return nil, fmt.Errorf("empty test split")
	}
	dt := tensor.Float32
	if cfg.Dtype == "float64" {
		dt = tensor.Float64
	}
	arch, err := newArchitecture(cfg, data)
	if err != nil {
		return nil, err
	}
	head, err := newHead(cfg, spec.Loss, trainSplit, data.Classes)
	if err != nil {
		return nil, err
	}
	params, err := arch.Init(dt, spec.Seed)
	if err != nil {
		return nil, err
	}
	r := &run{
		cfg: cfg, spec: spec, classes: data.Classes, features: data.Features,
		labels: make([]int, spec.Batch),
		test:   test,
		sample: evenSample(trainSplit, cfg.TrainSample, data.Features),
		eval:   &evaluator{arch: arch, params: params, dt: dt, features: data.Features, batch: cfg.EvalBatch, graphs: map[int]*evalGraph{}},
	}
	if r.train, err = newTrainGraph(arch, head, params, dt, spec.Batch, data.Features, data.Classes); err != nil {
		return nil, err
	}
	if dt == tensor.Float64 {
		r.xBatch = make([]float32, spec.Batch*data.Features)
	}
	if r.batches, err = datasets.NewBatcher(trainSplit, spec.Batch, spec.Seed, true); err != nil {
		return nil, err
	}
	if r.solver, err = accel.NewAdam(cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Epsilon); err != nil {
		return nil, err
	}
	r.valueGrads = G.NodesToValueGrads(r.train.params)
	return r, nil
}

// trainEpoch runs one pass over the shuffled training split and returns the
// mean batch loss.
func (r *run) trainEpoch(ctx context.Context) (float64, error) {
	r.batches.Epoch()
	xDst := r.xBatch
	if xDst == nil {
		xDst = r.train.xT.Data().([]float32) // the graph's own input: no copy
	}
	var sum float64
	steps := 0
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n, ok := r.batches.Next(xDst, r.labels)
		if !ok {
			break
		}
		if n != r.spec.Batch {
			return 0, fmt.Errorf("batcher returned %d rows, want %d", n, r.spec.Batch)
		}
		if r.xBatch != nil {
			setRows(r.train.xT, r.xBatch)
		}
		setOneHot(r.train.yT, r.labels, r.classes)
		loss, err := r.train.step()
		if err != nil {
			return 0, fmt.Errorf("step %d: %w", steps+1, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, fmt.Errorf("training loss is %v at step %d of the epoch", loss, steps+1)
		}
		if err := r.solver.Step(r.valueGrads); err != nil {
			return 0, fmt.Errorf("step %d: Adam: %w", steps+1, err)
		}
		r.train.vm.Reset()
		sum += loss
		steps++
	}
	if err := r.batches.Err(); err != nil {
		return 0, err
	}
	if steps == 0 {
		return 0, fmt.Errorf("no training batch in the epoch")
	}
	return sum / float64(steps), nil
}

// evaluate measures the test accuracy and the training accuracy.
func (r *run) evaluate() (EpochStats, error) {
	st := EpochStats{TrainAcc: math.NaN()}
	var err error
	if st.TestAcc, err = r.eval.accuracy(r.test); err != nil {
		return st, fmt.Errorf("test accuracy: %w", err)
	}
	if r.sample.Len() > 0 {
		if st.TrainAcc, err = r.eval.accuracy(r.sample); err != nil {
			return st, fmt.Errorf("training accuracy: %w", err)
		}
	}
	return st, nil
}

// newArchitecture returns the model cfg.Model for data's shape and classes.
func newArchitecture(cfg Config, data *datasets.Dataset) (nn.Architecture, error) {
	switch cfg.Model {
	case "mlp":
		return nn.NewMLP(data.Features, cfg.Hidden, data.Classes)
	case "cnn":
		return nn.NewCNN(data.Shape, data.Classes)
	}
	return nil, fmt.Errorf("unknown model %q", cfg.Model)
}

// subset returns the first n samples of s (all of them for n = 0 or n ≥ N).
func subset(s datasets.Split, n, features int) datasets.Split {
	if n == 0 || n >= s.Len() {
		return s
	}
	return datasets.Split{X: s.X[:n*features], Y: s.Y[:n]}
}

// evenSample returns a copy of n samples of s at evenly spaced positions
// i·N/n, the same for every run (all of s if n ≥ N).
func evenSample(s datasets.Split, n, features int) datasets.Split {
	N := s.Len()
	if n >= N {
		return s
	}
	out := datasets.Split{X: make([]float32, 0, n*features), Y: make([]int, 0, n)}
	for i := 0; i < n; i++ {
		j := i * N / n
		out.X = append(out.X, s.X[j*features:(j+1)*features]...)
		out.Y = append(out.Y, s.Y[j])
	}
	return out
}

// evaluator computes accuracies in batches of a fixed size, with one extra
// graph per other row count (the last partial batch), built on first use.
type evaluator struct {
	arch     nn.Architecture
	params   []nn.Param
	dt       tensor.Dtype
	features int
	batch    int
	graphs   map[int]*evalGraph
	pred     []int
}

// accuracy returns the fraction of s whose predicted class (nn.Predict) is
// its label.
func (e *evaluator) accuracy(s datasets.Split) (float64, error) {
	N := s.Len()
	correct := 0
	for off := 0; off < N; off += e.batch {
		rows := min(e.batch, N-off)
		g := e.graphs[rows]
		if g == nil {
			var err error
			if g, err = newEvalGraph(e.arch, e.params, e.dt, rows, e.features); err != nil {
				return 0, err
			}
			e.graphs[rows] = g
		}
		setRows(g.xT, s.X[off*e.features:(off+rows)*e.features])
		if err := G.Let(g.x, g.xT); err != nil {
			return 0, err
		}
		if err := g.vm.RunAll(); err != nil {
			return 0, err
		}
		if cap(e.pred) < rows {
			e.pred = make([]int, e.batch)
		}
		pred := e.pred[:rows]
		if err := nn.Predict(pred, g.logits.Value().(tensor.Tensor)); err != nil {
			return 0, err
		}
		g.vm.Reset()
		for i, p := range pred {
			if p == s.Y[off+i] {
				correct++
			}
		}
	}
	return float64(correct) / float64(N), nil
}

package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/internal/accel"
	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train/results"
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
// samples; with cfg.KeepLast that batch is trained on too, by a second
// graph of its size bound to the same parameters and the same Adam state.
// With cfg.Augment every training batch is augmented
// (datasets.ReferenceAugmentation) by a generator seeded from spec.Seed. Adam (cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Epsilon; the fused,
// allocation-free accel.Adam, equal to gorgonia's AdamSolver up to rounding)
// steps on the gradient of the head's loss, which is already a mean over
// the batch, so no batch scaling is applied. The parameters are initialised
// from spec.Seed, so runs with the same seed start from the same weights
// and see the same batches whatever their loss.
//
// After every epoch the test accuracy (on the whole test split) and the
// training accuracy (on cfg.TrainSample evenly spaced training samples) are
// measured on separate evaluation graphs bound to the same parameters, in
// batches of cfg.EvalBatch rows plus one graph for the last partial batch.
//
// With cfg.Calibrate (after every cfg.CalibrateEvery-th epoch and the
// last, or every epoch), the same evaluation graphs then compute the logits
// of the whole training split (after cfg.TrainSubset), nn.FitClassOffsets
// fits the per-class offsets b on them, and the test logits kept from the
// test accuracy give EpochStats.TestAccCalibrated = accuracy of
// argmax(logits + b). The whole split rather than the training-accuracy
// sample, as the PyTorch cross-check does: the fit wants every class well
// represented, and the cost is one forward pass, a fraction of an epoch's
// forward and backward passes; none when the sample is the whole split.
// This touches no weight and no random stream, so the other measurements
// are the same as without it; its time is left out of
// results.EpochStats.Seconds. A fit that fails (non-finite training logits, no
// convergence) gives a NaN calibrated accuracy, not a failed run. The
// training split must then hold every class.
//
// A non-finite training loss, or an error while running the graphs (for
// example a projection rejecting NaN logits), ends the run: the result then
// holds the completed epochs and Failure says what happened. Train returns
// an error only for a bad configuration, spec or data (an unknown loss, a
// batch size outside [1, training samples], rows of the wrong length,
// labels outside [0, data.Classes), a class missing from the training split
// with cfg.Calibrate), or ctx's error if ctx is cancelled; then there is no
// result.
func Train(ctx context.Context, cfg results.Config, data *datasets.Dataset, spec results.RunSpec, onEpoch func(results.EpochStats)) (results.RunResult, error) {
	return trainRun(ctx, cfg, data, spec, onEpoch, nil)
}

// trainRun is Train with checkpoints: with ck, the run continues from
// ck's checkpoint when there is one and saves one after an epoch when
// ck's interval has passed.
func trainRun(ctx context.Context, cfg results.Config, data *datasets.Dataset, spec results.RunSpec, onEpoch func(results.EpochStats), ck *checkpointer) (results.RunResult, error) {
	if err := Validate(cfg); err != nil {
		return results.RunResult{}, err
	}
	r, err := newRun(cfg, data, spec)
	if err != nil {
		return results.RunResult{}, fmt.Errorf("run %s: %w", spec.Key(), err)
	}
	res := results.RunResult{Spec: spec}
	if ck != nil {
		if res.Epochs, err = ck.restore(r); err != nil {
			return results.RunResult{}, fmt.Errorf("run %s: %w", spec.Key(), err)
		}
	}
	for epoch := len(res.Epochs) + 1; epoch <= cfg.Epochs; epoch++ {
		start := time.Now()
		loss, err := r.trainEpoch(ctx)
		if err == nil {
			var st results.EpochStats
			var calTime time.Duration
			st, calTime, err = r.evaluate(r.calibrates(epoch))
			st.Epoch, st.TrainLoss, st.Seconds = epoch, loss, (time.Since(start) - calTime).Seconds()
			if err == nil {
				res.Epochs = append(res.Epochs, st)
				if ck != nil && epoch < cfg.Epochs {
					if err := ck.maybeSave(r, res.Epochs); err != nil {
						return results.RunResult{}, fmt.Errorf("run %s: %w", spec.Key(), err)
					}
				}
				if onEpoch != nil {
					onEpoch(st)
				}
				continue
			}
		}
		if ctx.Err() != nil {
			return results.RunResult{}, ctx.Err()
		}
		res.Failure, res.FailedEpoch = err.Error(), epoch
		break
	}
	return res, nil
}

// run holds the state of one training run.
type run struct {
	cfg      results.Config
	spec     results.RunSpec
	classes  int
	features int
	train    *trainGraph
	last     *trainGraph // the graph of the last, smaller batch (Config.KeepLast); nil if none
	solver   *accel.Adam
	batches  *datasets.Batcher
	augment  *datasets.Augmenter // nil unless Config.Augment
	labels   []int               // labels of the current batch
	xBatch   []float32           // features of the current batch (float64 graphs only)
	test     datasets.Split
	sample   datasets.Split // fixed training sample for the training accuracy
	eval     *evaluator
	cal      *calibration // nil unless cfg.Calibrate
}

// calibration holds what Config.Calibrate needs, allocated once per run.
type calibration struct {
	train       datasets.Split // the whole training split
	testY       []int          // the test split's labels
	trainLogits []float64      // its logits, rows × classes
	testLogits  []float64      // the test split's, kept by the test accuracy
	offsets     []float64      // b, one per class
	pred        []int          // argmax(test logits + b)
	// fromSample: the training-accuracy sample is the whole training split,
	// so its pass fills trainLogits and calibration needs no pass of its own.
	fromSample bool
}

// newRun checks its inputs, initialises the parameters from spec.Seed and
// builds the training graph, the batcher, Adam and the evaluator.
func newRun(cfg results.Config, data *datasets.Dataset, spec results.RunSpec) (*run, error) {
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
	dt := dtypeOf(cfg)
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
	if last := trainSplit.Len() % spec.Batch; cfg.KeepLast && last > 0 {
		if r.last, err = newTrainGraph(arch, head, params, dt, last, data.Features, data.Classes); err != nil {
			return nil, err
		}
	}
	if cfg.Augment {
		aug, err := datasets.ReferenceAugmentation(data.Name)
		if err != nil {
			return nil, err
		}
		if r.augment, err = datasets.NewAugmenter(aug, data.Shape, spec.Seed); err != nil {
			return nil, err
		}
	}
	if dt == tensor.Float64 {
		r.xBatch = make([]float32, spec.Batch*data.Features)
	}
	if cfg.Calibrate {
		if err := checkCalibration(cfg, data); err != nil {
			return nil, err
		}
		r.cal = newCalibration(trainSplit, test, data.Classes)
		r.cal.fromSample = r.sample.Len() == trainSplit.Len() // evenSample returned trainSplit itself
	}
	if r.batches, err = datasets.NewBatcher(trainSplit, spec.Batch, spec.Seed, !cfg.KeepLast); err != nil {
		return nil, err
	}
	if r.solver, err = accel.NewAdam(cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Epsilon); err != nil {
		return nil, err
	}
	if _, ok := head.(nn.OffsetHead); ok && cfg.OffsetLR > 0 {
		// The output layer's bias is the last parameter (nn.OutputBias).
		if err := r.solver.SetLearnRate(len(params)-1, cfg.OffsetLR); err != nil {
			return nil, err
		}
	}
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
		g := r.train
		if n != r.spec.Batch {
			if r.last == nil || n != r.last.batch {
				return 0, fmt.Errorf("batcher returned %d rows, want %d", n, r.spec.Batch)
			}
			g = r.last
		}
		if r.augment != nil {
			if err := r.augment.Apply(xDst[:n*r.features]); err != nil {
				return 0, err
			}
		}
		if g != r.train || r.xBatch != nil {
			setRows(g.xT, xDst[:n*r.features])
		}
		setOneHot(g.yT, r.labels[:n], r.classes)
		loss, err := g.step()
		if err != nil {
			return 0, fmt.Errorf("step %d: %w", steps+1, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, fmt.Errorf("training loss is %v at step %d of the epoch", loss, steps+1)
		}
		if err := r.solver.Step(g.valueGrads); err != nil {
			return 0, fmt.Errorf("step %d: Adam: %w", steps+1, err)
		}
		g.vm.Reset()
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

// calibrates reports whether the calibrated accuracy is measured after
// epoch: with Config.Calibrate, after every Config.CalibrateEvery-th epoch
// and the last.
func (r *run) calibrates(epoch int) bool {
	every := max(r.cfg.CalibrateEvery, 1)
	return r.cal != nil && (epoch%every == 0 || epoch == r.cfg.Epochs)
}

// evaluate measures the test accuracy, the training accuracy and, if
// calibrate, the calibrated test accuracy; it returns the time the
// calibration took.
func (r *run) evaluate(calibrate bool) (results.EpochStats, time.Duration, error) {
	st := results.EpochStats{TrainAcc: math.NaN()}
	var keepTest, keepSample []float64
	if calibrate {
		keepTest = r.cal.testLogits
		if r.cal.fromSample {
			keepSample = r.cal.trainLogits
		}
	}
	var err error
	if st.TestAcc, err = r.eval.accuracy(r.test, keepTest); err != nil {
		return st, 0, fmt.Errorf("test accuracy: %w", err)
	}
	if r.sample.Len() > 0 {
		if st.TrainAcc, err = r.eval.accuracy(r.sample, keepSample); err != nil {
			return st, 0, fmt.Errorf("training accuracy: %w", err)
		}
	}
	if !calibrate {
		return st, 0, nil
	}
	start := time.Now()
	st.Calibrated = true
	if st.TestAccCalibrated, err = r.cal.accuracy(r.eval); err != nil {
		return st, 0, fmt.Errorf("calibration: %w", err)
	}
	return st, time.Since(start), nil
}

// checkCalibration rejects cfg.Calibrate when a class of data has no
// sample in the training split (after cfg.TrainSubset): its offset cannot
// be fitted.
func checkCalibration(cfg results.Config, data *datasets.Dataset) error {
	if !cfg.Calibrate {
		return nil
	}
	train := subset(data.Train, cfg.TrainSubset, data.Features)
	if c := slices.Index(train.ClassCounts(data.Classes), 0); c >= 0 {
		return fmt.Errorf("calibrate: class %d has no sample in the %d training samples: its offset cannot be fitted", c, train.Len())
	}
	return nil
}

// newCalibration allocates the buffers of Config.Calibrate for the training
// split train and the test split test (checkCalibration has checked train).
func newCalibration(train, test datasets.Split, classes int) *calibration {
	return &calibration{
		train:       train,
		testY:       test.Y,
		trainLogits: make([]float64, train.Len()*classes),
		testLogits:  make([]float64, test.Len()*classes),
		offsets:     make([]float64, classes),
		pred:        make([]int, test.Len()),
	}
}

// accuracy computes the training logits on e's graphs (unless the
// training accuracy's pass kept them), fits the offsets on them and returns
// the test accuracy of argmax(test logits + b), the test logits being
// those the test accuracy kept. A failed fit gives NaN; only a graph error
// is an error.
func (c *calibration) accuracy(e *evaluator) (float64, error) {
	if !c.fromSample {
		if err := e.logits(c.trainLogits, c.train); err != nil {
			return 0, err
		}
	}
	if err := nn.FitClassOffsets(c.offsets, c.trainLogits, c.train.Y); err != nil {
		return math.NaN(), nil
	}
	if err := nn.PredictWithOffsets(c.pred, c.testLogits, c.offsets); err != nil {
		return math.NaN(), nil
	}
	return float64(countCorrect(c.pred, c.testY)) / float64(len(c.testY)), nil
}

// countCorrect returns how many predictions equal their labels.
func countCorrect(pred, labels []int) int {
	n := 0
	for i, p := range pred {
		if p == labels[i] {
			n++
		}
	}
	return n
}

// newArchitecture returns the model cfg.Model for data's shape and classes.
func newArchitecture(cfg results.Config, data *datasets.Dataset) (nn.Architecture, error) {
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
// its label. If keep is not nil, it receives the logits of s (rows ×
// classes, as float64).
func (e *evaluator) accuracy(s datasets.Split, keep []float64) (float64, error) {
	correct := 0
	err := e.forward(s, func(off int, logits tensor.Tensor) error {
		rows := logits.Shape()[0]
		if cap(e.pred) < rows {
			e.pred = make([]int, e.batch)
		}
		pred := e.pred[:rows]
		if err := nn.Predict(pred, logits); err != nil {
			return err
		}
		if keep != nil {
			copyLogits(keep[off*logits.Shape()[1]:], logits)
		}
		correct += countCorrect(pred, s.Y[off:])
		return nil
	})
	if err != nil {
		return 0, err
	}
	return float64(correct) / float64(s.Len()), nil
}

// logits writes the logits of s (rows × classes, as float64) into dst.
func (e *evaluator) logits(dst []float64, s datasets.Split) error {
	return e.forward(s, func(off int, logits tensor.Tensor) error {
		copyLogits(dst[off*logits.Shape()[1]:], logits)
		return nil
	})
}

// forward runs the evaluation graphs over s in batches of e.batch rows and
// calls visit with the first row of each batch and the batch's logits,
// valid until visit returns.
func (e *evaluator) forward(s datasets.Split, visit func(off int, logits tensor.Tensor) error) error {
	N := s.Len()
	for off := 0; off < N; off += e.batch {
		rows := min(e.batch, N-off)
		g := e.graphs[rows]
		if g == nil {
			var err error
			if g, err = newEvalGraph(e.arch, e.params, e.dt, rows, e.features); err != nil {
				return err
			}
			e.graphs[rows] = g
		}
		setRows(g.xT, s.X[off*e.features:(off+rows)*e.features])
		if err := G.Let(g.x, g.xT); err != nil {
			return err
		}
		if err := g.vm.RunAll(); err != nil {
			return err
		}
		err := visit(off, g.logits.Value().(tensor.Tensor))
		g.vm.Reset()
		if err != nil {
			return err
		}
	}
	return nil
}

// copyLogits copies the float32 or float64 values of t into dst as
// float64.
func copyLogits(dst []float64, t tensor.Tensor) {
	switch d := t.Data().(type) {
	case []float32:
		for i, v := range d {
			dst[i] = float64(v)
		}
	case []float64:
		copy(dst, d)
	}
}

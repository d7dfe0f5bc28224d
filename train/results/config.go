package results

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/hypersimplex/hsloss/datasets"
	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// Config describes a sweep: the run grid (datasets × losses × batch sizes ×
// seeds) and everything that is the same for every run of it. The zero value
// is not useful; start from DefaultConfig.
type Config struct {
	// The run grid.
	Datasets   []string `json:"datasets"`    // datasets.Names: "mnist", "fashion-mnist", "cifar10", "synthetic"
	Losses     []string `json:"losses"`      // heads of package nn (nn.HeadNames): "ce", "hs", …
	BatchSizes []int    `json:"batch_sizes"` // training batch sizes
	Seeds      int      `json:"seeds"`       // number of seeds: FirstSeed, FirstSeed+1, …
	FirstSeed  int64    `json:"first_seed"`  // the first of the Seeds seeds

	// Data.
	DataDir     string `json:"data_dir"`     // dataset cache folder (datasets.Options.Dir)
	TrainSubset int    `json:"train_subset"` // use the first n training samples; 0 = all
	TestSubset  int    `json:"test_subset"`  // use the first n test samples; 0 = all
	TrainSample int    `json:"train_sample"` // training accuracy is measured on this many fixed samples; 0 = none

	// Calibrate adds a measurement after every epoch: per-class logit
	// offsets b fitted on the whole training split (after TrainSubset) with
	// the network frozen (nn.FitClassOffsets), and the test accuracy of
	// argmax(logits + b) (EpochStats.TestAccCalibrated). The HyperSimplex
	// loss cannot train these offsets. It changes no weight and no random
	// stream: the other measurements are the same with it on or off.
	// Omitted from config.json when false.
	Calibrate bool `json:"calibrate,omitempty"`
	// CalibrateEvery, with Calibrate, measures the calibrated accuracy only
	// after every CalibrateEvery-th epoch and the last one (0 or 1: after
	// every epoch).
	CalibrateEvery int `json:"calibrate_every,omitempty"`

	// Augment applies the public reference code's augmentation to every
	// training batch (datasets.ReferenceAugmentation: a random crop of the
	// reflect-padded image and, but for MNIST, a horizontal flip), drawn
	// from the run's seed so that the runs of one seed see the same
	// augmented batches whatever their loss. Never applied to evaluation.
	Augment bool `json:"augment,omitempty"`
	// KeepLast trains on the last, smaller batch of every epoch too, as the
	// reference code does (its size is the training split's size modulo
	// the batch size); otherwise it is dropped and every step sees exactly
	// the batch size.
	KeepLast bool `json:"keep_last,omitempty"`

	// Model.
	Model  string `json:"model"`  // "mlp" or "cnn"
	Hidden []int  `json:"hidden"` // hidden layer widths of the MLP
	Dtype  string `json:"dtype"`  // "float32" or "float64"

	// Optimisation: Adam on the mean loss of a batch.
	Epochs    int     `json:"epochs"`
	LR        float64 `json:"lr"`         // learning rate η
	Beta1     float64 `json:"beta1"`      // decay rate β₁ of the first moment
	Beta2     float64 `json:"beta2"`      // decay rate β₂ of the second moment
	Epsilon   float64 `json:"epsilon"`    // ε added to √v
	EvalBatch int     `json:"eval_batch"` // batch size of the evaluation graph
	// OffsetLR is Adam's learning rate for the class offsets (the output
	// layer's bias) under the hs-offset head; 0: the network's LR.
	OffsetLR float64 `json:"offset_lr,omitempty"`

	// Heads.
	Tau      float64              `json:"tau"`      // HyperSimplex temperature τ
	KPolicy  hypersimplex.KPolicy `json:"k_policy"` // how the "hs" head sets k_c
	Fraction float64              `json:"fraction"` // f of KPolicy fraction (k_c = f·n) and fraction-floor (⌊f·n⌋)
	// Reduction is the scale of the "hs" head's squared error (its JSON
	// name is that of the first results folders).
	Reduction hypersimplex.Reduction `json:"normalization"`
	// Regularizer is the projection of the HyperSimplex heads: Euclidean
	// (the paper's, omitted from config.json) or Entropic.
	Regularizer hypersimplex.Regularizer `json:"regularizer,omitempty"`
	HingeMargin float64                  `json:"hinge_margin"` // margin of the multiclass hinge head

	// Shard selects the slice of the run grid this process runs.
	Shard Shard `json:"shard"`
}

// DefaultConfig returns a quick offline comparison of cross-entropy, the
// HyperSimplex loss and the HyperSimplex loss with its class offsets
// learned (hs-offset): MNIST (a 10,000-sample training subset), an MLP
// with one hidden layer of 128 units, batch sizes 128 and 1024, two seeds,
// three epochs. Adam uses β1 = 0.9, β2 = 0.999, ε = 1e-8 like the paper, but a
// learning rate of 1e-3 instead of the paper's 1e-4, because the run is
// hundreds of times shorter than the paper's 600 epochs. The HyperSimplex
// head uses τ = 1.5 and k_c = the count of class c in the batch.
func DefaultConfig() Config {
	return Config{
		Datasets:    []string{"mnist"},
		Losses:      []string{"ce", "hs", "hs-offset"},
		BatchSizes:  []int{128, 1024},
		Seeds:       2,
		FirstSeed:   1,
		DataDir:     "data",
		TrainSubset: 10000,
		TestSubset:  0,
		TrainSample: 2000,
		Calibrate:   false,
		Model:       "mlp",
		Hidden:      []int{128},
		Dtype:       "float32",
		Epochs:      3,
		LR:          1e-3,
		Beta1:       0.9,
		Beta2:       0.999,
		Epsilon:     1e-8,
		EvalBatch:   1000,
		Tau:         1.5,
		KPolicy:     hypersimplex.KBatch,
		Fraction:    0.5,
		Reduction:   hypersimplex.ReduceBatchMean,
		HingeMargin: 1,
		Shard:       Shard{Index: 0, Count: 1},
	}
}

// Dtypes are the valid values of Config.Dtype.
var Dtypes = []string{"float32", "float64"}

// FieldError is a Config validation error; Field is the JSON name of the
// field, so a command line can map it to its flag.
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "results: config <field>: <message>".
func (e *FieldError) Error() string { return "results: config " + e.Field + ": " + e.Msg }

// fieldErr returns a *FieldError with a formatted message.
func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate reports the first invalid field of c as a *FieldError, of those
// this package can judge: everything but the names of the losses (heads)
// and of the model, which belong to packages nn and train; train.Validate
// checks those too, and what every head and op will check for c.Dtype.
func (c Config) Validate() error {
	if err := checkNames("datasets", c.Datasets, datasets.Names); err != nil {
		return err
	}
	if err := checkNames("losses", c.Losses, nil); err != nil {
		return err
	}
	if len(c.BatchSizes) == 0 {
		return fieldErr("batch_sizes", "empty list")
	}
	for _, b := range c.BatchSizes {
		if b < 1 {
			return fieldErr("batch_sizes", "batch size %d < 1", b)
		}
	}
	if dup := firstDuplicate(c.BatchSizes); dup >= 0 {
		return fieldErr("batch_sizes", "batch size %d listed twice", c.BatchSizes[dup])
	}
	if c.Seeds < 1 {
		return fieldErr("seeds", "%d < 1", c.Seeds)
	}
	if c.FirstSeed < 0 {
		return fieldErr("first_seed", "%d < 0", c.FirstSeed)
	}
	if c.Augment {
		for _, d := range c.Datasets {
			if _, err := datasets.ReferenceAugmentation(d); err != nil {
				return fieldErr("augment", "dataset %s has no augmentation: its samples are not images", d)
			}
		}
	}
	if c.CalibrateEvery < 0 {
		return fieldErr("calibrate_every", "%d < 0", c.CalibrateEvery)
	}
	if c.CalibrateEvery > 1 && !c.Calibrate {
		return fieldErr("calibrate_every", "%d without calibrate", c.CalibrateEvery)
	}
	if c.DataDir == "" {
		return fieldErr("data_dir", "empty")
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"train_subset", c.TrainSubset}, {"test_subset", c.TestSubset}, {"train_sample", c.TrainSample}} {
		if f.v < 0 {
			return fieldErr(f.name, "%d < 0 (0 means all/none)", f.v)
		}
	}
	if c.Model == "mlp" {
		for _, h := range c.Hidden {
			if h < 1 {
				return fieldErr("hidden", "layer width %d < 1", h)
			}
		}
	}
	if !slices.Contains(Dtypes, c.Dtype) {
		return fieldErr("dtype", "%q unknown, want one of %s", c.Dtype, strings.Join(Dtypes, ", "))
	}
	if c.Epochs < 1 {
		return fieldErr("epochs", "%d < 1", c.Epochs)
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return fieldErr("lr", "%v, want a finite value > 0", c.LR)
	}
	if !(c.Beta1 >= 0 && c.Beta1 < 1) {
		return fieldErr("beta1", "%v outside [0, 1)", c.Beta1)
	}
	if !(c.Beta2 >= 0 && c.Beta2 < 1) {
		return fieldErr("beta2", "%v outside [0, 1)", c.Beta2)
	}
	if !(c.Epsilon > 0) || math.IsInf(c.Epsilon, 0) {
		return fieldErr("epsilon", "%v, want a finite value > 0", c.Epsilon)
	}
	if !(c.OffsetLR >= 0) || math.IsInf(c.OffsetLR, 0) {
		return fieldErr("offset_lr", "%v, want a finite value ≥ 0 (0: lr)", c.OffsetLR)
	}
	if c.EvalBatch < 1 {
		return fieldErr("eval_batch", "%d < 1", c.EvalBatch)
	}
	if !(c.Tau > 0) || math.IsInf(c.Tau, 0) {
		return fieldErr("tau", "%v, want a finite value > 0", c.Tau)
	}
	if hypersimplex.CheckTau(c.Tau) != nil {
		return fieldErr("tau", "%v is below 2⁻¹⁰²², the smallest normal float64", c.Tau)
	}
	if t := float32(c.Tau); c.Dtype == "float32" && (t == 0 || math.IsInf(float64(t), 0)) {
		return fieldErr("tau", "%v is %v in float32, want a finite value > 0", c.Tau, t)
	}
	if _, err := c.KPolicy.MarshalText(); err != nil {
		return fieldErr("k_policy", "%v unknown", c.KPolicy)
	}
	if (c.KPolicy == hypersimplex.KFraction || c.KPolicy == hypersimplex.KFractionFloor) && !(c.Fraction > 0 && c.Fraction <= 1) {
		return fieldErr("fraction", "%v outside (0, 1]", c.Fraction)
	}
	if _, err := c.Reduction.MarshalText(); err != nil {
		return fieldErr("normalization", "%v unknown", c.Reduction)
	}
	if _, err := c.Regularizer.MarshalText(); err != nil {
		return fieldErr("regularizer", "%v unknown", c.Regularizer)
	}
	if !(c.HingeMargin > 0) || math.IsInf(c.HingeMargin, 0) {
		return fieldErr("hinge_margin", "%v, want a finite value > 0", c.HingeMargin)
	}
	return c.Shard.validate()
}

// checkNames verifies that got is a non-empty list of distinct names, from
// known unless known is nil.
func checkNames(field string, got, known []string) error {
	if len(got) == 0 {
		return fieldErr(field, "empty list")
	}
	for _, g := range got {
		if known != nil && !slices.Contains(known, g) {
			return fieldErr(field, "%q unknown, want one of %s", g, strings.Join(known, ", "))
		}
	}
	if dup := firstDuplicate(got); dup >= 0 {
		return fieldErr(field, "%q listed twice", got[dup])
	}
	return nil
}

// firstDuplicate returns the index of the first element equal to an earlier
// one, or −1.
func firstDuplicate[T comparable](s []T) int {
	for i := range s {
		if slices.Index(s[:i], s[i]) >= 0 {
			return i
		}
	}
	return -1
}

// SeedList returns the seeds of the sweep: FirstSeed … FirstSeed+Seeds−1.
func (c Config) SeedList() []int64 {
	s := make([]int64, c.Seeds)
	for i := range s {
		s[i] = c.FirstSeed + int64(i)
	}
	return s
}

// Incompatibility reports why runs made under c and d cannot live in one results
// folder: everything but the grid (datasets, losses, batch sizes, seeds) and
// the shard must be equal. It returns "" when they can, else the differing
// settings by their config.json names ("epochs 3 vs 5; lr 0.001 vs 0.0001").
func (c Config) Incompatibility(d Config) string {
	a, b := reflect.ValueOf(c.trainingSettings()), reflect.ValueOf(d.trainingSettings())
	var diff []string
	for i := range a.NumField() {
		x, y := a.Field(i), b.Field(i)
		if sameSetting(x, y) {
			continue
		}
		name, _, _ := strings.Cut(a.Type().Field(i).Tag.Get("json"), ",")
		diff = append(diff, fmt.Sprintf("%s %v vs %v", name, x, y))
	}
	slices.Sort(diff)
	return strings.Join(diff, "; ")
}

// sameSetting reports whether two values of one Config field are equal; a
// nil and an empty slice are (config.json turns one into the other).
func sameSetting(x, y reflect.Value) bool {
	if x.Kind() == reflect.Slice && x.Len() == 0 && y.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(x.Interface(), y.Interface())
}

// trainingSettings returns c without the grid and the shard: the settings
// every run of one results folder shares.
func (c Config) trainingSettings() Config {
	c.Datasets, c.Losses, c.BatchSizes = nil, nil, nil
	c.Seeds, c.FirstSeed = 0, 0
	c.Shard = Shard{}
	c.DataDir = "" // where the data lives does not change the results
	return c
}

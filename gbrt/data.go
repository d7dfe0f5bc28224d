package gbrt

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Dataset is a binary classification set: Rows samples of Cols features,
// row-major in X, and labels 0 or 1 in Y.
type Dataset struct {
	Name       string
	X          []float32 // Rows × Cols, row-major
	Y          []float32 // Rows labels, 0 or 1
	Rows, Cols int
}

// ErrData is wrapped by every error about the content of a dataset (empty,
// a non-finite feature, a label other than 0 or 1, a malformed CSV).
var ErrData = errors.New("bad data")

// Validate checks that d is usable for training: at least one row and one
// column, len(X) = Rows·Cols, len(Y) = Rows, every feature finite (XGBoost
// would take NaN for "missing"; here it is an error) and every label 0 or
// 1. The error wraps ErrData and names the dataset, the row and column.
func (d *Dataset) Validate() error {
	switch {
	case d.Rows <= 0 || d.Cols <= 0:
		return fmt.Errorf("gbrt: dataset %q: %w: %d rows × %d columns is empty", d.Name, ErrData, d.Rows, d.Cols)
	case len(d.X) != d.Rows*d.Cols:
		return fmt.Errorf("gbrt: dataset %q: %w: len(X) = %d is not %d rows × %d columns", d.Name, ErrData, len(d.X), d.Rows, d.Cols)
	case len(d.Y) != d.Rows:
		return fmt.Errorf("gbrt: dataset %q: %w: len(Y) = %d differs from %d rows", d.Name, ErrData, len(d.Y), d.Rows)
	}
	for i, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("gbrt: dataset %q: %w: feature (row %d, column %d) = %v is not finite", d.Name, ErrData, i/d.Cols, i%d.Cols, v)
		}
	}
	for i, v := range d.Y {
		if v != 0 && v != 1 {
			return fmt.Errorf("gbrt: dataset %q: %w: label of row %d = %v is not 0 or 1", d.Name, ErrData, i, v)
		}
	}
	return nil
}

// Positives returns the number of rows labelled 1.
func (d *Dataset) Positives() int {
	n := 0
	for _, v := range d.Y {
		if v == 1 {
			n++
		}
	}
	return n
}

// ReadCSV reads a dataset from CSV: a header row, then one row per sample
// of numbers, the last column the label (0 or 1), the others the features.
// The result is validated (see Validate); errors wrap ErrData and give the
// line.
func ReadCSV(r io.Reader, name string) (*Dataset, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("gbrt: dataset %q: %w: no header row", name, ErrData)
	}
	if err != nil {
		return nil, fmt.Errorf("gbrt: dataset %q: %w: %v", name, ErrData, err)
	}
	if len(head) < 2 {
		return nil, fmt.Errorf("gbrt: dataset %q: %w: the header has %d columns, need features and a label", name, ErrData, len(head))
	}
	d := &Dataset{Name: name, Cols: len(head) - 1}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("gbrt: dataset %q: %w: %v", name, ErrData, err)
		}
		line, _ := cr.FieldPos(0)
		for j, f := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil {
				return nil, fmt.Errorf("gbrt: dataset %q: %w: line %d, column %d: %q is not a number", name, ErrData, line, j+1, f)
			}
			if j == d.Cols {
				d.Y = append(d.Y, float32(v))
			} else {
				d.X = append(d.X, float32(v))
			}
		}
		d.Rows++
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// SyntheticConfig sets the generator of Synthetic.
type SyntheticConfig struct {
	Rows     int     `json:"rows"`           // samples, ≥ 2
	Features int     `json:"features"`       // features, ≥ 2; the first min(Features, 5) are informative
	Rate     float64 `json:"rate,omitempty"` // fraction of positives, in (0, 1)
	Noise    float64 `json:"noise"`          // scale of the logistic noise on the latent score, ≥ 0 (0: separable)
}

// DefaultSyntheticConfig is 5,000 samples of 10 features with 10%
// positives and noise 1 (a Bayes AUC well below 1).
func DefaultSyntheticConfig() SyntheticConfig {
	return SyntheticConfig{Rows: 5000, Features: 10, Rate: 0.1, Noise: 1}
}

// Synthetic generates a binary dataset from seed: features x ~ N(0, 1)
// independently, a latent score
//
//	s = x₀ + sin(2x₁) + x₂²/2 − x₃ + x₀·x₄ + Noise·ε,   ε ~ Logistic(0, 1),
//
// (terms of absent features dropped) and label 1 for the round(Rate·Rows)
// samples of highest s, so the positive rate is exact. With Noise = 0 the
// label is a deterministic function of x (separable).
func Synthetic(cfg SyntheticConfig, seed uint64) (*Dataset, error) {
	switch {
	case cfg.Rows < 2:
		return nil, fmt.Errorf("gbrt: synthetic: rows = %d, need at least 2", cfg.Rows)
	case cfg.Features < 2:
		return nil, fmt.Errorf("gbrt: synthetic: features = %d, need at least 2", cfg.Features)
	case !(cfg.Rate > 0 && cfg.Rate < 1):
		return nil, fmt.Errorf("gbrt: synthetic: rate = %v outside (0, 1)", cfg.Rate)
	case !(cfg.Noise >= 0) || math.IsInf(cfg.Noise, 1):
		return nil, fmt.Errorf("gbrt: synthetic: noise = %v is not a finite number ≥ 0", cfg.Noise)
	}
	pos := int(math.Round(cfg.Rate * float64(cfg.Rows)))
	if pos == 0 || pos == cfg.Rows {
		return nil, fmt.Errorf("gbrt: synthetic: rate %v of %d rows gives %d positives; both classes are needed", cfg.Rate, cfg.Rows, pos)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := &Dataset{
		Name: fmt.Sprintf("synthetic-%g", 100*cfg.Rate),
		X:    make([]float32, cfg.Rows*cfg.Features),
		Y:    make([]float32, cfg.Rows),
		Rows: cfg.Rows, Cols: cfg.Features,
	}
	s := make([]float64, cfg.Rows)
	for i := range cfg.Rows {
		x := d.X[i*cfg.Features : (i+1)*cfg.Features]
		for j := range x {
			x[j] = float32(rng.NormFloat64())
		}
		at := func(j int) float64 {
			if j < len(x) {
				return float64(x[j])
			}
			return 0
		}
		u := rng.Float64()
		for u == 0 {
			u = rng.Float64()
		}
		s[i] = at(0) + math.Sin(2*at(1)) + at(2)*at(2)/2 - at(3) + at(0)*at(4) + cfg.Noise*math.Log(u/(1-u))
	}
	for _, i := range order(s)[:pos] {
		d.Y[i] = 1
	}
	return d, nil
}

// Split divides d at random (from seed) into training, validation and test
// sets holding the fractions 1 − valid − test, valid and test of the rows,
// stratified: each class is shuffled and cut in the same proportions, so
// every set keeps d's positive rate (to rounding).
//
// Errors: fractions not in (0, 1) or summing to 1 or more, or a set that
// would lack a class.
func (d *Dataset) Split(seed uint64, valid, test float64) (tr, va, te *Dataset, err error) {
	if !(valid > 0 && valid < 1) || !(test > 0 && test < 1) || !(valid+test < 1) {
		return nil, nil, nil, fmt.Errorf("gbrt: split of %q: fractions valid = %v, test = %v must be in (0, 1) with a sum below 1", d.Name, valid, test)
	}
	rng := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	var parts [3][]int
	for _, class := range []float32{0, 1} {
		var idx []int
		for i, v := range d.Y {
			if v == class {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		nv := int(math.Round(valid * float64(len(idx))))
		nt := int(math.Round(test * float64(len(idx))))
		if nv == 0 || nt == 0 || nv+nt >= len(idx) {
			return nil, nil, nil, fmt.Errorf("gbrt: split of %q: %d samples of class %v cannot fill training, validation and test sets", d.Name, len(idx), class)
		}
		parts[0] = append(parts[0], idx[nv+nt:]...)
		parts[1] = append(parts[1], idx[:nv]...)
		parts[2] = append(parts[2], idx[nv:nv+nt]...)
	}
	var sets [3]*Dataset
	for p, idx := range parts {
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		s := &Dataset{Name: d.Name, Rows: len(idx), Cols: d.Cols, X: make([]float32, 0, len(idx)*d.Cols), Y: make([]float32, 0, len(idx))}
		for _, i := range idx {
			s.X = append(s.X, d.X[i*d.Cols:(i+1)*d.Cols]...)
			s.Y = append(s.Y, d.Y[i])
		}
		sets[p] = s
	}
	return sets[0], sets[1], sets[2], nil
}

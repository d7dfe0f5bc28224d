package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hypersimplex/hsloss/nn"
	"github.com/hypersimplex/hsloss/train/results"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Models are the valid values of Config.Model: "mlp" (ReLU hidden layers
// of Config.Hidden) and "cnn" (the paper's CNN).
var Models = []string{"mlp", "cnn"}

// Validate reports the first setting of cfg that a sweep would reject, as
// a *results.FieldError naming the Config field: what cfg.Validate checks,
// the losses (nn.HeadNames) and the model (Models) by name, and whatever
// each head of cfg.Losses checks when it is built in cfg.Dtype (τ in
// float32, the options of its k policy), found by building it on a graph
// of two samples of two classes. Sweep and Train call it before they
// write or train anything; the checks that need the data (its files, the
// batch sizes against the training split) follow when it is loaded.
func Validate(cfg results.Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	heads := nn.HeadNames()
	for _, l := range cfg.Losses {
		if !slices.Contains(heads, l) {
			return &results.FieldError{Field: "losses", Msg: fmt.Sprintf("%q unknown, want one of %s", l, strings.Join(heads, ", "))}
		}
	}
	if !slices.Contains(Models, cfg.Model) {
		return &results.FieldError{Field: "model", Msg: fmt.Sprintf("%q unknown, want one of %s", cfg.Model, strings.Join(Models, ", "))}
	}
	for _, l := range cfg.Losses {
		if err := buildHead(cfg, l); err != nil {
			return &results.FieldError{Field: "losses", Msg: fmt.Sprintf("%s with these settings: %v", l, err)}
		}
	}
	return nil
}

// buildHead builds the head name of cfg on a graph of two samples of two
// classes in cfg.Dtype and returns what it reports.
func buildHead(cfg results.Config, name string) error {
	head, err := nn.NewHead(name, headOptions(cfg, []int{1, 1}))
	if err != nil {
		return err
	}
	dt := dtypeOf(cfg)
	g := G.NewGraph()
	logits := G.NewMatrix(g, dt, G.WithShape(2, 2), G.WithName("logits"))
	onehot := G.NewMatrix(g, dt, G.WithShape(2, 2), G.WithName("onehot"))
	if oh, ok := head.(nn.OffsetHead); ok {
		b := G.NewMatrix(g, dt, G.WithShape(1, 2), G.WithName("offsets"))
		_, err = oh.LossWithOffsets(logits, onehot, b)
		return err
	}
	_, err = head.Loss(logits, onehot)
	return err
}

// dtypeOf returns the tensor dtype of cfg.Dtype (float32 unless "float64").
func dtypeOf(cfg results.Config) tensor.Dtype {
	if cfg.Dtype == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Head turns logits (batch × classes) and one-hot targets (same shape,
// dtype) into a scalar loss node.
type Head interface {
	// Name is the head's name in NewHead and HeadNames ("ce", "hs", …).
	Name() string
	// Loss adds the head's loss to the graph of logits and returns the
	// scalar loss node; logits and onehot must be batch × classes matrices
	// of the same float dtype, each row of onehot a one-hot label.
	Loss(logits, onehot *G.Node) (*G.Node, error)
}

// HeadOptions configures the heads that have options.
type HeadOptions struct {
	// HS configures the "hs" and "hs-offset" heads (τ, k policy,
	// reduction); the "hs-ref" head takes only its τ.
	HS hypersimplex.LossOptions
	// HingeMargin is Δ > 0 of the "hinge" head.
	HingeMargin float64
}

// DefaultHeadOptions returns hypersimplex.DefaultLossOptions() (τ = 1.5, k_c the
// batch's class counts, batch-mean normalisation) and HingeMargin 1.
func DefaultHeadOptions() HeadOptions {
	return HeadOptions{HS: hypersimplex.DefaultLossOptions(), HingeMargin: 1}
}

// headBuilders maps each head name to its constructor.
var headBuilders = map[string]func(HeadOptions) (Head, error){
	"ce":        func(HeadOptions) (Head, error) { return crossEntropyHead{}, nil },
	"mse":       func(HeadOptions) (Head, error) { return mseHead{}, nil },
	"brier":     func(HeadOptions) (Head, error) { return brierHead{}, nil },
	"hinge":     newHingeHead,
	"hs":        newHyperSimplexHead,
	"hs-ref":    newReferenceHyperSimplexHead,
	"hs-offset": newHyperSimplexOffsetHead,
}

// HeadNames returns the valid head names, sorted.
func HeadNames() []string {
	names := make([]string, 0, len(headBuilders))
	for n := range headBuilders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NewHead returns the head called name: "ce", "hs", "hs-ref", "hs-offset",
// "hinge", "brier" or "mse" (see the package documentation and each head's
// Loss for the normalisation). "hs-offset" is an OffsetHead.
func NewHead(name string, opts HeadOptions) (Head, error) {
	build, ok := headBuilders[name]
	if !ok {
		return nil, fmt.Errorf("nn: unknown head %q (valid: %s)", name, strings.Join(HeadNames(), ", "))
	}
	return build(opts)
}

// checkHeadInputs verifies that logits is a batch × classes matrix of a
// supported dtype and that onehot has the same shape and dtype.
func checkHeadInputs(head string, logits, onehot *G.Node) error {
	if logits == nil || onehot == nil {
		return fmt.Errorf("nn: %s head: nil logits or targets", head)
	}
	if logits.Dims() != 2 {
		return fmt.Errorf("nn: %s head: logits have shape %v, want (batch, classes)", head, logits.Shape())
	}
	if err := checkDtype(logits.Dtype()); err != nil {
		return fmt.Errorf("nn: %s head: logits: %w", head, err)
	}
	if !onehot.Shape().Eq(logits.Shape()) {
		return fmt.Errorf("nn: %s head: targets have shape %v, logits %v", head, onehot.Shape(), logits.Shape())
	}
	if onehot.Dtype() != logits.Dtype() {
		return fmt.Errorf("nn: %s head: targets have dtype %v, logits %v", head, onehot.Dtype(), logits.Dtype())
	}
	return nil
}

// constant returns a scalar constant node of dtype dt.
func constant(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// wrap prefixes a Gorgonia error with the head's name.
func wrap(head, step string, err error) error {
	return fmt.Errorf("nn: %s head: %s: %w", head, step, err)
}

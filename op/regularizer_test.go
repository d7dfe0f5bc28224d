package op_test

import (
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/op"
)

func TestRegularizer(t *testing.T) {
	if op.Euclidean.String() != "euclidean" || op.Entropic.String() != "entropic" || op.Regularizer(5).String() != "Regularizer(5)" {
		t.Errorf("String: %v, %v, %v", op.Euclidean, op.Entropic, op.Regularizer(5))
	}
	if (op.LossOptions{}).Regularizer != op.Euclidean || op.DefaultLossOptions().Regularizer != op.Euclidean {
		t.Error("the default regularizer is not Euclidean")
	}
	o := op.DefaultLossOptions()
	o.Regularizer = op.Entropic
	if err := o.Validate(3); err != nil {
		t.Errorf("Entropic: %v", err)
	}
	o.Regularizer = 7
	if err := o.Validate(3); err == nil || !strings.Contains(err.Error(), "Regularizer = Regularizer(7)") {
		t.Errorf("unknown regularizer: got %v", err)
	}
}

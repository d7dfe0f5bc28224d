package nn_test

import (
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestCrossEntropyHeadLispMachine checks the ce head's value and gradient
// under the LispMachine (DoDiff) against ceReference, both dtypes (and the
// TapeMachine's value again, through headValueGrad).
func TestCrossEntropyHeadLispMachine(t *testing.T) {
	head, err := nn.NewHead("ce", nn.DefaultHeadOptions())
	if err != nil {
		t.Fatal(err)
	}
	want, wantGrad := ceReference(tinyLogits, tinyLabels, tinyClasses)
	n := len(tinyLabels)
	for _, dt := range dtypes {
		g := G.NewGraph()
		x := G.NewMatrix(g, dt, G.WithShape(n, tinyClasses), G.WithName("logits"),
			G.WithValue(newDense(dt, tensor.Shape{n, tinyClasses}, tinyLogits)))
		y := G.NewMatrix(g, dt, G.WithShape(n, tinyClasses), G.WithName("onehot"),
			G.WithValue(newDense(dt, tensor.Shape{n, tinyClasses}, oneHot(tinyLabels, tinyClasses))))
		loss, err := head.Loss(x, y)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewLispMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		grad, err := x.Grad()
		if err != nil {
			t.Fatal(err)
		}
		compareAll(t, dt.String()+" L", floats(t, loss.Value()), []float64{want}, tolFor(dt))
		compareAll(t, dt.String()+" dL/dX", floats(t, grad), wantGrad, tolFor(dt))
		vm.Close()

		got1, _ := headValueGrad(t, head, dt, tinyLogits, tinyLabels, tinyClasses)
		compareAll(t, dt.String()+" tape L", []float64{got1}, []float64{want}, tolFor(dt))
	}
}

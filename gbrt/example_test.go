package gbrt_test

import (
	"fmt"
	"strings"

	"github.com/hypersimplex/hsloss/gbrt"
)

// The HS gradient at margins that are all equal (the first boosting round):
// every sample is active and the gradient is (2/(nτ))(k/n − t_i).
func ExampleHSObjective_GradHess() {
	o := gbrt.HSObjective{Tau: 0.5, Hessian: gbrt.HessianGaussNewton}
	x := []float64{0, 0, 0, 0}
	t := []float32{1, 0, 0, 1}
	grad, hess := make([]float64, 4), make([]float64, 4)
	st, err := o.GradHess(grad, hess, x, t)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("L = %.2f, |A| = %d\ngrad = %.2f\nhess = %.2f\n", st.Loss, st.Active, grad, hess)
	// Output:
	// L = 0.25, |A| = 4
	// grad = [-0.50 0.50 0.50 -0.50]
	// hess = [1.50 1.50 1.50 1.50]
}

func ExampleAUC() {
	auc, err := gbrt.AUC([]float64{0.9, 0.4, 0.4, 0.1}, []float32{1, 1, 0, 0})
	fmt.Println(auc, err)
	// Output: 0.875 <nil>
}

func ExampleBestAccuracy() {
	// predicting positive from score 0.5 on gets three of four right
	acc, thr, err := gbrt.BestAccuracy([]float64{0.9, 0.7, 0.3, 0.1}, []float32{1, 1, 0, 1})
	fmt.Println(acc, thr, err)
	// Output: 0.75 0.5 <nil>
}

func ExampleSynthetic() {
	d, err := gbrt.Synthetic(gbrt.SyntheticConfig{Rows: 1000, Features: 5, Rate: 0.05, Noise: 1}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, va, te, err := d.Split(1, 0.2, 0.2)
	fmt.Println(d.Positives(), tr.Positives(), va.Positives(), te.Positives(), err)
	// Output: 50 30 10 10 <nil>
}

func ExamplePairedTTest() {
	hs := []float64{0.81, 0.83, 0.80, 0.84, 0.82}
	ce := []float64{0.80, 0.81, 0.80, 0.82, 0.80}
	r, err := gbrt.PairedTTest(hs, ce)
	fmt.Printf("mean difference %.3f, t = %.2f, p = %.3f %v\n", r.MeanDiff, r.T, r.P, err)
	// Output: mean difference 0.014, t = 3.50, p = 0.025 <nil>
}

func ExampleReadCSV() {
	d, err := gbrt.ReadCSV(strings.NewReader("age,dose,label\n31,0.5,1\n45,1.5,0\n"), "tiny")
	fmt.Println(d.Rows, d.Cols, d.X, d.Y, err)
	_, err = gbrt.ReadCSV(strings.NewReader("age,label\n31,yes\n"), "bad")
	fmt.Println(err)
	// Output:
	// 2 2 [31 0.5 45 1.5] [1 0] <nil>
	// gbrt: dataset "bad": bad data: line 2, column 2: "yes" is not a number
}

func ExampleLogLoss() {
	p := []float64{gbrt.Sigmoid(2), gbrt.Sigmoid(-1)} // probabilities of binary:logistic from margins
	ll, err := gbrt.LogLoss(p, []float32{1, 0})
	fmt.Printf("%.4f %v\n", ll, err)
	// Output: 0.2201 <nil>
}

func ExampleParseObjective() {
	for _, name := range []string{"hs-gn", "logistic"} {
		o, err := gbrt.ParseObjective(name, gbrt.ReferenceTau)
		fmt.Printf("%s: XGBoost objective %q, HS %+v, %v\n", o.Name, o.XGBoost, o.HS, err)
	}
	// Output:
	// hs-gn: XGBoost objective "", HS {Tau:0.001 Hessian:gn}, <nil>
	// logistic: XGBoost objective "binary:logistic", HS {Tau:0 Hessian:ones}, <nil>
}

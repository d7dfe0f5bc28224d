package nn_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/hypersimplex/hsloss/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// floatsFromBytes decodes little-endian float64s, dropping NaN and ±Inf.
func floatsFromBytes(data []byte) []float64 {
	var out []float64
	for len(data) >= 8 {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		data = data[8:]
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}

// FuzzPredict compares Predict with a two-pass argmax (find the maximum,
// then its first index).
func FuzzPredict(f *testing.F) {
	f.Add(uint8(3), []byte{0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 64})
	f.Fuzz(func(t *testing.T, cols uint8, data []byte) {
		x := floatsFromBytes(data)
		c := int(cols%8) + 1
		rows := len(x) / c
		if rows == 0 {
			return
		}
		x = x[:rows*c]
		dst := make([]int, rows)
		if err := nn.Predict(dst, newDense(tensor.Float64, tensor.Shape{rows, c}, x)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < rows; i++ {
			row := x[i*c : (i+1)*c]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, v)
			}
			want := 0
			for row[want] != m {
				want++
			}
			if dst[i] != want {
				t.Fatalf("row %d %v: got %d, want %d", i, row, dst[i], want)
			}
		}
	})
}

// FuzzBatchNorm checks a training-mode batch norm (γ = 1, β = 0) by its
// defining properties: every channel of the output has mean 0 and
// variance v/(v + ε), v the channel's biased batch variance.
func FuzzBatchNorm(f *testing.F) {
	f.Add(uint8(2), uint8(3), []byte("some bytes that become floats, at least a few of them"))
	f.Fuzz(func(t *testing.T, batch, spatial uint8, data []byte) {
		const c, eps = 2, 1e-5
		n, s := int(batch%5)+1, int(spatial%4)+1
		vals := floatsFromBytes(data)
		if len(vals) < n*c*s {
			return
		}
		x := vals[:n*c*s]
		for i := range x { // keep sums of squares finite
			x[i] = math.Mod(x[i], 1e6)
		}
		stats, _ := nn.NewBatchNormStats(c, 0.1, eps)
		g := G.NewGraph()
		shape := tensor.Shape{n, c, s, 1}
		xn := G.NewTensor(g, tensor.Float64, 4, G.WithShape(shape...), G.WithName("x"), G.WithValue(newDense(tensor.Float64, shape, x)))
		gamma := G.NewVector(g, tensor.Float64, G.WithShape(c), G.WithName("g"), G.WithValue(newDense(tensor.Float64, tensor.Shape{c}, []float64{1, 1})))
		beta := G.NewVector(g, tensor.Float64, G.WithShape(c), G.WithName("b"), G.WithValue(newDense(tensor.Float64, tensor.Shape{c}, []float64{0, 0})))
		y, err := nn.BatchNorm(xn, gamma, beta, stats, true)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		out := y.Value().Data().([]float64)
		inMean, inVar := channelMoments(x, n, c, s)
		outMean, outVar := channelMoments(out, n, c, s)
		for ch := 0; ch < c; ch++ {
			want := inVar[ch] / (inVar[ch] + eps)
			if math.Abs(outMean[ch]) > 1e-6 || math.Abs(outVar[ch]-want) > 1e-6 {
				t.Fatalf("channel %d (input mean %g var %g): output mean %g var %g, want 0 and %g",
					ch, inMean[ch], inVar[ch], outMean[ch], outVar[ch], want)
			}
		}
	})
}

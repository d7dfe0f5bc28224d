package nn

import (
	"fmt"
	"strconv"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CNN is the convolutional network of the paper's experiments:
//
//	4 × [3×3 conv (64 channels, padding 1, stride 1), batch norm, ReLU],
//	2×2 max pooling (stride 2) after the 2nd and the 4th block,
//	Linear(64·⌊⌊H/2⌋/2⌋·⌊⌊W/2⌋/2⌋ → 512), ReLU, Linear(512 → classes),
//
// i.e. Linear(7·7·64 → 512) for 28×28 inputs and Linear(8·8·64 → 512) for
// 32×32. x arrives as batch × (C·H·W) and is reshaped to NCHW. The
// convolutions have no bias (the batch norm's β takes its place). Batch
// norm uses momentum 0.1 and ε = 1e-5 (PyTorch's defaults) and keeps its
// running statistics per parameter set (see RunningStats). Convolution and
// pooling are this package's Conv2D and MaxPool2D (gemms on chunks of
// images; Gorgonia's Conv2d spends most of its time transposing); each
// block's batch norm and ReLU are one BatchNormReLU, the hidden layer's
// ReLU this package's ReLU (ReLU′(0) = 0 as in PyTorch), not G.Rectify.
//
// Parameters, in Init's order: for each block b = 0…3, conv{b}.W
// (out, in, 3, 3), bn{b}.gamma (out) = 1, bn{b}.beta (out) = 0; then fc0.W,
// fc0.b, fc1.W, fc1.b as in MLP. Convolution and fc0 weights are He
// uniform (fan-in in·9 for a convolution), fc1.W Glorot uniform.
type CNN struct {
	shape    [3]int // channels, height, width of one input
	classes  int
	channels int // of every convolution
	hidden   int // width of the hidden linear layer

	// stats maps the storage address of a parameter set's bn0.gamma to
	// that set's running statistics.
	mu    sync.Mutex
	stats map[uintptr]*cnnStats
}

// cnnStats are the running statistics of one parameter set, one per block;
// gamma keeps the owning tensor alive so its address is never reused.
type cnnStats struct {
	gamma tensor.Tensor
	perBN [cnnBlocks]*BatchNormStats
}

// cnnBlocks is the number of conv–batch-norm–ReLU blocks.
const cnnBlocks = 4

// NewCNN returns the paper's CNN (64 channels, hidden width 512) for inputs
// of shape (channels, height, width) with height, width ≥ 4.
func NewCNN(shape [3]int, classes int) (Architecture, error) {
	return NewCNNSized(shape, classes, 64, 512)
}

// NewCNNSized returns the CNN with another number of convolution channels
// and another hidden width (a smaller, faster variant of the same shape).
func NewCNNSized(shape [3]int, classes, channels, hidden int) (*CNN, error) {
	if shape[0] < 1 || shape[1] < 4 || shape[2] < 4 {
		return nil, fmt.Errorf("nn: NewCNN: input shape %v, want channels ≥ 1 and height, width ≥ 4", shape)
	}
	if classes < 2 {
		return nil, fmt.Errorf("nn: NewCNN: classes = %d, want ≥ 2", classes)
	}
	if channels < 1 {
		return nil, fmt.Errorf("nn: NewCNN: channels = %d, want ≥ 1", channels)
	}
	if hidden < 1 {
		return nil, fmt.Errorf("nn: NewCNN: hidden = %d, want ≥ 1", hidden)
	}
	return &CNN{shape: shape, classes: classes, channels: channels, hidden: hidden,
		stats: map[uintptr]*cnnStats{}}, nil
}

// Name returns e.g. "cnn-1x28x28-64c-512-10".
func (c *CNN) Name() string {
	return fmt.Sprintf("cnn-%dx%dx%d-%dc-%d-%d", c.shape[0], c.shape[1], c.shape[2], c.channels, c.hidden, c.classes)
}

// check rejects a CNN that NewCNN or NewCNNSized did not make (the zero
// value has no channels and no statistics table).
func (c *CNN) check() error {
	if c.stats == nil {
		return fmt.Errorf("nn: CNN has no layers; create it with NewCNN or NewCNNSized")
	}
	return nil
}

// features is the length of one input row, C·H·W.
func (c *CNN) features() int { return c.shape[0] * c.shape[1] * c.shape[2] }

// flat is the length of the flattened feature map after the two poolings.
func (c *CNN) flat() int { return c.channels * (c.shape[1] / 2 / 2) * (c.shape[2] / 2 / 2) }

// shapes lists the parameter shapes in Init's order.
func (c *CNN) shapes() []tensor.Shape {
	var s []tensor.Shape
	in := c.shape[0]
	for b := 0; b < cnnBlocks; b++ {
		s = append(s, tensor.Shape{c.channels, in, 3, 3}, tensor.Shape{c.channels}, tensor.Shape{c.channels})
		in = c.channels
	}
	return append(s,
		tensor.Shape{c.flat(), c.hidden}, tensor.Shape{1, c.hidden},
		tensor.Shape{c.hidden, c.classes}, tensor.Shape{1, c.classes})
}

// Init returns the seeded parameters (see CNN).
func (c *CNN) Init(dt tensor.Dtype, seed int64) ([]Param, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if err := checkDtype(dt); err != nil {
		return nil, err
	}
	rng := newRand(seed)
	var ps []Param
	in := c.shape[0]
	for b := 0; b < cnnBlocks; b++ {
		id := strconv.Itoa(b)
		ps = append(ps,
			uniformParam("conv"+id+".W", dt, tensor.Shape{c.channels, in, 3, 3}, heLimit(in*9), rng),
			constParam("bn"+id+".gamma", dt, tensor.Shape{c.channels}, 1),
			constParam("bn"+id+".beta", dt, tensor.Shape{c.channels}, 0))
		in = c.channels
	}
	ps = append(ps, linearParams("fc0", dt, c.flat(), c.hidden, heLimit(c.flat()), rng)...)
	ps = append(ps, linearParams("fc1", dt, c.hidden, c.classes, glorotLimit(c.hidden, c.classes), rng)...)
	return ps, nil
}

// RunningStats returns the batch-norm running statistics of the parameter
// set whose nodes (or Params' tensors, via Bind) are params, one per block,
// creating fresh ones (mean 0, variance 1) on first use. Every graph bound
// to the same []Param shares them: training graphs update them, evaluation
// graphs read them. The CNN keeps the statistics of every parameter set it
// has seen (4 × 2 × channels float64s each) for its own lifetime.
func (c *CNN) RunningStats(params G.Nodes) ([]*BatchNormStats, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if err := checkParams(c.Name(), params, c.shapes()); err != nil {
		return nil, err
	}
	gamma := params[1].Value()
	key, err := storageKey(gamma)
	if err != nil {
		return nil, fmt.Errorf("nn: %s: parameter %s: %w", c.Name(), params[1].Name(), err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stats[key]; ok {
		return append([]*BatchNormStats(nil), s.perBN[:]...), nil
	}
	s := &cnnStats{gamma: gamma.(tensor.Tensor)}
	for b := range s.perBN {
		if s.perBN[b], err = NewBatchNormStats(c.channels, DefaultBatchNormMomentum, DefaultBatchNormEpsilon); err != nil {
			return nil, err
		}
	}
	c.stats[key] = s
	return append([]*BatchNormStats(nil), s.perBN[:]...), nil
}

// storageKey returns the address of a bound dense tensor's storage, which
// identifies it across graphs (Bind shares the storage). The map entry
// keeps the tensor alive, so the address is never reused while it is a key.
func storageKey(v G.Value) (uintptr, error) {
	d, ok := v.(*tensor.Dense)
	if !ok || d == nil {
		return 0, fmt.Errorf("not bound to a *tensor.Dense (got %T); create nodes with Bind", v)
	}
	if d.Size() == 0 {
		return 0, fmt.Errorf("empty tensor")
	}
	return d.Uintptr(), nil
}

// Forward adds the CNN to x's graph. training selects batch statistics
// (and updates the running ones) or the running statistics. x is data: the
// graph has no gradient with respect to it (the first convolution skips
// ∂L/∂x).
func (c *CNN) Forward(x *G.Node, params G.Nodes, training bool) (*G.Node, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if err := checkInput(c.Name(), x, c.features(), params, c.shapes()); err != nil {
		return nil, err
	}
	stats, err := c.RunningStats(params)
	if err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	h, err := G.Reshape(x, tensor.Shape{n, c.shape[0], c.shape[1], c.shape[2]})
	if err != nil {
		return nil, fmt.Errorf("nn: %s: reshape to NCHW: %w", c.Name(), err)
	}
	for b := 0; b < cnnBlocks; b++ {
		w, gamma, beta := params[3*b], params[3*b+1], params[3*b+2]
		if h, err = convLayer(h, w, [2]int{1, 1}, [2]int{1, 1}, b == 0); err != nil {
			return nil, fmt.Errorf("nn: %s: conv%d: %w", c.Name(), b, err)
		}
		if h, err = BatchNormReLU(h, gamma, beta, stats[b], training); err != nil {
			return nil, fmt.Errorf("nn: %s: bn%d: %w", c.Name(), b, err)
		}
		if b == 1 || b == 3 {
			if h, err = MaxPool2D(h, [2]int{2, 2}, [2]int{0, 0}, [2]int{2, 2}); err != nil {
				return nil, fmt.Errorf("nn: %s: max pool after conv%d: %w", c.Name(), b, err)
			}
		}
	}
	if h, err = G.Reshape(h, tensor.Shape{n, c.flat()}); err != nil {
		return nil, fmt.Errorf("nn: %s: flatten %v: %w", c.Name(), h.Shape(), err)
	}
	fc := params[3*cnnBlocks:]
	if h, err = Linear(h, fc[0], fc[1]); err != nil {
		return nil, err
	}
	if h, err = ReLU(h); err != nil {
		return nil, fmt.Errorf("nn: %s: ReLU fc0: %w", c.Name(), err)
	}
	return Linear(h, fc[2], fc[3])
}

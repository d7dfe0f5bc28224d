package nn

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// outBuf is an op's own output tensor, reused from run to run.
//
// Gorgonia's TapeMachine.Reset drops every register, so on the next run an
// op finds no preallocated value and its Do allocates the output again:
// for the CNN at batch 128 that was 280 MB per training step, fresh pages
// the kernel zeroes and the garbage collector then frees. An op holding an
// outBuf writes into the same tensor every run instead. The value a run
// returns is therefore overwritten by the next run of the same graph (as
// every register of a TapeMachine is), and an op must not be run by two
// machines at once (Gorgonia's graphs are not safe for that either).
type outBuf struct {
	t *tensor.Dense
}

// get returns prealloc if it is a dense, non-view tensor of dtype dt and
// shape s (the machine's own register), else the kept tensor if it has
// that dtype and size (reshaped to s if a Reshape run in place changed its
// shape), else a new one, which it keeps.
func (b *outBuf) get(prealloc G.Value, dt tensor.Dtype, s tensor.Shape) *tensor.Dense {
	if d, ok := prealloc.(*tensor.Dense); ok && d != nil && d.Dtype() == dt && d.Shape().Eq(s) && !d.IsView() {
		return d
	}
	if b.t != nil && b.t.Dtype() == dt && !b.t.IsView() && b.t.Shape().TotalSize() == s.TotalSize() {
		if !b.t.Shape().Eq(s) {
			// A Reshape run in place (Gorgonia's UnsafeDo) gave it another shape.
			if err := b.t.Reshape(s...); err == nil {
				return b.t
			}
		} else {
			return b.t
		}
	}
	b.t = tensor.New(tensor.Of(dt), tensor.WithShape(s.Clone()...))
	return b.t
}

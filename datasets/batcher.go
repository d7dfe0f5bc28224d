package datasets

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
)

// Batcher hands out the samples of a Split in mini-batches, in a fresh
// seeded random order every epoch. It copies into caller-owned buffers and
// allocates nothing per batch. A Batcher is not safe for concurrent use.
//
// Typical use:
//
//	b, err := datasets.NewBatcher(ds.Train, 128, seed, true)
//	x, y := make([]float32, 128*ds.Features), make([]int, 128)
//	for epoch := 0; epoch < epochs; epoch++ {
//		b.Epoch()
//		for n, ok := b.Next(x, y); ok; n, ok = b.Next(x, y) {
//			train(x[:n*ds.Features], y[:n])
//		}
//		if err := b.Err(); err != nil { ... }
//	}
type Batcher struct {
	s         Split
	features  int
	batchSize int
	dropLast  bool
	src       *rand.PCG // rng's source, whose state MarshalBinary saves
	rng       *rand.Rand
	perm      []int // the order of the current epoch
	pos       int   // next position in perm
	started   bool
	err       error
}

// NewBatcher returns a Batcher over s with the given batch size. With
// dropLast the last, smaller batch of each epoch is skipped (every batch
// then has exactly batchSize samples); otherwise it is returned. The
// order depends only on seed and the number of Epoch calls.
func NewBatcher(s Split, batchSize int, seed int64, dropLast bool) (*Batcher, error) {
	f, err := s.features()
	if err != nil {
		return nil, err
	}
	if batchSize < 1 {
		return nil, fmt.Errorf("datasets: batch size = %d, want ≥ 1", batchSize)
	}
	if dropLast && batchSize > s.Len() {
		return nil, fmt.Errorf("datasets: batch size = %d > %d samples with dropLast: no batch would ever be returned", batchSize, s.Len())
	}
	perm := make([]int, s.Len())
	for i := range perm {
		perm[i] = i
	}
	src := newPCG(seed)
	return &Batcher{s: s, features: f, batchSize: batchSize, dropLast: dropLast, src: src, rng: rand.New(src), perm: perm}, nil
}

// Epoch starts a new pass over the data in a new random order. Next calls
// it by itself before the first batch when it has not been called yet.
func (b *Batcher) Epoch() {
	b.rng.Shuffle(len(b.perm), func(i, j int) { b.perm[i], b.perm[j] = b.perm[j], b.perm[i] })
	b.pos = 0
	b.started = true
}

// Next copies the next batch into dstX (n rows of Features values) and dstY
// (n labels) and returns n and true; it returns false at the end of the
// epoch, or on an error, which Err then reports (buffers smaller than one
// full batch: len(dstX) < BatchSize·Features or len(dstY) < BatchSize).
func (b *Batcher) Next(dstX []float32, dstY []int) (n int, ok bool) {
	if b.err != nil {
		return 0, false
	}
	if len(dstX) < b.batchSize*b.features || len(dstY) < b.batchSize {
		b.err = fmt.Errorf("datasets: batch buffers hold %d values and %d labels, want ≥ %d and ≥ %d",
			len(dstX), len(dstY), b.batchSize*b.features, b.batchSize)
		return 0, false
	}
	if !b.started {
		b.Epoch()
	}
	n = min(b.batchSize, len(b.perm)-b.pos)
	if n == 0 || (b.dropLast && n < b.batchSize) {
		return 0, false
	}
	f := b.features
	for j, i := range b.perm[b.pos : b.pos+n] {
		copy(dstX[j*f:(j+1)*f], b.s.X[i*f:(i+1)*f])
		dstY[j] = b.s.Y[i]
	}
	b.pos += n
	return n, true
}

// batcherState is what MarshalBinary saves: the generator, the order of
// the current epoch and the position in it.
type batcherState struct {
	PCG     []byte
	Perm    []int
	Pos     int
	Started bool
}

// MarshalBinary saves the Batcher's position: its generator's state, the
// current epoch's order and the next position in it (not the data).
func (b *Batcher) MarshalBinary() ([]byte, error) {
	pcg, err := b.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = gob.NewEncoder(&buf).Encode(batcherState{PCG: pcg, Perm: b.perm, Pos: b.pos, Started: b.started})
	return buf.Bytes(), err
}

// UnmarshalBinary restores a position saved by MarshalBinary from a
// Batcher over a split of the same length: the batches that follow are
// those the saved Batcher would have returned.
func (b *Batcher) UnmarshalBinary(data []byte) error {
	var st batcherState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("datasets: batcher state: %w", err)
	}
	if len(st.Perm) != len(b.perm) || st.Pos < 0 || st.Pos > len(st.Perm) {
		return fmt.Errorf("datasets: batcher state for %d samples at %d, this batcher has %d", len(st.Perm), st.Pos, len(b.perm))
	}
	if err := b.src.UnmarshalBinary(st.PCG); err != nil {
		return fmt.Errorf("datasets: batcher state: %w", err)
	}
	copy(b.perm, st.Perm)
	b.pos, b.started = st.Pos, st.Started
	return nil
}

// Err returns the error that stopped Next, if any.
func (b *Batcher) Err() error { return b.err }

// BatchSize returns the batch size.
func (b *Batcher) BatchSize() int { return b.batchSize }

// Features returns the number of values per sample.
func (b *Batcher) Features() int { return b.features }

// Batches returns the number of batches per epoch.
func (b *Batcher) Batches() int {
	n := len(b.perm) / b.batchSize
	if !b.dropLast && len(b.perm)%b.batchSize != 0 {
		n++
	}
	return n
}

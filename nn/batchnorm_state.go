package nn

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// batchNormSnapshot is what BatchNormStats.MarshalBinary saves.
type batchNormSnapshot struct {
	Mean, Variance []float64
}

// MarshalBinary saves the running mean and variance (not the momentum and
// epsilon, which the statistics are created with), so that a stopped
// training run can continue with the statistics it had.
func (s *BatchNormStats) MarshalBinary() ([]byte, error) {
	mean, variance := s.Snapshot()
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(batchNormSnapshot{Mean: mean, Variance: variance})
	return buf.Bytes(), err
}

// UnmarshalBinary restores statistics saved by MarshalBinary into s,
// which must have as many channels; it is an error otherwise, and s is
// then left as it was.
func (s *BatchNormStats) UnmarshalBinary(data []byte) error {
	var snap batchNormSnapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&snap); err != nil {
		return fmt.Errorf("nn: batch-norm statistics: %w", err)
	}
	if len(snap.Mean) != s.Channels() || len(snap.Variance) != s.Channels() {
		return fmt.Errorf("nn: batch-norm statistics: %d means and %d variances saved, want %d channels",
			len(snap.Mean), len(snap.Variance), s.Channels())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	copy(s.mean, snap.Mean)
	copy(s.variance, snap.Variance)
	return nil
}

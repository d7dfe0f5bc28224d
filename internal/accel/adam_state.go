package accel

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// adamSnapshot is what MarshalBinary saves: the step count and the moments
// of every parameter tensor, in Step's order.
type adamSnapshot struct {
	Iter     int
	M32, V32 [][]float32
	M64, V64 [][]float64
}

// MarshalBinary saves the optimiser's state: the number of steps taken and
// the moment estimates m and v of every parameter (not the settings).
func (a *Adam) MarshalBinary() ([]byte, error) {
	s := adamSnapshot{Iter: a.iter}
	for _, st := range a.state {
		s.M32, s.V32 = append(s.M32, st.m32), append(s.V32, st.v32)
		s.M64, s.V64 = append(s.M64, st.m64), append(s.V64, st.v64)
	}
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(s)
	return buf.Bytes(), err
}

// UnmarshalBinary restores a state saved by MarshalBinary: the next Step
// continues as the saved optimiser's would (with the same settings and
// parameters in the same order; Step checks their sizes).
func (a *Adam) UnmarshalBinary(data []byte) error {
	var s adamSnapshot
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&s); err != nil {
		return fmt.Errorf("accel: Adam state: %w", err)
	}
	n := len(s.M32)
	if len(s.V32) != n || len(s.M64) != n || len(s.V64) != n || s.Iter < 0 {
		return fmt.Errorf("accel: Adam state: inconsistent (%d, %d, %d, %d moments, step %d)", len(s.M32), len(s.V32), len(s.M64), len(s.V64), s.Iter)
	}
	a.iter, a.state = s.Iter, nil
	if n > 0 {
		a.state = make([]adamState, n)
		for i := range a.state {
			a.state[i] = adamState{m32: s.M32[i], v32: s.V32[i], m64: s.M64[i], v64: s.V64[i]}
		}
	}
	return nil
}

package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// newRand returns the package's seeded generator: PCG with the seed as its
// first word and a fixed second word.
func newRand(seed int64) *rand.Rand {
	return rand.New(newPCG(seed))
}

// newPCG returns the source of newRand.
func newPCG(seed int64) *rand.PCG {
	return rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
}

// StratifiedSplit partitions the sample indices 0..len(labels)−1 into a
// training and a test list so that every class keeps its proportion:
// class c with n_c samples puts round(n_c · testFraction) of them in test
// and the rest in train. Which samples go to test is decided by a seeded
// shuffle of each class's indices (classes in order 0..classes−1, one
// generator); both lists are then returned in a seeded random order, so a
// file written in that order is not sorted by class. The same labels and
// seed always give the same split. Cost O(len(labels)).
func StratifiedSplit(labels []int, classes int, testFraction float64, seed int64) (train, test []int, err error) {
	if classes < 1 {
		return nil, nil, fmt.Errorf("datasets: classes = %d, want ≥ 1", classes)
	}
	if !(testFraction >= 0 && testFraction <= 1) {
		return nil, nil, fmt.Errorf("datasets: testFraction = %v outside [0, 1]", testFraction)
	}
	byClass := make([][]int, classes)
	for i, y := range labels {
		if y < 0 || y >= classes {
			return nil, nil, errf(ErrLabelRange, "label %d of sample %d outside [0, %d)", y, i, classes)
		}
		byClass[y] = append(byClass[y], i)
	}
	rng := newRand(seed)
	train = make([]int, 0, len(labels))
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		k := int(math.Round(float64(len(idx)) * testFraction))
		test = append(test, idx[:k]...)
		train = append(train, idx[k:]...)
	}
	rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
	rng.Shuffle(len(test), func(i, j int) { test[i], test[j] = test[j], test[i] })
	if test == nil {
		test = []int{}
	}
	return train, test, nil
}

// Subset returns a new Split holding the samples idx of s, in that order.
// It fails when an index is outside [0, s.Len()) or the rows of s are not
// all the same length.
func (s Split) Subset(idx []int) (Split, error) {
	f, err := s.features()
	if err != nil {
		return Split{}, err
	}
	out := Split{X: make([]float32, len(idx)*f), Y: make([]int, len(idx))}
	for j, i := range idx {
		if i < 0 || i >= s.Len() {
			return Split{}, fmt.Errorf("datasets: subset index %d outside [0, %d)", i, s.Len())
		}
		copy(out.X[j*f:(j+1)*f], s.X[i*f:(i+1)*f])
		out.Y[j] = s.Y[i]
	}
	return out, nil
}

// features returns len(X)/len(Y), failing when it is not a whole number.
func (s Split) features() (int, error) {
	if s.Len() == 0 {
		return 0, fmt.Errorf("datasets: empty split")
	}
	if len(s.X)%s.Len() != 0 || len(s.X) == 0 {
		return 0, fmt.Errorf("datasets: split has %d values for %d labels, not a whole number of features", len(s.X), s.Len())
	}
	return len(s.X) / s.Len(), nil
}

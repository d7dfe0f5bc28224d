package op

import (
	"fmt"
	"math"
)

// checkLen reports an error naming both slices when their lengths differ.
func checkLen(nameA string, lenA int, nameB string, lenB int) error {
	if lenA != lenB {
		return fmt.Errorf("op: len(%s) = %d, len(%s) = %d: lengths differ", nameA, lenA, nameB, lenB)
	}
	return nil
}

// checkK reports an error unless k is a number in [0, n].
func checkK(k float64, n int) error {
	if math.IsNaN(k) {
		return fmt.Errorf("op: k = NaN is not a number")
	}
	if k < 0 || k > float64(n) {
		return fmt.Errorf("op: k = %v outside [0, %d]", k, n)
	}
	return nil
}

// minTau is the smallest τ the kernels accept: the smallest normal float64,
// so that 1/τ is finite. (Every positive float32 is above it.)
const minTau = 0x1p-1022

// checkTau reports an error unless τ is finite and positive (at least minTau).
func checkTau(tau float64) error {
	if math.IsNaN(tau) || math.IsInf(tau, 0) || tau <= 0 {
		return fmt.Errorf("op: tau = %v must be finite and > 0", tau)
	}
	if tau < minTau {
		return fmt.Errorf("op: tau = %v is below the smallest normal float64 %v", tau, minTau)
	}
	return nil
}

// checkFinite reports the first NaN or ±Inf entry of v, naming it name[i].
func checkFinite[T Float](name string, v []T) error {
	for i, e := range v {
		f := float64(e)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nonFinite(name, i, f)
		}
	}
	return nil
}

// nonFinite is the error for a NaN or ±Inf entry v = name[i].
func nonFinite(name string, i int, v float64) error {
	return fmt.Errorf("op: %s[%d] = %v is not finite", name, i, v)
}

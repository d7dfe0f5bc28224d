package hypersimplex

import (
	"errors"
	"fmt"
	"math"
)

// The kinds of bad argument. Every argument error of the kernels is an
// *ArgError wrapping one of them, so callers can test the kind with
// errors.Is and read the argument and its value with errors.As.
var (
	ErrLength    = errors.New("lengths differ")       // two slices of different lengths
	ErrK         = errors.New("k outside [0, n]")     // k NaN, negative or above n (ProjectEntropic: not inside (0, n))
	ErrTau       = errors.New("bad temperature")      // τ not finite, ≤ 0 or below MinTau
	ErrNotFinite = errors.New("not finite")           // a NaN or ±Inf entry
	ErrRange     = errors.New("outside the polytope") // an entry of y outside [0, 1]
)

// ArgError is a bad argument of a kernel: which one, its value and why.
type ArgError struct {
	Arg   string  // the argument's name: "k", "tau", "x", "len(y)", …
	Index int     // the entry of a slice argument, −1 for a scalar
	Value float64 // the offending value (a length for ErrLength)
	Err   error   // the kind: ErrLength, ErrK, ErrTau, ErrNotFinite or ErrRange
	what  string  // what is wrong, after "arg = value" (starting with its separator)
}

// Error returns "hypersimplex: <arg>[<index>] = <value> <what is wrong>",
// e.g. "hypersimplex: k = 11 outside [0, 10]".
func (e *ArgError) Error() string {
	name := e.Arg
	if e.Index >= 0 {
		name = fmt.Sprintf("%s[%d]", e.Arg, e.Index)
	}
	return fmt.Sprintf("hypersimplex: %s = %v%s", name, e.Value, e.what)
}

// Unwrap returns the kind of the error.
func (e *ArgError) Unwrap() error { return e.Err }

// checkLen reports an error naming both slices when their lengths differ.
func checkLen(nameA string, lenA int, nameB string, lenB int) error {
	if lenA != lenB {
		return &ArgError{Arg: "len(" + nameA + ")", Index: -1, Value: float64(lenA), Err: ErrLength,
			what: fmt.Sprintf(", len(%s) = %d: lengths differ", nameB, lenB)}
	}
	return nil
}

// checkVJPArgs reports the argument errors of the VJP kernels: dx and g
// must have y's length and τ must be valid (CheckTau).
func checkVJPArgs(lenDX, lenY, lenG int, tau float64) error {
	if err := checkLen("dx", lenDX, "y", lenY); err != nil {
		return err
	}
	if err := checkLen("g", lenG, "y", lenY); err != nil {
		return err
	}
	return CheckTau(tau)
}

// checkK reports an error unless k is a number in [0, n].
func checkK(k float64, n int) error {
	if math.IsNaN(k) {
		return &ArgError{Arg: "k", Index: -1, Value: k, Err: ErrK, what: " is not a number"}
	}
	if k < 0 || k > float64(n) {
		return &ArgError{Arg: "k", Index: -1, Value: k, Err: ErrK, what: fmt.Sprintf(" outside [0, %d]", n)}
	}
	return nil
}

// checkKInside reports an error unless k is a number strictly inside (0, n),
// as the entropic projection needs.
func checkKInside(k float64, n int) error {
	if math.IsNaN(k) {
		return &ArgError{Arg: "k", Index: -1, Value: k, Err: ErrK, what: " is not a number"}
	}
	if !(k > 0 && k < float64(n)) {
		return &ArgError{Arg: "k", Index: -1, Value: k, Err: ErrK, what: fmt.Sprintf(" outside (0, %d)", n)}
	}
	return nil
}

// MinTau is the smallest τ the kernels accept: the smallest normal
// float64, so that 1/τ is finite. (Every positive float32 is above it.)
const MinTau = 0x1p-1022

// CheckTau reports an *ArgError (ErrTau) unless τ is finite and at least
// MinTau: the temperatures Project and ProjectVJP accept. A float32 caller
// must also check that τ is neither 0 nor +Inf once rounded to float32.
func CheckTau(tau float64) error {
	if math.IsNaN(tau) || math.IsInf(tau, 0) || tau <= 0 {
		return &ArgError{Arg: "tau", Index: -1, Value: tau, Err: ErrTau, what: " must be finite and > 0"}
	}
	if tau < MinTau {
		return &ArgError{Arg: "tau", Index: -1, Value: tau, Err: ErrTau,
			what: fmt.Sprintf(" is below the smallest normal float64 %v", MinTau)}
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
	return &ArgError{Arg: name, Index: i, Value: v, Err: ErrNotFinite, what: " is not finite"}
}

// outsideUnit is the error for an entry v = name[i] outside [0, 1].
func outsideUnit(name string, i int, v float64) error {
	return &ArgError{Arg: name, Index: i, Value: v, Err: ErrRange, what: " outside [0, 1]"}
}

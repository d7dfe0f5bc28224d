package op

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of bad argument of the op and the losses, found when the graph
// is built (or, for k's value, when it runs). Each such error is an
// *ArgError wrapping one of them (errors.Is); the kernels' errors, found
// when the graph runs, wrap a *hypersimplex.ArgError instead.
var (
	ErrNil   = errors.New("nil node")    // an input node is nil
	ErrShape = errors.New("bad shape")   // a shape the op or loss cannot take
	ErrDtype = errors.New("bad dtype")   // not float32/float64, or dtypes that differ
	ErrTau   = errors.New("bad tau")     // τ the kernels would reject in the graph's dtype
	ErrValue = errors.New("bad k value") // k's value is missing or of the wrong kind
)

// ArgError is a bad argument of an op or loss: the function, the argument,
// its offending value (a shape, a dtype, τ) and the kind.
type ArgError struct {
	Func  string // "SoftBinaryArgmax", "HyperSimplexLoss", "BinaryHyperSimplexLoss"
	Arg   string // "x", "k", "tau", "logits", "targets", "labels"
	Value any    // the offending shape, dtype or value
	Err   error  // ErrNil, ErrShape, ErrDtype, ErrTau, ErrValue (hypersimplex.ErrNotFinite for NaN logits)
	msg   string // what is wrong, naming the argument
}

// Error returns "op: <Func>: <what is wrong>", e.g. "op: SoftBinaryArgmax:
// x has dtype int, want float32 or float64".
func (e *ArgError) Error() string { return "op: " + e.Func + ": " + e.msg }

// Unwrap returns the kind.
func (e *ArgError) Unwrap() error { return e.Err }

// argErr returns an *ArgError of kind for fn's argument arg with value v
// and the message format, args.
func argErr(kind error, fn, arg string, v any, format string, args ...any) error {
	return &ArgError{Func: fn, Arg: arg, Value: v, Err: kind, msg: fmt.Sprintf(format, args...)}
}

// prefixedError is an error with a prefix replacing its own
// "hypersimplex: " (a kernel's or loss option's error, named where the op
// met it).
type prefixedError struct {
	prefix string
	err    error
}

func (e *prefixedError) Error() string {
	return e.prefix + strings.TrimPrefix(e.err.Error(), "hypersimplex: ")
}

func (e *prefixedError) Unwrap() error { return e.err }

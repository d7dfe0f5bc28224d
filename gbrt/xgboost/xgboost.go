//go:build xgboost

package xgboost

/*
#cgo LDFLAGS: -lxgboost
#include <stdlib.h>
#include <xgboost/c_api.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"unsafe"

	"github.com/hypersimplex/hsloss/gbrt"
)

// call runs f, a call into the C API, and turns a non-zero return into an
// error with XGBGetLastError's message. The message is thread-local in
// XGBoost, so the goroutine stays on one OS thread for both calls.
func call(what string, f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if f() != 0 {
		return fmt.Errorf("xgboost: %s: %s", what, C.GoString(C.XGBGetLastError()))
	}
	return nil
}

// thread runs functions on one OS thread of its own. XGBoost 1.7 keeps a
// learner's prediction cache, where XGBoosterCreate registers the
// matrices, in thread-local storage: a booster used from another thread
// than the one that created it finds no matrices there and fails on its
// first prediction ("0 feature is supplied"), and loses the cache
// afterwards. A goroutine may move between OS threads between two cgo
// calls, so every call of a Booster goes through its thread.
type thread struct{ jobs chan func() }

func newThread() *thread {
	t := &thread{jobs: make(chan func())}
	go func() {
		// Never unlocked: when jobs is closed the goroutine exits locked
		// and the runtime ends the OS thread with its thread-local data.
		runtime.LockOSThread()
		for f := range t.jobs {
			f()
		}
	}()
	return t
}

// do runs f on the thread and waits for it.
func (t *thread) do(f func() error) error {
	done := make(chan error, 1)
	t.jobs <- func() { done <- f() }
	return <-done
}

func (t *thread) stop() { close(t.jobs) }

// silence sets XGBoost's verbosity to 0 for the calling thread (its global
// configuration is thread-local), so that no warning goes to stdout and
// mixes with the summary table.
func silence() error {
	cfg := C.CString(`{"verbosity": 0}`)
	defer C.free(unsafe.Pointer(cfg))
	return call("XGBSetGlobalConfig", func() C.int { return C.XGBSetGlobalConfig(cfg) })
}

// Version returns the version of the XGBoost library linked in.
func Version() string {
	var major, minor, patch C.int
	C.XGBoostVersion(&major, &minor, &patch)
	return fmt.Sprintf("%d.%d.%d", major, minor, patch)
}

// matrix is a DMatrix handle.
type matrix struct{ h C.DMatrixHandle }

// newMatrix copies a validated dataset into a DMatrix with its labels.
func newMatrix(d *gbrt.Dataset) (*matrix, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	m := &matrix{}
	err := call("XGDMatrixCreateFromMat", func() C.int {
		return C.XGDMatrixCreateFromMat((*C.float)(unsafe.Pointer(&d.X[0])), C.bst_ulong(d.Rows), C.bst_ulong(d.Cols), C.float(math.NaN()), &m.h)
	})
	if err != nil {
		return nil, err
	}
	field := C.CString("label")
	defer C.free(unsafe.Pointer(field))
	err = call("XGDMatrixSetFloatInfo", func() C.int {
		return C.XGDMatrixSetFloatInfo(m.h, field, (*C.float)(unsafe.Pointer(&d.Y[0])), C.bst_ulong(d.Rows))
	})
	if err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

func (m *matrix) close() {
	if m != nil && m.h != nil {
		C.XGDMatrixFree(m.h)
		m.h = nil
	}
}

// Params are the booster's parameters other than the objective.
type Params struct {
	Eta      float64 // learning rate (shrinkage), in (0, 1]
	MaxDepth int     // tree depth, ≥ 1
	Threads  int     // OpenMP threads of XGBoost, ≥ 1
	Seed     int64   // XGBoost's random seed
}

// DefaultParams are eta 0.1 (LightGBM's default learning rate, the
// reference's booster), depth 6 (XGBoost's default) and one thread.
func DefaultParams() Params { return Params{Eta: 0.1, MaxDepth: 6, Threads: 1} }

// Booster is an XGBoost gbtree ensemble (tree_method hist) over three
// matrices; it implements gbrt.Booster. Close frees it.
type Booster struct {
	h    C.BoosterHandle
	sets [3]*matrix
	rows [3]int
	th   *thread // every C call of the booster runs here
}

var _ gbrt.Booster = (*Booster)(nil)

// NewBooster creates a booster for objective obj (XGBoost's own, or the
// HS loss whose gradients Fit supplies) on the training, validation and
// test sets. All three are validated first (gbrt.Dataset.Validate: no
// empty set, finite features, labels 0 or 1) and must have the same
// number of columns.
func NewBooster(obj gbrt.Objective, p Params, train, valid, test *gbrt.Dataset) (*Booster, error) {
	switch {
	case !(p.Eta > 0 && p.Eta <= 1):
		return nil, fmt.Errorf("xgboost: eta = %v outside (0, 1]", p.Eta)
	case p.MaxDepth < 1:
		return nil, fmt.Errorf("xgboost: max depth = %d, need at least 1", p.MaxDepth)
	case p.Threads < 1:
		return nil, fmt.Errorf("xgboost: threads = %d, need at least 1", p.Threads)
	}
	b := &Booster{th: newThread()}
	if err := b.th.do(func() error { return b.create(obj, p, train, valid, test) }); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// create makes the matrices and the booster; it runs on b.th, and on error
// the caller closes b.
func (b *Booster) create(obj gbrt.Objective, p Params, train, valid, test *gbrt.Dataset) error {
	if err := silence(); err != nil {
		return err
	}
	for i, d := range []*gbrt.Dataset{train, valid, test} {
		if d == nil {
			return fmt.Errorf("xgboost: %s set is nil", gbrt.Set(i))
		}
		if d.Cols != train.Cols {
			return fmt.Errorf("xgboost: %s set has %d columns, the training set %d", gbrt.Set(i), d.Cols, train.Cols)
		}
		m, err := newMatrix(d)
		if err != nil {
			return err
		}
		b.sets[i], b.rows[i] = m, d.Rows
	}
	handles := [3]C.DMatrixHandle{b.sets[0].h, b.sets[1].h, b.sets[2].h}
	// The handles array lives in C memory: cgo forbids passing Go memory
	// that holds pointers.
	arr := (*[3]C.DMatrixHandle)(C.malloc(C.size_t(unsafe.Sizeof(handles))))
	*arr = handles
	defer C.free(unsafe.Pointer(arr))
	if err := call("XGBoosterCreate", func() C.int { return C.XGBoosterCreate(&arr[0], 3, &b.h) }); err != nil {
		return err
	}
	params := [][2]string{
		{"booster", "gbtree"}, {"tree_method", "hist"}, {"verbosity", "0"},
		{"eta", strconv.FormatFloat(p.Eta, 'g', -1, 64)},
		{"max_depth", strconv.Itoa(p.MaxDepth)},
		{"nthread", strconv.Itoa(p.Threads)},
		{"seed", strconv.FormatInt(p.Seed, 10)},
	}
	if obj.XGBoost != "" {
		params = append(params, [2]string{"objective", obj.XGBoost})
	}
	for _, kv := range params {
		if err := b.setParam(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

func (b *Booster) setParam(name, value string) error {
	cn, cv := C.CString(name), C.CString(value)
	defer C.free(unsafe.Pointer(cn))
	defer C.free(unsafe.Pointer(cv))
	return call("XGBoosterSetParam "+name+"="+value, func() C.int { return C.XGBoosterSetParam(b.h, cn, cv) })
}

// Boost adds one round of trees: with grad and hess nil by the booster's
// objective (XGBoosterUpdateOneIter), otherwise from these gradients and
// Hessians of the training rows (XGBoosterBoostOneIter), which must have
// one finite entry per training row, the Hessian ≥ 0.
func (b *Booster) Boost(iter int, grad, hess []float32) error {
	if b.h == nil {
		return errors.New("xgboost: booster is closed")
	}
	if grad == nil && hess == nil {
		return b.th.do(func() error {
			return call("XGBoosterUpdateOneIter", func() C.int { return C.XGBoosterUpdateOneIter(b.h, C.int(iter), b.sets[gbrt.Train].h) })
		})
	}
	n := b.rows[gbrt.Train]
	if len(grad) != n || len(hess) != n {
		return fmt.Errorf("xgboost: len(grad) = %d, len(hess) = %d, want %d (training rows)", len(grad), len(hess), n)
	}
	for i := range grad {
		g, h := float64(grad[i]), float64(hess[i])
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return fmt.Errorf("xgboost: grad[%d] = %v is not finite", i, g)
		}
		if !(h >= 0) || math.IsInf(h, 1) {
			return fmt.Errorf("xgboost: hess[%d] = %v is not a finite number ≥ 0", i, h)
		}
	}
	return b.th.do(func() error {
		return call("XGBoosterBoostOneIter", func() C.int {
			return C.XGBoosterBoostOneIter(b.h, b.sets[gbrt.Train].h, (*C.float)(unsafe.Pointer(&grad[0])), (*C.float)(unsafe.Pointer(&hess[0])), C.bst_ulong(n))
		})
	})
}

// Margins returns the raw scores (output margins, before any link
// function) of set s under all trees so far.
func (b *Booster) Margins(s gbrt.Set) ([]float32, error) {
	if b.h == nil {
		return nil, errors.New("xgboost: booster is closed")
	}
	if s < gbrt.Train || s > gbrt.Test {
		return nil, fmt.Errorf("xgboost: unknown set %d", int(s))
	}
	res := make([]float32, b.rows[s])
	err := b.th.do(func() error {
		var n C.bst_ulong
		var out *C.float
		// option_mask 1: output margin; ntree_limit 0: all trees; training 0.
		// The result lives in XGBoost's thread-local buffer until the next
		// call on this thread: copy it here.
		if err := call("XGBoosterPredict", func() C.int { return C.XGBoosterPredict(b.h, b.sets[s].h, 1, 0, 0, &n, &out) }); err != nil {
			return err
		}
		if int(n) != len(res) {
			return fmt.Errorf("xgboost: %d margins for the %d rows of the %s set", n, len(res), s)
		}
		copy(res, unsafe.Slice((*float32)(unsafe.Pointer(out)), int(n)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Close frees the booster and its matrices and ends its thread; it is
// safe to call twice.
func (b *Booster) Close() {
	if b.th == nil {
		return
	}
	b.th.do(func() error {
		if b.h != nil {
			C.XGBoosterFree(b.h)
			b.h = nil
		}
		for _, m := range b.sets {
			m.close()
		}
		return nil
	})
	b.th.stop()
	b.th = nil
}

package op

import (
	"runtime"
	"sync"
)

// parallelMinElems is the work size (rows × n elements) from which the
// Gorgonia ops split the rows of a matrix across goroutines. Below it one
// goroutine does all rows: waking a second core and joining it costs more
// than half the work saves.
//
// Measured with BenchmarkRowsParallel (forward + backward, float32, 10 rows,
// medians of 10 runs on an otherwise idle 2-vCPU KVM guest, AMD EPYC Zen 5,
// 2026-11-29):
//
//	rows × n     serial    parallel   parallel/serial
//	10 × 128      22 µs      26 µs    1.18
//	10 × 512      68 µs      76 µs    1.12
//	10 × 1024    114 µs     129 µs    1.13
//	10 × 2048    199 µs     186 µs    0.93
//	10 × 4096    353 µs     349 µs    0.99
//	10 × 8192    654 µs     596 µs    0.91
//	10 × 65536  4553 µs    2720 µs    0.60
//
// The split loses 12–18% up to 10 × 1024 and wins from 10 × 2048; the two
// vCPUs gain little from each other below L2-sized rows (at 10 × 65536 the
// second one nearly halves the time). BenchmarkRowBlockOverhead puts the
// split's fixed cost at about 0.45 µs when the workers start on idle cores.
// Splitting stops losing between 10,240 and 20,480 elements: 1 << 14.
const parallelMinElems = 1 << 14

// forEachRowBlock calls fn(lo, hi) on disjoint blocks of rows [lo, hi) that
// together cover [0, rows). When rows > 1 and rows × n ≥ minElems the blocks
// run concurrently, one per worker, each with a contiguous block of rows:
// at most GOMAXPROCS workers, and few enough that each gets about minElems/2
// elements or more. Otherwise fn(0, rows) runs on the caller's goroutine.
// The error returned is that of the lowest block that failed, so the result
// does not depend on scheduling.
func forEachRowBlock(rows, n, minElems int, fn func(lo, hi int) error) error {
	workers := min(runtime.GOMAXPROCS(0), rows)
	if minElems > 0 {
		workers = min(workers, 2*(rows*n/minElems))
	}
	if workers <= 1 || rows*n < minElems {
		return fn(0, rows)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	// Worker w owns rows [w·rows/workers, (w+1)·rows/workers).
	for w := 1; w < workers; w++ {
		go func(w int) {
			defer wg.Done()
			errs[w] = fn(w*rows/workers, (w+1)*rows/workers)
		}(w)
	}
	errs[0] = fn(0, rows/workers)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

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
// minimum of 15 runs; 2 cores shared with other jobs, which kept one core
// busy most of the time, so the parallel gains are a lower bound):
//
//	rows × n     serial    parallel   parallel/serial
//	10 × 128      28 µs      32 µs    1.14
//	10 × 512      82 µs      98 µs    1.20
//	10 × 1024    225 µs     159 µs    0.71
//	10 × 8192    794 µs     797 µs    1.00 (second core taken)
//
// Four such runs agree: up to 10 × 512 the split loses 9–20%; from
// 10 × 1024 it breaks even or wins, by as much as the second core is free.
// BenchmarkRowBlockOverhead puts the split's fixed cost at about 0.5 µs when
// the workers are already running; waking an idle core costs several µs.
// Splitting stops losing between 5,120 and 10,240 elements: 1 << 13.
const parallelMinElems = 1 << 13

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

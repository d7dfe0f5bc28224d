package op

import (
	"runtime"
	"sync"
)

// parallelMinElems is the work size (rows × n elements) from which the
// Gorgonia ops split the rows of a matrix across goroutines. Below it one
// goroutine does all rows: waking a second core and joining it costs more
// than half the work saves (BenchmarkRowsParallel; the measurements are in
// docs/performance.md).
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

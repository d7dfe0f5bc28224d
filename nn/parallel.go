package nn

import (
	"runtime"
	"sync"
)

// parallelMinWork is the number of elements a kernel touches from which
// forEachBlock splits it across goroutines: below it, waking a second core
// and joining it costs more than half the work saves (about 0.5 µs against
// 0.3–1 ns per element; the same threshold as package op's row split).
const parallelMinWork = 1 << 14

// workersFor returns how many goroutines forEachBlock uses for n blocks of
// work elements in all: up to GOMAXPROCS, 1 below parallelMinWork.
func workersFor(n, work int) int {
	if work < parallelMinWork {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), n))
}

// forEachBlock calls fn(w, lo, hi) for worker w ∈ [0, workersFor(n, work))
// on disjoint blocks [lo, hi) that together cover [0, n), concurrently
// (worker 0 on the caller's goroutine). fn must only write what its block
// (or its worker) owns.
func forEachBlock(n, work int, fn func(w, lo, hi int)) {
	workers := workersFor(n, work)
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			fn(w, w*n/workers, (w+1)*n/workers)
		}()
	}
	fn(0, 0, n/workers)
	wg.Wait()
}

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

// forEachBlock calls fn(lo, hi) on disjoint blocks [lo, hi) that together
// cover [0, n), concurrently on up to GOMAXPROCS goroutines (the caller's
// among them) when work, the number of elements the whole call touches, is
// at least parallelMinWork and n > 1; otherwise fn(0, n) on the caller's
// goroutine. fn must only write what its block owns.
func forEachBlock(n, work int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 || work < parallelMinWork {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for w := 1; w < workers; w++ {
		go func() {
			defer wg.Done()
			fn(w*n/workers, (w+1)*n/workers)
		}()
	}
	fn(0, n/workers)
	wg.Wait()
}

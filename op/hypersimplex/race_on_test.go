//go:build race

package hypersimplex_test

// raceEnabled reports a build with the race detector, under which
// sync.Pool drops items at random, so allocation counts are meaningless.
const raceEnabled = true

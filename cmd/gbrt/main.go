// Command gbrt runs the gradient-boosting study of the paper's Appendix A
// on XGBoost: the HyperSimplex loss as the boosting objective (with the
// reference's Hessian of ones and alternatives) against XGBoost's
// binary:logistic and reg:squarederror, on several datasets and seeds,
// with early stopping on validation AUC; results folder, summary table,
// paired t-tests, resume.
//
// It needs XGBoost's C library (apt-get install libxgboost-dev) and the
// build tag:
//
//	go run -tags xgboost ./cmd/gbrt -h
//
// Built without the tag it only says so.
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
		fmt.Fprintln(os.Stderr, "gbrt:", err)
		os.Exit(1)
	}
}

//go:build !xgboost

package main

import (
	"context"
	"errors"
	"io"
)

// run without XGBoost: the command needs cgo and the build tag.
func run(_ context.Context, _, _ io.Writer, _ []string) error {
	return errors.New("built without XGBoost: install libxgboost-dev and run go run -tags xgboost ./cmd/gbrt")
}

//go:build !xgboost

package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestWithoutTag(t *testing.T) {
	err := run(context.Background(), io.Discard, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "-tags xgboost") {
		t.Errorf("err = %v, want one telling to build with -tags xgboost", err)
	}
}

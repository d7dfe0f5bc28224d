// Package xgboost binds XGBoost's C API (Debian's libxgboost-dev, 1.7) via
// cgo for package gbrt: a Booster over a training, a validation and a test
// matrix, boosted with XGBoost's own objectives or with gradients and
// Hessians computed in Go (XGBoosterBoostOneIter).
//
// Everything but this comment needs the build tag xgboost (and cgo, and
// the library: apt-get install libxgboost-dev), so that the default build
// of the module stays pure Go:
//
//	go test -tags xgboost ./gbrt/...
//
// Every argument is checked in Go before it reaches C (lengths, finite
// features, labels 0 or 1, finite gradients), and every C error is
// returned as a Go error carrying XGBGetLastError's message, read on the
// same OS thread as the failing call.
package xgboost

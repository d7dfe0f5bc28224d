package datasets

// Test hooks: the canonical checksum tables are swapped so that tiny
// generated fixtures can stand in for the real files.

// SetMNISTChecksums replaces the canonical MNIST checksums until restore.
func SetMNISTChecksums(m map[string][]Checksum) (restore func()) {
	old := mnistChecksums
	mnistChecksums = m
	return func() { mnistChecksums = old }
}

// WriteFileAtomic exposes writeFileAtomic.
var WriteFileAtomic = writeFileAtomic

// EscapeModulePath exposes escapeModulePath.
var EscapeModulePath = escapeModulePath

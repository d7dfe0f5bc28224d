package datasets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultMirrors are the base URLs Download fetches from: the PyTorch
// mirror of MNIST (yann.lecun.com often refuses downloads) and the
// Fashion-MNIST authors' bucket.
var DefaultMirrors = map[string]string{
	"mnist":         "https://ossci-datasets.s3.amazonaws.com/mnist",
	"fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
}

// DownloadOptions configure Download. The zero value fetches from
// DefaultMirrors and checks the canonical checksums.
type DownloadOptions struct {
	// BaseURL replaces the default mirror: file f is fetched from BaseURL/f.
	BaseURL string
	// URLs gives a full URL per file name, overriding BaseURL.
	URLs map[string]string
	// Checksums gives the expected checksum per file name, overriding the
	// canonical one (for a mirror that serves different bytes).
	Checksums map[string]Checksum
	// Client is the HTTP client (default: one with a 10-minute timeout).
	Client *http.Client
}

// maxDownloadBytes bounds one downloaded file.
const maxDownloadBytes = 256 << 20

// Download fetches the four canonical gzipped IDX files of "mnist" or
// "fashion-mnist" (the official 60,000/10,000 splits) into
// dataDir/<name>, verifies each against its checksum before it is renamed
// into place, and writes the manifest. Nothing unverified is ever left
// under the final file names.
func Download(ctx context.Context, name, dataDir string, opts DownloadOptions) (*Manifest, error) {
	var table map[string][]Checksum
	var folder string
	switch name {
	case "mnist":
		table, folder = mnistChecksums, MNISTFolder
	case "fashion-mnist":
		table, folder = fashionMNISTChecksums, FashionMNISTFolder
	default:
		return nil, fmt.Errorf("datasets: cannot download %q (only mnist and fashion-mnist)", name)
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultMirrors[name]
	}
	base = strings.TrimSuffix(base, "/")
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	dir := filepath.Join(dataDir, folder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(dir, ManifestName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	man := &Manifest{Dataset: name, Source: "download " + base, Split: "official"}
	for _, stem := range idxStems {
		file := stem + ".gz"
		url := base + "/" + file
		if u, ok := opts.URLs[file]; ok {
			url = u
		}
		want := table[file]
		if c, ok := opts.Checksums[file]; ok {
			want = []Checksum{c}
		}
		b, err := fetch(ctx, client, url)
		if err != nil {
			return nil, fileErr(url, err)
		}
		if err := verifyAny(b, want); err != nil {
			return nil, fileErr(url, err)
		}
		if stem == trainLabelsStem || stem == testLabelsStem {
			m, err := ReadIDX(bytes.NewReader(b))
			if err != nil {
				return nil, fileErr(url, err)
			}
			if stem == trainLabelsStem {
				man.Train = m.Dims[0]
			} else {
				man.Test = m.Dims[0]
			}
		}
		path := filepath.Join(dir, file)
		if err := writeFileAtomic(path, func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
			return nil, err
		}
		man.Files = append(man.Files, ManifestFile{Name: file, Bytes: int64(len(b)), SHA256: SHA256Of(b)})
	}
	if err := writeManifest(dir, man); err != nil {
		return nil, err
	}
	return man, nil
}

// fetch GETs url and returns its body, failing on a status other than 200
// or a body over maxDownloadBytes.
func fetch(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDownloadBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDownloadBytes {
		return nil, errf(ErrMalformed, "larger than %d bytes", maxDownloadBytes)
	}
	if resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength {
		return nil, errf(ErrTruncated, "got %d of %d bytes", len(b), resp.ContentLength)
	}
	return b, nil
}

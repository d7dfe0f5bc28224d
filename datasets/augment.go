package datasets

import (
	"fmt"
	"math/rand/v2"
)

// Augmentation is a random transformation of training images, the one of
// torchvision's RandomCrop(size, padding=Pad, padding_mode="reflect")
// followed, with Flip, by RandomHorizontalFlip(): each image is padded by
// Pad pixels on every side by reflection (the edge pixel is not repeated:
// column −1 is column 1), a window of the original size is cut at a uniform
// offset (i, j) ∈ [0, 2·Pad]², and with Flip the window is mirrored left to
// right with probability ½. Every channel of an image gets the same offset
// and flip. It commutes with a per-channel affine normalisation, so it may
// be applied to normalised pixels.
type Augmentation struct {
	Pad  int  // padding in pixels on every side, 0 ≤ Pad < height, width
	Flip bool // mirror left to right with probability ½
}

// ReferenceAugmentation returns the augmentation of the public reference
// code for a dataset: Fashion-MNIST pad 3 and flip, CIFAR-10 pad 4 and
// flip. MNIST, which the reference does not train on, gets pad 3 without
// the flip (a mirrored digit is often another digit or none). The
// synthetic dataset has no image structure: an error.
func ReferenceAugmentation(dataset string) (Augmentation, error) {
	switch dataset {
	case "fashion-mnist":
		return Augmentation{Pad: 3, Flip: true}, nil
	case "cifar10":
		return Augmentation{Pad: 4, Flip: true}, nil
	case "mnist":
		return Augmentation{Pad: 3}, nil
	}
	return Augmentation{}, fmt.Errorf("datasets: no augmentation for %q: its samples are not images", dataset)
}

// augmentStream is the PCG stream of an Augmenter's generator, another
// than the Batcher's, so that one seed drives both independently.
const augmentStream = 0x5851f42d4c957f2d

// Augmenter applies an Augmentation in place to batches of images of one
// shape, drawing the offsets and flips from a generator seeded by the
// caller: the same seed and the same sequence of batch sizes give the same
// transformations, whatever is done with the batches. It allocates nothing
// per batch and is not safe for concurrent use.
type Augmenter struct {
	aug     Augmentation
	c, h, w int
	pcg     *rand.PCG // rng's source, whose state MarshalBinary saves
	rng     *rand.Rand
	src     []float32 // one original image
	cols    []int     // source column of each output column of the image
}

// NewAugmenter returns an Augmenter of a for images of shape (channels,
// height, width), seeded with seed. a.Pad must be in [0, min(height,
// width)) (reflection needs a pixel to reflect).
func NewAugmenter(a Augmentation, shape [3]int, seed int64) (*Augmenter, error) {
	c, h, w := shape[0], shape[1], shape[2]
	if c < 1 || h < 1 || w < 1 {
		return nil, fmt.Errorf("datasets: augmenter: image shape %v, want positive channels, height and width", shape)
	}
	if a.Pad < 0 || a.Pad >= min(h, w) {
		return nil, fmt.Errorf("datasets: augmenter: Pad = %d outside [0, %d) for images of %d×%d", a.Pad, min(h, w), h, w)
	}
	pcg := rand.NewPCG(uint64(seed), augmentStream)
	return &Augmenter{
		aug: a, c: c, h: h, w: w,
		pcg: pcg, rng: rand.New(pcg),
		src: make([]float32, c*h*w), cols: make([]int, w),
	}, nil
}

// Apply transforms every image of x (a whole number of images, channel-
// major) in place, each with its own draw of offset and flip.
func (a *Augmenter) Apply(x []float32) error {
	size := len(a.src)
	if len(x)%size != 0 {
		return fmt.Errorf("datasets: augmenter: %d values are not a whole number of %d×%d×%d images", len(x), a.c, a.h, a.w)
	}
	for off := 0; off < len(x); off += size {
		a.image(x[off : off+size])
	}
	return nil
}

// MarshalBinary saves the state of the Augmenter's generator.
func (a *Augmenter) MarshalBinary() ([]byte, error) { return a.pcg.MarshalBinary() }

// UnmarshalBinary restores a state saved by MarshalBinary: the
// transformations that follow are those the saved Augmenter would have
// drawn.
func (a *Augmenter) UnmarshalBinary(data []byte) error {
	if err := a.pcg.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("datasets: augmenter state: %w", err)
	}
	return nil
}

// image transforms one image: output pixel (r, q) is the padded image's
// pixel (r + i, q' + j) with q' = q, or w−1−q when flipped, read from the
// original at the reflected coordinates.
func (a *Augmenter) image(img []float32) {
	span := 2*a.aug.Pad + 1
	i := a.rng.IntN(span) - a.aug.Pad // row offset into the original
	j := a.rng.IntN(span) - a.aug.Pad // column offset
	flip := a.aug.Flip && a.rng.IntN(2) == 1
	for q := range a.cols {
		col := q
		if flip {
			col = a.w - 1 - q
		}
		a.cols[q] = reflect(col+j, a.w)
	}
	copy(a.src, img)
	for ch := 0; ch < a.c; ch++ {
		plane, out := a.src[ch*a.h*a.w:(ch+1)*a.h*a.w], img[ch*a.h*a.w:(ch+1)*a.h*a.w]
		for r := 0; r < a.h; r++ {
			row := plane[reflect(r+i, a.h)*a.w:][:a.w]
			dst := out[r*a.w : (r+1)*a.w]
			for q, src := range a.cols {
				dst[q] = row[src]
			}
		}
	}
}

// reflect maps a coordinate p ∈ [−(n−1), 2n−2] into [0, n) by reflection
// about the edge pixels (−1 → 1, n → n−2).
func reflect(p, n int) int {
	if p < 0 {
		return -p
	}
	if p >= n {
		return 2*(n-1) - p
	}
	return p
}

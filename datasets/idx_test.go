package datasets_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

func TestIDXRoundTrip(t *testing.T) {
	im, lb := idxImages(5, 4, 3, 10, fixtureSeed)
	cases := []struct {
		name string
		m    *datasets.IDX
	}{
		{"images", im},
		{"labels", lb},
		{"empty 3-d", &datasets.IDX{Dims: []int{0, 28, 28}, Data: []byte{}}},
		{"2-d", &datasets.IDX{Dims: []int{2, 2}, Data: []byte{1, 2, 3, 255}}},
	}
	for _, c := range cases {
		for _, gz := range []bool{false, true} {
			t.Run(c.name, func(t *testing.T) {
				b := encodeIDX(t, c.m, gz)
				got, err := datasets.ReadIDX(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("gz=%v: %v", gz, err)
				}
				if !slices.Equal(got.Dims, c.m.Dims) || !bytes.Equal(got.Data, c.m.Data) {
					t.Errorf("gz=%v: got dims %v data %v, want %v %v", gz, got.Dims, got.Data, c.m.Dims, c.m.Data)
				}
				if got.Magic() != c.m.Magic() {
					t.Errorf("magic 0x%08x, want 0x%08x", got.Magic(), c.m.Magic())
				}
			})
		}
	}
	if im.Magic() != datasets.MagicIDXImages || lb.Magic() != datasets.MagicIDXLabels {
		t.Errorf("magic images 0x%08x labels 0x%08x", im.Magic(), lb.Magic())
	}
}

func TestReadIDXErrors(t *testing.T) {
	im, _ := idxImages(3, 2, 2, 10, fixtureSeed)
	raw := encodeIDX(t, im, false)
	gz := encodeIDX(t, im, true)
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)-5] ^= 0xff // the CRC-32 / size trailer
	flipped := bytes.Clone(gz)
	flipped[12] ^= 0xff // inside the deflate stream
	cases := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, datasets.ErrTruncated},
		{"short magic", []byte{0, 0, 8}, datasets.ErrTruncated},
		{"bad magic", append([]byte{1, 2}, raw[2:]...), datasets.ErrBadMagic},
		{"unsupported type", append([]byte{0, 0, 0x0d}, raw[3:]...), datasets.ErrMalformed},
		{"zero dims", []byte{0, 0, 8, 0}, datasets.ErrMalformed},
		{"too many dims", []byte{0, 0, 8, 200}, datasets.ErrMalformed},
		{"short dims", raw[:9], datasets.ErrTruncated},
		{"short data", raw[:len(raw)-1], datasets.ErrTruncated},
		{"trailing byte", append(bytes.Clone(raw), 0), datasets.ErrMalformed},
		{"huge dims", []byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2}, datasets.ErrMalformed},
		{"dim 2³¹", []byte{0, 0, 8, 1, 0x80, 0, 0, 0, 1, 2}, nil}, // truncated; on 32-bit too large
		{"gzip cut", gz[:len(gz)-10], datasets.ErrTruncated},
		{"gzip cut header", gz[:5], datasets.ErrTruncated},
		{"gzip bad trailer", corrupt, datasets.ErrMalformed},
		{"gzip corrupt body", flipped, nil}, // any error, never a panic or silent success
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := datasets.ReadIDX(bytes.NewReader(c.input))
			if err == nil {
				t.Fatalf("got %v dims, want an error", m.Dims)
			}
			if m != nil {
				t.Errorf("partial result %v returned with error", m.Dims)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %q does not wrap %q", err, c.want)
			}
		})
	}
}

func TestWriteIDXErrors(t *testing.T) {
	cases := []struct {
		name string
		m    *datasets.IDX
	}{
		{"no dims", &datasets.IDX{}},
		{"data too short", &datasets.IDX{Dims: []int{2, 2}, Data: []byte{1, 2, 3}}},
		{"data too long", &datasets.IDX{Dims: []int{1}, Data: []byte{1, 2}}},
		{"negative dim", &datasets.IDX{Dims: []int{-1}, Data: nil}},
		{"product overflows to 0", &datasets.IDX{Dims: []int{1 << 30, 1 << 30, 16}, Data: nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := datasets.WriteIDX(&buf, c.m); !errors.Is(err, datasets.ErrMalformed) {
				t.Errorf("got %v, want ErrMalformed", err)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written before the error", buf.Len())
			}
		})
	}
}

// FuzzReadIDX checks that arbitrary input never panics and that whatever
// parses writes back to the same raw bytes.
func FuzzReadIDX(f *testing.F) {
	im, lb := idxImages(2, 2, 2, 10, fixtureSeed)
	f.Add(encodeIDX(f, im, false))
	f.Add(encodeIDX(f, lb, true))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 1, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := datasets.ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := datasets.WriteIDX(&out, m); err != nil {
			t.Fatalf("parsed %v but cannot write it: %v", m.Dims, err)
		}
		again, err := datasets.ReadIDX(&out)
		if err != nil || !slices.Equal(again.Dims, m.Dims) || !bytes.Equal(again.Data, m.Data) {
			t.Fatalf("round trip changed %v: %v", m.Dims, err)
		}
	})
}

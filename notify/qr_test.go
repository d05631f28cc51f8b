package notify

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"testing"

	qr "github.com/piglig/go-qr"
)

// qrCases are codes as attend issues them (and edge lengths) at the size
// the tickets use and at sizes that scale modules unevenly or not at all.
var qrCases = struct {
	codes []string
	sizes []int
}{
	codes: []string{"ABCD2345", "ZZZZZZZZ", "SAMPLE01", "A", "HJKLMNPQRSTUVWXY23456789"},
	sizes: []int{360, 256, 100, 10},
}

// TestQRPNGReadsBackAsTheCode decodes each image as a scanner would, from
// its pixels alone.
func TestQRPNGReadsBackAsTheCode(t *testing.T) {
	for _, code := range qrCases.codes {
		for _, size := range qrCases.sizes {
			got, err := qrPNG(code, size)
			if err != nil {
				t.Fatal(err)
			}
			res, err := qr.DecodeDetailed(decodePNG(t, got))
			if err != nil {
				t.Fatalf("%s at %d: the image does not decode: %v", code, size, err)
			}
			if res.Text != code {
				t.Errorf("%s at %d: decodes as %q", code, size, res.Text)
			}
			if res.Ecc < qr.Medium {
				t.Errorf("%s at %d: error correction %d, want at least medium", code, size, res.Ecc)
			}
		}
	}
}

// TestQRPNGShowsEachModuleUnderItsPixels checks the picture pixel by pixel:
// a white quiet zone of four modules, then the symbol's modules, pixel x
// showing module x*modules/size; and that it is a 1-bit greyscale PNG.
func TestQRPNGShowsEachModuleUnderItsPixels(t *testing.T) {
	for _, code := range qrCases.codes {
		for _, size := range qrCases.sizes {
			symbol, err := qr.EncodeText(code, qr.Medium)
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrPNG(code, size)
			if err != nil {
				t.Fatal(err)
			}
			// IHDR is the first chunk: width, height, bit depth, colour type.
			if depth, colour := got[24], got[25]; depth != 1 || colour != 0 {
				t.Errorf("%s at %d: bit depth %d, colour type %d, want a 1-bit greyscale PNG", code, size, depth, colour)
			}
			modules := symbol.Size() + 8
			want := max(size, modules)
			if w := binary.BigEndian.Uint32(got[16:]); int(w) != want {
				t.Errorf("%s at %d: IHDR width %d, want %d", code, size, w, want)
			}
			img := decodePNG(t, got)
			if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
				t.Fatalf("%s at %d: %v, want %d×%d", code, size, b, want, want)
			}
			for y := range want {
				for x := range want {
					mx, my := x*modules/want-4, y*modules/want-4
					inSymbol := mx >= 0 && my >= 0 && mx < symbol.Size() && my < symbol.Size()
					if d := dark(img, x, y); d != (inSymbol && symbol.Module(mx, my)) {
						t.Fatalf("%s at %d: pixel (%d, %d) dark=%v, module (%d, %d) of %d", code, size, x, y, d, mx, my, symbol.Size())
					}
				}
			}
		}
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func dark(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return r+g+b < 3*0x8000
}

package notify

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/skip2/go-qrcode"
)

// TestQRPNGDrawsWhatGoQRCodeDraws checks that the faster encoder shows the
// same picture, pixel for pixel, as go-qrcode's own PNG of the same code.
func TestQRPNGDrawsWhatGoQRCodeDraws(t *testing.T) {
	for _, code := range []string{"ABCD2345", "ZZZZZZZZ", "SAMPLE01", "A"} {
		for _, size := range []int{360, 256, 100, 10} {
			want, err := qrcode.Encode(code, qrcode.Medium, size)
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrPNG(code, size)
			if err != nil {
				t.Fatal(err)
			}
			wi, gi := decodePNG(t, want), decodePNG(t, got)
			if wi.Bounds() != gi.Bounds() {
				t.Fatalf("%s at %d: bounds %v, want %v", code, size, gi.Bounds(), wi.Bounds())
			}
			b := wi.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if dark(wi, x, y) != dark(gi, x, y) {
						t.Fatalf("%s at %d: pixel (%d, %d) differs", code, size, x, y)
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

package qrcode

import (
	"image"
	"image/color"
	"testing"

	qr "github.com/piglig/go-qr"
)

// picture draws s at scale pixels per module with its quiet zone, as a
// printer would, reading only Size and Dark.
func picture(s Symbol, scale int) image.Image {
	n := (s.Size() + 2*QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			c := color.Gray{Y: 255}
			if s.Dark(x/scale-QuietZone, y/scale-QuietZone) {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

func TestASymbolDrawnFromItsModulesReadsBackAsTheCode(t *testing.T) {
	for _, code := range []string{"ABCD2345", "A", "HJKLMNPQRSTUVWXY23456789"} {
		s, err := Encode(code)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qr.DecodeDetailed(picture(s, 4))
		if err != nil {
			t.Fatalf("%s: does not decode: %v", code, err)
		}
		if res.Text != code {
			t.Errorf("%s: decodes as %q", code, res.Text)
		}
		if res.Ecc < qr.Medium {
			t.Errorf("%s: error correction %d, want at least medium", code, res.Ecc)
		}
	}
}

func TestModulesOutsideTheSymbolAreLight(t *testing.T) {
	s, err := Encode("ABCD2345")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]int{{-1, 0}, {0, -1}, {s.Size(), 0}, {0, s.Size()}, {-QuietZone, -QuietZone}} {
		if s.Dark(p[0], p[1]) {
			t.Errorf("module %v is dark, want light (quiet zone)", p)
		}
	}
	if !s.Dark(0, 0) {
		t.Error("module (0, 0) is light, want the dark corner of a finder pattern")
	}
}

package notify

import (
	"testing"

	qr "github.com/piglig/go-qr"
)

// BenchmarkQRPNG compares the QR image of a ticket as attend encodes it
// with the QR library's own PNG writer at about the same size (12 pixels a
// module: 348 pixels for this code). Run with `make bench-go`.
func BenchmarkQRPNG(b *testing.B) {
	b.Run("attend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qrPNG("ABCD2345", 360); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-qr", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			symbol, err := qr.EncodeText("ABCD2345", qr.Medium)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := symbol.ToPNGBytes(qr.NewQrCodeImgConfig(12, 4)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package notify

import (
	"testing"

	"github.com/skip2/go-qrcode"
)

// BenchmarkQRPNG compares the QR image of a ticket as attend encodes it
// with go-qrcode's own encoder (what attend used before). Run with
// `make bench-go`.
func BenchmarkQRPNG(b *testing.B) {
	b.Run("attend", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qrPNG("ABCD2345", 360); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-qrcode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := qrcode.Encode("ABCD2345", qrcode.Medium, 360); err != nil {
				b.Fatal(err)
			}
		}
	})
}

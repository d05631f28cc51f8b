package notify

import (
	"bytes"
	"image"
	"image/png"
	"sync"

	"github.com/skip2/go-qrcode"
)

// qrPNG draws code as a QR image of size×size pixels and encodes it as PNG.
//
// The picture is the one go-qrcode's Encode(code, qrcode.Medium, size)
// draws, pixel for pixel: the same modules, the same nearest-module scaling
// and white margin, black on white. Encode, though, sets the pixels one by
// one and compresses with png.BestCompression, which made the QR image most
// of the CPU time of sending a ticket (docs/PERFORMANCE.md). Here rows of
// the same module are copied, the image is 8-bit grey (which image/png
// writes row by row rather than pixel by pixel), compression is
// png.BestSpeed, and the compressor's buffers are reused. The file is about
// 1.3 kB instead of 0.4 kB.
func qrPNG(code string, size int) ([]byte, error) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	bitmap := q.Bitmap() // with the quiet zone
	modules := len(bitmap)
	size = max(size, modules)
	img := image.NewGray(image.Rect(0, 0, size, size))
	// Pixel x shows module x*modules/size, as in go-qrcode's Image.
	column := make([]int, size)
	perPixel := float64(modules) / float64(size)
	for x := range column {
		column[x] = int(float64(x) * perPixel)
	}
	prev := -1
	for y := 0; y < size; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+size]
		m := int(float64(y) * perPixel)
		if m == prev {
			copy(row, img.Pix[(y-1)*img.Stride:(y-1)*img.Stride+size])
			continue
		}
		prev = m
		for x, c := range column {
			if !bitmap[m][c] {
				row[x] = 0xff // white; dark modules stay 0
			}
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: pngBuffers}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pngBuffers lets QR encodings reuse the compressor's buffers (about 1 MB
// each) instead of allocating them for every email.
var pngBuffers = &encoderBufferPool{}

type encoderBufferPool struct{ pool sync.Pool }

func (p *encoderBufferPool) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *encoderBufferPool) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

package notify

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	"github.com/attend/attend/internal/qrcode"
)

// qrQuietZone is the white margin around the symbol, in modules.
const qrQuietZone = qrcode.QuietZone

// qrPNG draws code as a QR image of size×size pixels (at least one pixel
// per module) and encodes it as PNG.
//
// The symbol is encoded by package qrcode, as on printed badges, and drawn
// with the standard quiet zone;
// each pixel shows the module under it, nearest-module scaling, black on
// white. It is written as a 1-bit greyscale PNG (the format's smallest form
// of a black-and-white picture): each row is packed once per module row
// and repeated, and zlib compresses 16 kB instead of 130 kB. image/png
// spends its time choosing a filter for every row of 8-bit pixels and
// compressing them, which made the QR image most of the CPU time of sending
// a ticket (docs/PERFORMANCE.md).
func qrPNG(code string, size int) ([]byte, error) {
	symbol, err := qrcode.Encode(code)
	if err != nil {
		return nil, fmt.Errorf("notify: QR code: %w", err)
	}
	modules := symbol.Size() + 2*qrQuietZone
	size = max(size, modules)
	// Pixel x shows module x*modules/size, counted from the quiet zone's
	// edge; column holds it counted from the symbol's.
	column := make([]int, size)
	for x := range column {
		column[x] = x*modules/size - qrQuietZone
	}
	stride := 1 + (size+7)/8 // the filter byte (0: none), then the pixels
	raw := make([]byte, stride*size)
	prev := -qrQuietZone - 1
	for y := 0; y < size; y++ {
		row := raw[y*stride : (y+1)*stride]
		m := y*modules/size - qrQuietZone
		if m == prev {
			copy(row, raw[(y-1)*stride:y*stride])
			continue
		}
		prev = m
		for x, c := range column {
			// Dark reports light outside the symbol: the quiet zone.
			if !symbol.Dark(c, m) {
				row[1+x/8] |= 0x80 >> (x % 8) // white; dark modules stay 0
			}
		}
	}

	var buf bytes.Buffer
	buf.Grow(len(pngSignature) + 3*12 + 13 + 1024)
	buf.WriteString(pngSignature)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(size))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(size))
	ihdr[8], ihdr[9] = 1, 0 // bit depth 1, greyscale; compression, filter and interlace 0
	writeChunk(&buf, "IHDR", ihdr[:])
	z := zlibWriters.Get().(*zlibWriter)
	defer zlibWriters.Put(z)
	z.out.Reset()
	z.w.Reset(&z.out)
	if _, err := z.w.Write(raw); err != nil {
		return nil, err
	}
	if err := z.w.Close(); err != nil {
		return nil, err
	}
	writeChunk(&buf, "IDAT", z.out.Bytes())
	writeChunk(&buf, "IEND", nil)
	return buf.Bytes(), nil
}

const pngSignature = "\x89PNG\r\n\x1a\n"

// writeChunk appends a PNG chunk: length, type, data and the CRC of type
// and data. Writes to a bytes.Buffer cannot fail.
func writeChunk(w *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	io.WriteString(crc, kind)
	crc.Write(data)
	w.WriteString(kind)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// zlibWriters lets QR encodings reuse compressors (each holds about 1 MB of
// state) instead of allocating one for every email.
var zlibWriters = sync.Pool{New: func() any {
	z := &zlibWriter{}
	z.w, _ = zlib.NewWriterLevel(&z.out, zlib.BestSpeed) // a valid level never fails
	return z
}}

type zlibWriter struct {
	w   *zlib.Writer
	out bytes.Buffer
}

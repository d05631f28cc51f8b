package export

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
)

// attendeePart is the attendee sheet's part in the package: a new
// workbook's first sheet, which the attendee sheet is.
const attendeePart = "xl/worksheets/sheet1.xml"

// sheetDataEnd ends a sheet's rows. The text of cells is escaped, so the
// first one in a sheet's XML is the end of its rows.
var sheetDataEnd = []byte("</sheetData>")

// spliceZip zips the workbook excelize writes, with the attendee rows
// (sheetRows, already deflated) inserted into the attendee sheet's part
// before the end of its rows, after the header row excelize wrote.
//
// The part excelize writes for the attendee sheet is small (its opening,
// columns, header row, filter and print setup): it is held until the part
// ends (the next Create, or Close). Then the part before the rows' end and
// the part after it are deflated on their own, and the entry is the three
// deflate streams one after the other: the first two end with a sync flush
// (on a byte, without a final block) and none refers back into another, so
// together they are one valid deflate stream, as parallel compressors
// (pigz) write them. The entry's CRC-32 is combined from the three's.
type spliceZip struct {
	*zip.Writer
	part string
	rows *sheetRows // nil: no rows to insert
	held *bytes.Buffer
	done bool
}

func (z *spliceZip) Create(name string) (io.Writer, error) {
	if err := z.endPart(); err != nil {
		return nil, err
	}
	if name != z.part || z.rows == nil {
		return z.Writer.Create(name)
	}
	z.held = &bytes.Buffer{}
	return z.held, nil
}

// Close ends the zip, or fails if the rows were not inserted.
func (z *spliceZip) Close() error {
	if err := z.endPart(); err != nil {
		return err
	}
	if z.rows != nil && !z.done {
		return fmt.Errorf("export: xlsx: no %s in the workbook", z.part)
	}
	return z.Writer.Close()
}

// endPart writes the attendee sheet's entry once excelize has written the
// part.
func (z *spliceZip) endPart() error {
	if z.held == nil {
		return nil
	}
	sheet := z.held.Bytes()
	z.held = nil
	i := bytes.Index(sheet, sheetDataEnd)
	if i < 0 {
		return fmt.Errorf("export: xlsx: no %s in %s to put the rows before", sheetDataEnd, z.part)
	}
	before, after := sheet[:i], sheet[i:]
	head, err := deflate(before, false)
	if err != nil {
		return err
	}
	tail, err := deflate(after, true)
	if err != nil {
		return err
	}
	rows, err := z.rows.deflated()
	if err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(before)
	crc = crc32Combine(crc, z.rows.crc, z.rows.size)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(after), int64(len(after)))
	w, err := z.CreateRaw(&zip.FileHeader{
		Name:   z.part,
		Method: zip.Deflate,
		// What Create sets for the other entries (2.0: deflate); a raw
		// entry has only what it is given.
		CreatorVersion:     20,
		ReaderVersion:      20,
		CRC32:              crc,
		CompressedSize64:   uint64(int64(len(head)) + rows.Size() + int64(len(tail))),
		UncompressedSize64: uint64(int64(len(sheet)) + z.rows.size),
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if _, err := io.Copy(w, rows); err != nil {
		return fmt.Errorf("export: xlsx rows: %w", err)
	}
	if _, err := w.Write(tail); err != nil {
		return err
	}
	z.done = true
	return nil
}

// deflate compresses p as a stream of its own: the last of an entry ends
// with the final block, any other with a sync flush.
func deflate(p []byte, last bool) ([]byte, error) {
	var out bytes.Buffer
	z, err := flate.NewWriter(&out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := z.Write(p); err != nil {
		return nil, err
	}
	if last {
		err = z.Close()
	} else {
		err = z.Flush()
	}
	return out.Bytes(), err
}

// crc32Combine is the CRC-32 (IEEE) of a followed by b, from a's CRC
// crc1, b's CRC crc2 and b's length: zlib's crc32_combine, which the
// standard library does not offer. Appending len2 bytes multiplies a's
// CRC by x^(8·len2) modulo the polynomial.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	return multModP(x2nModP(len2, 3), crc1) ^ crc2
}

// crcPoly is the IEEE polynomial, bit-reversed as crc32.IEEE.
const crcPoly = crc32.IEEE

// multModP is a·b modulo the polynomial, in its bit-reversed form (a must
// not be 0).
func multModP(a, b uint32) uint32 {
	m, p := uint32(1)<<31, uint32(0)
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
}

// x2nModP is x^(n·2^k) modulo the polynomial.
func x2nModP(n int64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}

// x2nTable holds x^(2^k) modulo the polynomial for k from 0 to 31.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

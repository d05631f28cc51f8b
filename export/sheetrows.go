package export

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheetRows encodes the attendee sheet's rows, after the header, as the
// worksheet XML (SpreadsheetML <row> elements) excelize's stream writer
// would write for them, and deflates them as they come into a temporary
// file; at Close they are spliced into the sheet excelize wrote
// (spliceZip). Deflating as the rows are written, rather than when the
// workbook is zipped, keeps the file a seventh of the XML's size and
// leaves little to do once the last row is read.
//
// excelize's StreamWriter.SetRow was most of a workbook's CPU (80% of
// BenchmarkXLSXWrite): for each cell it formats the cell's name, escapes
// the text into a new string, runs a regular expression for _xHHHH_
// sequences and concatenates the result, and looks the time cells' 1904
// flag up in the workbook. The attendee sheet's cells are only ever inline
// text and date-times in two styles, so each column's markup is made once
// here and a cell is its value written between it. excelize still writes
// everything else: the sheet's columns, panes, autofilter and print setup,
// its header row, the other sheets, styles and the package
// (docs/PERFORMANCE.md).
type sheetRows struct {
	file *os.File
	w    *bufio.Writer
	z    *flate.Writer // into w
	crc  uint32        // of the XML, as a zip entry needs it
	size int64         // of the XML
	// open[j] is the start of column j's cells up to the row number
	// (`<c r="B`), text[j] what follows it in a text cell (up to the
	// value), when[j] in a date-time cell.
	open, text, preserve, when []string
	line                       []byte       // the row being encoded
	esc                        bytes.Buffer // the escaped value, off the fast path
}

// sheetRowsBuffer is the buffer in front of the temporary file.
const sheetRowsBuffer = 64 << 10

// newSheetRows starts the rows of a sheet of cols in a temporary file (in
// dir, the system's when empty), text cells in textStyle and date-time
// cells in whenStyle.
func newSheetRows(dir string, cols []Column, textStyle, whenStyle int) (*sheetRows, error) {
	f, err := os.CreateTemp(dir, "attend-export-")
	if err != nil {
		return nil, err
	}
	r := &sheetRows{file: f, w: bufio.NewWriterSize(f, sheetRowsBuffer)}
	if r.z, err = flate.NewWriter(r.w, flate.BestSpeed); err != nil {
		r.remove()
		return nil, err
	}
	text := `" s="` + strconv.Itoa(textStyle) + `" t="inlineStr"><is><t`
	when := `" s="` + strconv.Itoa(whenStyle) + `"><v>`
	for j := range cols {
		name, err := excelize.ColumnNumberToName(j + 1)
		if err != nil {
			r.remove()
			return nil, err
		}
		r.open = append(r.open, `<c r="`+name)
		r.text = append(r.text, text+`>`)
		r.preserve = append(r.preserve, text+` xml:space="preserve">`)
		r.when = append(r.when, when)
	}
	return r, nil
}

// row writes row number n: cells, in cols' kinds, height points high (0
// for the default height). An empty text cell and the zero time are left
// out, which reads as an empty cell.
func (r *sheetRows) row(n int, height float64, cols []Column, cells []Cell) error {
	var digits [20]byte
	num := strconv.AppendInt(digits[:0], int64(n), 10)
	b := append(r.line[:0], `<row r="`...)
	b = append(b, num...)
	if height > 0 {
		b = append(b, `" ht="`...)
		b = strconv.AppendFloat(b, height, 'f', -1, 64)
		b = append(b, `" customHeight="1`...)
	}
	b = append(b, `">`...)
	for j := range cells {
		c := &cells[j]
		if cols[j].Time {
			if c.At.IsZero() {
				continue
			}
			v, ok := excelTime(c.At)
			if !ok { // no date a spreadsheet shows
				b = r.textCell(b, j, num, c.At.Format(time.RFC3339))
				continue
			}
			b = append(b, r.open[j]...)
			b = append(b, num...)
			b = append(b, r.when[j]...)
			b = strconv.AppendFloat(b, v, 'f', -1, 64)
			b = append(b, `</v></c>`...)
			continue
		}
		if c.Text == "" {
			continue
		}
		b = r.textCell(b, j, num, c.Text)
	}
	b = append(b, `</row>`...)
	r.line = b
	r.crc = crc32.Update(r.crc, crc32.IEEETable, b)
	r.size += int64(len(b))
	if _, err := r.z.Write(b); err != nil {
		return fmt.Errorf("export: xlsx rows: %w", err)
	}
	return nil
}

// textCell appends an inline text cell of s to b, as excelize writes it:
// cut to the cell's limit, with its spaces kept when it starts or ends with
// one, escaped for XML, and _xHHHH_ sequences escaped, which spreadsheets
// would otherwise read as the character HHHH.
func (r *sheetRows) textCell(b []byte, j int, num []byte, s string) []byte {
	if len(s) > excelize.TotalCellChars {
		s = truncateUTF16(s, excelize.TotalCellChars)
	}
	b = append(b, r.open[j]...)
	b = append(b, num...)
	if edgeSpace(s) {
		b = append(b, r.preserve[j]...)
	} else {
		b = append(b, r.text[j]...)
	}
	if strings.Contains(s, "_x") {
		s = bstrExp.ReplaceAllString(s, "_x005F$0")
	}
	if plainXML(s) {
		b = append(b, s...)
	} else {
		r.esc.Reset()
		_ = xml.EscapeText(&r.esc, []byte(s)) // a bytes.Buffer does not fail
		// Line ends stay as they are, as excelize leaves them.
		b = append(b, bytes.ReplaceAll(r.esc.Bytes(), []byte("&#xA;"), []byte("\n"))...)
	}
	return append(b, `</t></is></c>`...)
}

// bstrExp is an escaped character in a spreadsheet's text (ECMA-376 ST_Xstring).
var bstrExp = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// plainXML says whether s can go into XML text as it is: no markup
// character, nothing outside XML's characters, valid UTF-8.
func plainXML(s string) bool {
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x20 || b == '<' || b == '>' || b == '&':
			return false
		case b >= utf8.RuneSelf:
			for _, c := range s[i:] {
				// RuneError is also a real U+FFFD: escaping keeps it.
				if c < 0x20 || c == '<' || c == '>' || c == '&' || c == utf8.RuneError || c == 0xFFFE || c == 0xFFFF {
					return false
				}
			}
			return true
		}
	}
	return true
}

// edgeSpace says whether s starts or ends with white space XML would drop.
func edgeSpace(s string) bool {
	if s == "" {
		return false
	}
	return strings.IndexByte("\t\n\r ", s[0]) >= 0 || strings.IndexByte("\t\n\r ", s[len(s)-1]) >= 0
}

// truncateUTF16 cuts s to at most n UTF-16 code units, a cell's limit.
func truncateUTF16(s string, n int) string {
	units := 0
	for i, c := range s {
		units += utf16.RuneLen(c)
		if units > n {
			return s[:i]
		}
	}
	return s
}

// excel1900 is day 1 of Excel's dates (1900-01-01) less a day; Excel
// counts the 29th of February 1900, which did not exist, so from March 1900
// on a date's serial number is one more than its days since excel1900.
var excel1900 = time.Date(1899, time.December, 31, 0, 0, 0, 0, time.UTC).Unix()

const (
	secondsPerDay     = 24 * 60 * 60
	nanosecondsPerDay = secondsPerDay * int64(time.Second)
)

// excelTime is t's wall clock as a spreadsheet's date-time serial number,
// the value excelize writes for it; ok is false for 1899-12-31 00:00 and
// earlier, which have none (1900-01-01 00:00 is 1).
func excelTime(t time.Time) (float64, bool) {
	_, offset := t.Zone()
	secs := t.Unix() + int64(offset) - excel1900
	if secs < 0 {
		return 0, false
	}
	days, rem := secs/secondsPerDay, secs%secondsPerDay
	frac := rem*int64(time.Second) + int64(t.Nanosecond())
	v := float64(days) + float64(frac)/float64(nanosecondsPerDay)
	if days >= 60 { // from 1900-03-01 on
		v++
	}
	return v, v > 0
}

// deflated ends the rows' deflate stream with a sync flush, which leaves
// it open (no final block) and ends it on a byte, so that another stream's
// blocks can follow it, and returns the compressed rows.
func (r *sheetRows) deflated() (*io.SectionReader, error) {
	if err := r.z.Flush(); err != nil {
		return nil, fmt.Errorf("export: xlsx rows: %w", err)
	}
	if err := r.w.Flush(); err != nil {
		return nil, fmt.Errorf("export: xlsx rows: %w", err)
	}
	size, err := r.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("export: xlsx rows: %w", err)
	}
	return io.NewSectionReader(r.file, 0, size), nil
}

// remove deletes the temporary file.
func (r *sheetRows) remove() error {
	return errors.Join(r.file.Close(), os.Remove(r.file.Name()))
}

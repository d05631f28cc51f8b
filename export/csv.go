package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"time"
)

// bom makes Excel read the file as UTF-8, so Cyrillic and Uzbek names show
// as typed.
const bom = "\uFEFF"

// CSV writes an attendee list as RFC 4180 CSV: UTF-8 with a byte-order
// mark, CRLF line ends, times in RFC 3339 in the event's time zone. It
// streams: each batch goes to the writer, and on to the client when the
// writer can flush (an HTTP response), as soon as it is written.
type CSV struct {
	out io.Writer
	buf *bufio.Writer
	w   *csv.Writer
	rec []string
	// times holds a row's date-times as text, one string for them all
	// (a string each was most of a row's allocations); at are their
	// columns.
	times []byte
	at    []int
}

// responseBuffer is the buffer in front of a format's writer, an HTTP
// response: bufio's default of 4 kB made a write to the response, and a
// system call on its connection, per 4 kB of the file.
const responseBuffer = 64 << 10

// NewCSV writes the list to w.
func NewCSV(w io.Writer) *CSV {
	buf := bufio.NewWriterSize(w, responseBuffer)
	c := &CSV{out: w, buf: buf, w: csv.NewWriter(buf)}
	c.w.UseCRLF = true
	return c
}

// Header writes the byte-order mark and the header row. Headings are
// neutralized like participants' text: a question's label, typed by an
// organizer, is a heading too. (In XLSX a heading is a string cell, never
// a formula.)
func (c *CSV) Header(cols []Column) error {
	if _, err := c.buf.WriteString(bom); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = Neutralize(col.Heading)
	}
	if err := c.w.Write(c.rec); err != nil {
		return fmt.Errorf("export: csv header: %w", err)
	}
	return nil
}

// Row writes one row.
func (c *CSV) Row(cells []Cell) error {
	c.times, c.at = c.times[:0], c.at[:0]
	for i, cell := range cells {
		c.rec[i] = cell.Text
		if !cell.At.IsZero() {
			c.times = cell.At.AppendFormat(c.times, time.RFC3339)
			c.at = append(c.at, i, len(c.times))
		}
	}
	if len(c.at) > 0 {
		times, from := string(c.times), 0
		for k := 0; k < len(c.at); k += 2 {
			i, to := c.at[k], c.at[k+1]
			c.rec[i], from = times[from:to], to
		}
	}
	if err := c.w.Write(c.rec); err != nil {
		return fmt.Errorf("export: csv row: %w", err)
	}
	return nil
}

// Flush sends the rows written so far on to the writer, and flushes the
// writer too when it can be (an HTTP response).
func (c *CSV) Flush() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	if f, ok := c.out.(interface{ Flush() }); ok {
		f.Flush()
	}
	return nil
}

// Close sends what is left.
func (c *CSV) Close() error { return c.Flush() }

// Discard leaves what was written as it is: a CSV holds nothing else.
func (c *CSV) Discard() {}

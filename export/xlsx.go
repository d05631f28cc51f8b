package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// Sheet names of the workbook.
const (
	AttendeesSheet = "Attendees"
	CountrySheet   = "By country"
)

// DateTimeFormat is the number format of date-time cells.
const DateTimeFormat = "yyyy-mm-dd hh:mm"

// XLSX writes an attendee list as an Excel workbook: a sheet "Attendees"
// with one row per registration, and a sheet "By country" with the event's
// statistics. Rows go through excelize's stream writer, which keeps a
// sheet in a temporary file rather than in memory; the zip is produced by
// WriteTo at the end. Text is always written as text cells, times as real
// date-time cells holding the event's local time (spreadsheets have no time
// zones).
//
// Use: NewXLSX, Write for each batch, Finish, WriteTo, and always Close.
type XLSX struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	loc    *time.Location
	days   []domain.Date
	rows   int // rows written to Attendees, header included
	header int // style ids
	when   int
	cells  []any
}

// NewXLSX starts a workbook for ev's attendee list with its header row.
func NewXLSX(ev *domain.Event) (*XLSX, error) {
	x := &XLSX{f: excelize.NewFile(), loc: ev.Location(), days: ev.Days()}
	if err := x.start(); err != nil {
		_ = x.f.Close() // the start error is the one worth reporting
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

func (x *XLSX) start() error {
	var err error
	if x.header, err = x.f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	}); err != nil {
		return err
	}
	format := DateTimeFormat
	if x.when, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		return err
	}
	if err := x.f.SetSheetName("Sheet1", AttendeesSheet); err != nil {
		return err
	}
	if x.sw, err = x.f.NewStreamWriter(AttendeesSheet); err != nil {
		return err
	}
	for i, c := range columns {
		if err := x.sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if len(x.days) > 0 {
		if err := x.sw.SetColWidth(len(columns)+1, len(columns)+len(x.days), dayWidth); err != nil {
			return err
		}
	}
	if err := x.sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	x.cells = make([]any, len(columns)+len(x.days))
	if err := x.sw.SetRow("A1", x.headerCells(Headers(x.days))); err != nil {
		return err
	}
	x.rows = 1
	return nil
}

// frozenHeader keeps the first row in view while scrolling.
var frozenHeader = &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}

func (x *XLSX) headerCells(headers []string) []any {
	out := make([]any, len(headers))
	for i, h := range headers {
		out[i] = excelize.Cell{StyleID: x.header, Value: h}
	}
	return out
}

// Write appends a batch of rows to the Attendees sheet.
func (x *XLSX) Write(batch []store.Attendee) error {
	for i := range batch {
		a := &batch[i]
		for j := range columns {
			col := &columns[j]
			if col.at != nil {
				x.cells[j] = x.timeCell(col.at(a))
			} else {
				x.cells[j] = col.cellText(a)
			}
		}
		for j, d := range x.days {
			x.cells[len(columns)+j] = x.timeCell(checkinAt(a, d))
		}
		x.rows++
		cell, err := excelize.CoordinatesToCellName(1, x.rows)
		if err != nil {
			return fmt.Errorf("export: xlsx row: %w", err)
		}
		if err := x.sw.SetRow(cell, x.cells); err != nil {
			return fmt.Errorf("export: xlsx row: %w", err)
		}
	}
	return nil
}

// timeCell is a date-time cell with t's wall clock in the event's time
// zone (excelize writes the wall clock of the time's location), or nil for
// an empty cell.
func (x *XLSX) timeCell(t *time.Time) any {
	if t == nil {
		return nil
	}
	return excelize.Cell{StyleID: x.when, Value: t.In(x.loc)}
}

// Finish closes the Attendees sheet with an autofilter over its rows and
// adds the By country sheet from st.
func (x *XLSX) Finish(st *store.Stats) error {
	last, err := excelize.CoordinatesToCellName(len(columns)+len(x.days), x.rows)
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	// The filter is set on the streamed sheet before Flush writes it out.
	if err := x.f.AutoFilter(AttendeesSheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("export: xlsx autofilter: %w", err)
	}
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if err := x.countrySheet(st); err != nil {
		return fmt.Errorf("export: xlsx %s: %w", CountrySheet, err)
	}
	return nil
}

func (x *XLSX) countrySheet(st *store.Stats) error {
	if _, err := x.f.NewSheet(CountrySheet); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(CountrySheet)
	if err != nil {
		return err
	}
	headers := []string{"Country code", "Country", "Registered", "Confirmed", "Pending", "Waitlisted", "Cancelled", "Expired"}
	headers = append(headers, domain.DateStrings(st.Days)...)
	headers = append(headers, "Attended")
	widths := map[int]float64{1: 9, 2: 24}
	for i := 3; i <= len(headers); i++ {
		widths[i] = 12
	}
	for col, w := range widths {
		if err := sw.SetColWidth(col, col, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	if err := sw.SetRow("A1", x.headerCells(headers)); err != nil {
		return err
	}
	row := func(code, name string, c *store.Counts) []any {
		out := []any{code, name, c.Registered, c.Confirmed, c.Pending, c.Waitlisted, c.Cancelled, c.Expired}
		for _, d := range st.Days {
			out = append(out, c.AttendedByDay[d])
		}
		return append(out, c.Attended)
	}
	r := 1
	for i := range st.ByCountry {
		cs := &st.ByCountry[i]
		r++
		if err := sw.SetRow(fmt.Sprintf("A%d", r), row(cs.Country, cs.Name, &cs.Counts)); err != nil {
			return err
		}
	}
	total := row("", "Total", &st.Total)
	for i, v := range total {
		total[i] = excelize.Cell{StyleID: x.header, Value: v}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", r+1), total); err != nil {
		return err
	}
	return sw.Flush()
}

// WriteTo writes the finished workbook to w as it is zipped. excelize's
// own WriteTo first builds the whole file in memory (11 MB for 100,000
// rows, on top of the sheets' buffers); its zip writer hook lets the zip go
// straight to w instead, leaving WriteToBuffer's buffer empty. The parts
// are deflated at flate.BestSpeed: the sheet XML is repetitive, so the file
// is barely larger and zipping takes a fraction of the time
// (docs/PERFORMANCE.md). The workbook never needs zip64 (that is only for
// parts over 4 GB), which is the one thing excelize does with the buffer.
func (x *XLSX) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(cw)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	if _, err := x.f.WriteToBuffer(); err != nil {
		return cw.n, fmt.Errorf("export: xlsx write: %w", err)
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Close removes the workbook's temporary files.
func (x *XLSX) Close() error {
	if err := x.f.Close(); err != nil {
		return fmt.Errorf("export: xlsx close: %w", err)
	}
	return nil
}

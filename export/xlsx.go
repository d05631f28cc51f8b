package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// DateTimeFormat is the number format of date-time cells.
const DateTimeFormat = "yyyy-mm-dd hh:mm"

// XLSX writes an attendee list as an Excel workbook: a sheet of attendees
// with one row per registration, and a sheet of the event's statistics by
// country, both in the language of the localizer given (sheet names,
// headers, country names). Rows go through excelize's stream writer, which
// keeps a sheet in a temporary file rather than in memory; the zip is
// produced by WriteTo at the end. Text is always written as text cells,
// times as real date-time cells holding the event's local time
// (spreadsheets have no time zones).
//
// A streamed sheet's column widths come before its first row, so the
// attendee sheet's header waits for the first batch: the columns are made
// as wide as the header and that batch's values need, up to each column's
// limit, past which text wraps. Both sheets print landscape, one page wide,
// with the header row on every page.
//
// Use: NewXLSX, Write for each batch, Finish, WriteTo, and always Close.
type XLSX struct {
	f       *excelize.File
	sw      *excelize.StreamWriter
	l       *i18n.Localizer
	loc     *time.Location
	days    []domain.Date
	cols    []column
	ev      *domain.Event
	sheet   string // the attendee sheet's name
	rows    int    // rows written to it, header included; 0 until the first batch
	style   styles
	cells   []any
	headers []string
	widths  []float64 // of the text columns, which wrap; 0 for the others
}

// NewXLSX starts a workbook for ev's attendee list in l's language.
func NewXLSX(ev *domain.Event, l *i18n.Localizer) (*XLSX, error) {
	x := &XLSX{f: excelize.NewFile(), l: l, loc: ev.Location(), days: ev.Days(), cols: columnsOf(ev, l), ev: ev,
		sheet: l.T("export.sheet.attendees", nil)}
	if err := x.start(); err != nil {
		_ = x.f.Close() // the start error is the one worth reporting
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

func (x *XLSX) start() error {
	if err := x.f.SetDefaultFont(FontFamily); err != nil {
		return err
	}
	var err error
	if x.style, err = newStyles(x.f); err != nil {
		return err
	}
	if err := x.f.SetSheetName("Sheet1", x.sheet); err != nil {
		return err
	}
	if err := printSetup(x.f, x.sheet); err != nil {
		return err
	}
	if x.sw, err = x.f.NewStreamWriter(x.sheet); err != nil {
		return err
	}
	if err := x.sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	x.headers = Headers(x.l, x.ev)
	x.cells = make([]any, len(x.headers))
	return nil
}

// begin sets the attendee sheet's column widths and styles from its
// headers and the first batch of rows (none for an empty list), and writes
// the header row.
func (x *XLSX) begin(first []store.Attendee) error {
	x.widths = make([]float64, len(x.headers))
	// excelize writes the columns in the reverse order of these calls, and
	// Excel wants them in ascending order.
	for i := len(x.headers) - 1; i >= 0; i-- {
		h := x.headers[i]
		col, width, style := i+1, max(dateWidth, headerWidth(h)), x.style.when
		if i < len(x.cols) && x.cols[i].text != nil {
			c := &x.cols[i]
			content := 0.0
			for j := range first {
				content = max(content, textWidth(c.cellText(&first[j], x.l)))
			}
			width, style = fitWidth(h, content, c.widest), x.style.text
			x.widths[i] = width
		}
		if err := x.sw.SetColWidth(col, col, width); err != nil {
			return err
		}
		// Text cells are written without a style of their own and take
		// their column's: the font, and wrapping.
		if err := x.sw.SetColStyle(col, col, style); err != nil {
			return err
		}
	}
	if err := x.sw.SetRow("A1", x.headerCells(x.headers)); err != nil {
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
		out[i] = excelize.Cell{StyleID: x.style.header, Value: h}
	}
	return out
}

// Write appends a batch of rows to the attendee sheet.
func (x *XLSX) Write(batch []store.Attendee) error {
	if x.rows == 0 {
		if err := x.begin(batch); err != nil {
			return fmt.Errorf("export: xlsx header: %w", err)
		}
	}
	for i := range batch {
		a := &batch[i]
		lines := 1
		for j := range x.cols {
			col := &x.cols[j]
			if col.at != nil {
				x.cells[j] = x.timeCell(col.at(a))
				continue
			}
			text := col.cellText(a, x.l)
			x.cells[j] = text
			lines = max(lines, wrappedLines(text, x.widths[j]))
		}
		for j, d := range x.days {
			x.cells[len(x.cols)+j] = x.timeCell(checkinAt(a, d))
		}
		x.rows++
		cell, err := excelize.CoordinatesToCellName(1, x.rows)
		if err != nil {
			return fmt.Errorf("export: xlsx row: %w", err)
		}
		if err := x.sw.SetRow(cell, x.cells, excelize.RowOpts{Height: rowHeight(lines)}); err != nil {
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
	return excelize.Cell{StyleID: x.style.when, Value: t.In(x.loc)}
}

// Finish closes the attendee sheet with an autofilter over its rows and
// adds the By country sheet from st.
func (x *XLSX) Finish(st *store.Stats) error {
	if x.rows == 0 { // no registrations match: the header row only
		if err := x.begin(nil); err != nil {
			return fmt.Errorf("export: xlsx header: %w", err)
		}
	}
	last, err := excelize.CoordinatesToCellName(len(x.headers), x.rows)
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	// The filter is set on the streamed sheet before Flush writes it out.
	if err := x.f.AutoFilter(x.sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("export: xlsx autofilter: %w", err)
	}
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	countries := make([]group, len(st.ByCountry))
	for i := range st.ByCountry {
		cs := &st.ByCountry[i]
		countries[i] = group{code: cs.Country, name: x.l.Country(cs.Country), counts: &cs.Counts}
	}
	delegations := make([]group, len(st.ByDelegation))
	for i := range st.ByDelegation {
		ds := &st.ByDelegation[i]
		delegations[i] = group{code: ds.Delegation, name: x.l.Delegation(ds.Delegation), counts: &ds.Counts}
	}
	for _, sheet := range []struct {
		name, codeHeader, nameHeader string
		groups                       []group
	}{
		{x.l.T("export.sheet.by_country", nil), "export.col.country_code", "export.col.country", countries},
		{x.l.T("export.sheet.by_delegation", nil), "export.col.delegation_code", "export.col.delegation", delegations},
	} {
		if err := x.countsSheet(sheet.name, sheet.codeHeader, sheet.nameHeader, sheet.groups, st); err != nil {
			return fmt.Errorf("export: xlsx %s: %w", sheet.name, err)
		}
	}
	if len(st.Answers) > 0 {
		name := x.l.T("export.sheet.answers", nil)
		if err := x.answersSheet(name, st.Answers); err != nil {
			return fmt.Errorf("export: xlsx %s: %w", name, err)
		}
	}
	return nil
}

// group is one row of a sheet of counts: a country or a delegation.
type group struct {
	code, name string
	counts     *store.Counts
}

// countHeaders are the message ids of the columns of counts of the By
// country and By delegation sheets, after the code and the name and before
// the day columns; countryAttended heads the last.
var countHeaders = []string{"export.col.registered", "export.col.confirmed",
	"export.col.pending", "export.col.waitlisted", "export.col.cancelled", "export.col.expired"}

const countryAttended = "export.col.attended"

// countsSheet adds a sheet of the counts of groups (countries or
// delegations), one row each, and the event's total.
func (x *XLSX) countsSheet(name, codeHeader, nameHeader string, groups []group, st *store.Stats) error {
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	if err := printSetup(x.f, name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	headers := []string{x.l.T(codeHeader, nil), x.l.T(nameHeader, nil)}
	for _, id := range countHeaders {
		headers = append(headers, x.l.T(id, nil))
	}
	headers = append(headers, domain.DateStrings(st.Days)...)
	headers = append(headers, x.l.T(countryAttended, nil))
	total := x.l.T("export.total", nil)
	row := func(code, name string, c *store.Counts) []any {
		out := []any{code, name, c.Registered, c.Confirmed, c.Pending, c.Waitlisted, c.Cancelled, c.Expired}
		for _, d := range st.Days {
			out = append(out, c.AttendedByDay[d])
		}
		return append(out, c.Attended)
	}
	rows := make([][]any, 0, len(groups))
	nameWidth := textWidth(total)
	for _, g := range groups {
		nameWidth = max(nameWidth, textWidth(g.name))
		rows = append(rows, row(g.code, g.name, g.counts))
	}
	nameCol := 0.0
	for i := len(headers) - 1; i >= 0; i-- { // see begin
		h := headers[i]
		col, width, style := i+1, fitWidth(h, 6, 0), x.style.number
		switch i {
		case 0:
			width, style = fitWidth(h, 2, 0), x.style.text
		case 1:
			width, style = fitWidth(h, nameWidth, 30), x.style.text
			nameCol = width
		}
		if err := sw.SetColWidth(col, col, width); err != nil {
			return err
		}
		if err := sw.SetColStyle(col, col, style); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	head := x.headerCells(headers)
	for i := 2; i < len(head); i++ { // the counts
		head[i] = excelize.Cell{StyleID: x.style.headerNum, Value: headers[i]}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	r := 1
	for _, cells := range rows {
		r++
		lines := wrappedLines(cells[1].(string), nameCol)
		if err := sw.SetRow(fmt.Sprintf("A%d", r), cells, excelize.RowOpts{Height: rowHeight(lines)}); err != nil {
			return err
		}
	}
	totals := row("", total, &st.Total)
	for i, v := range totals {
		totals[i] = excelize.Cell{StyleID: x.style.total, Value: v}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", r+1), totals); err != nil {
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

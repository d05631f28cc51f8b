package export

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"

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
// headers, country names). The attendee rows are encoded and deflated into
// a temporary file as they come (sheetRows), the rest of the workbook goes
// through excelize (its stream writer for the sheets), and the zip is
// written to the writer at Close, at the end. Text is always written as
// text cells, times as real date-time cells holding the event's local time
// (spreadsheets have no time zones).
//
// A streamed sheet's column widths come before its first row, so the
// attendee sheet's header waits for the end of the first batch: the
// columns are made as wide as the header and that batch's values need, up
// to each column's limit, past which text wraps. Both sheets print
// landscape, one page wide, with the header row on every page.
//
// While a workbook is built and written, the garbage collector's target is
// lowered (XLSXOptions.GCPercent), which bounds the memory it takes.
type XLSX struct {
	out    io.Writer
	opts   XLSXOptions
	f      *excelize.File
	sw     *excelize.StreamWriter
	l      *i18n.Localizer
	sheet  string // the attendee sheet's name
	rows   int    // rows written to it, header included; 0 until the first batch ends
	style  styles
	cols   []Column
	first  [][]Cell   // the first batch's rows, until the columns are measured
	data   *sheetRows // the rows after the header, from the first batch's end on
	widths []float64  // of the text columns, which wrap; 0 for the others
	done   bool       // the temporary files are gone and the GC target restored
}

// XLSXOptions are what a workbook needs besides its rows.
type XLSXOptions struct {
	// Summary reads the event's statistics for the By country, By
	// delegation and Answers sheets, once every row is written.
	Summary func() (*store.Stats, error)
	// Event names the questions and options of the Answers sheet in the
	// workbook's language; without it they keep the statistics' English.
	Event *domain.Event
	// GCPercent is GOGC while the workbook is built and written; 0 leaves
	// the collector alone (see gcTarget).
	GCPercent int
}

// NewXLSX starts a workbook in l's language, to be written to w at Close.
func NewXLSX(w io.Writer, l *i18n.Localizer, opts XLSXOptions) (*XLSX, error) {
	gcTarget.enter(opts.GCPercent)
	x := &XLSX{out: w, opts: opts, f: excelize.NewFile(), l: l, sheet: l.T("export.sheet.attendees", nil)}
	if err := x.start(); err != nil {
		x.Discard() // the start error is the one worth reporting
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
	return x.sw.SetPanes(frozenHeader)
}

// Header takes the columns; they are written with the first batch.
func (x *XLSX) Header(cols []Column) error {
	x.cols = cols
	return nil
}

// begin sets the attendee sheet's column widths and styles from its
// headers and the first batch of rows (none for an empty list), and writes
// the header row and those rows.
func (x *XLSX) begin() error {
	x.widths = make([]float64, len(x.cols))
	// excelize writes the columns in the reverse order of these calls, and
	// Excel wants them in ascending order.
	for i := len(x.cols) - 1; i >= 0; i-- {
		c := &x.cols[i]
		col, width, style := i+1, max(dateWidth, headerWidth(c.Heading)), x.style.when
		if !c.Time {
			content := 0.0
			for _, row := range x.first {
				content = max(content, textWidth(row[i].Text))
			}
			width, style = fitWidth(c.Heading, content, c.Widest), x.style.text
			x.widths[i] = width
		}
		if err := x.sw.SetColWidth(col, col, width); err != nil {
			return err
		}
		// The column's style is the font, and wrapping, of cells a
		// spreadsheet adds to it; the rows' cells name theirs
		// (sheetRows), as a cell without a style has the default one.
		if err := x.sw.SetColStyle(col, col, style); err != nil {
			return err
		}
	}
	headers := make([]string, len(x.cols))
	for i, c := range x.cols {
		headers[i] = c.Heading
	}
	if err := x.sw.SetRow("A1", x.headerCells(headers)); err != nil {
		return err
	}
	x.rows = 1
	var err error
	if x.data, err = newSheetRows("", x.cols, x.style.text, x.style.when); err != nil {
		return err
	}
	first := x.first
	x.first = nil
	for _, row := range first {
		if err := x.row(row); err != nil {
			return err
		}
	}
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

// Row adds a row to the attendee sheet. The rows of the first batch wait
// until it ends, to measure the columns.
func (x *XLSX) Row(cells []Cell) error {
	if x.rows == 0 {
		x.first = append(x.first, append([]Cell(nil), cells...))
		return nil
	}
	return x.row(cells)
}

func (x *XLSX) row(cells []Cell) error {
	lines := 1
	for j := range cells {
		if text := cells[j].Text; text != "" && !x.cols[j].Time {
			lines = max(lines, wrappedLines(text, x.widths[j]))
		}
	}
	x.rows++
	if x.rows > excelize.TotalRows {
		return fmt.Errorf("export: xlsx row %d: %w", x.rows, excelize.ErrMaxRows)
	}
	return x.data.row(x.rows, rowHeight(lines), x.cols, cells)
}

// Flush ends a batch: after the first, the columns are measured and its
// rows written.
func (x *XLSX) Flush() error {
	if x.rows > 0 {
		return nil
	}
	if err := x.begin(); err != nil {
		return fmt.Errorf("export: xlsx header: %w", err)
	}
	return nil
}

// Close finishes the workbook, writes it to the writer and removes its
// temporary files. An error wrapping ErrTempFiles comes after the whole
// workbook was written.
func (x *XLSX) Close() error {
	err := x.finish()
	if err == nil {
		err = x.writeTo(x.out)
	}
	if err != nil {
		x.Discard()
		return err
	}
	x.done = true
	gcTarget.leave()
	if err := x.removeTemp(); err != nil {
		return fmt.Errorf("%w: %w", ErrTempFiles, err)
	}
	return nil
}

// removeTemp removes the rows' temporary file and excelize's.
func (x *XLSX) removeTemp() error {
	var err error
	if x.data != nil {
		err = x.data.remove()
	}
	return errors.Join(err, x.f.Close())
}

// ErrTempFiles is a failure to remove a workbook's temporary files once it
// was written whole: the file is good, the disk keeps what it should not.
var ErrTempFiles = errors.New("export: xlsx: temporary files")

// finish closes the attendee sheet with an autofilter over its rows and
// adds the By country, By delegation and (when the event asks questions
// answered by choosing) Answers sheets from the event's statistics.
func (x *XLSX) finish() error {
	if err := x.Flush(); err != nil { // no batch ended: the rows there are, or the header row only
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(x.cols), x.rows)
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
	st, err := x.opts.Summary()
	if err != nil {
		return err
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

// streamSheet adds the sheet name, set up for print, and opens it for
// streaming; the print setup has to come before the stream opens.
func (x *XLSX) streamSheet(name string) (*excelize.StreamWriter, error) {
	if _, err := x.f.NewSheet(name); err != nil {
		return nil, err
	}
	if err := printSetup(x.f, name); err != nil {
		return nil, err
	}
	return x.f.NewStreamWriter(name)
}

// countsSheet adds a sheet of the counts of groups (countries or
// delegations), one row each, and the event's total.
func (x *XLSX) countsSheet(name, codeHeader, nameHeader string, groups []group, st *store.Stats) error {
	sw, err := x.streamSheet(name)
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

// writeTo writes the finished workbook to w as it is zipped. excelize's
// own WriteTo first builds the whole file in memory (11 MB for 100,000
// rows, on top of the sheets' buffers); its zip writer hook lets the zip go
// straight to w instead, leaving WriteToBuffer's buffer empty, and puts
// the attendee rows into their sheet (spliceZip). The parts are deflated at
// flate.BestSpeed: the sheet XML is repetitive, so the file is barely
// larger and zipping takes a fraction of the time (docs/PERFORMANCE.md).
// The workbook never needs zip64 (that is only for parts over 4 GB), which
// is the one thing excelize does with the buffer.
func (x *XLSX) writeTo(w io.Writer) error {
	buf := bufio.NewWriterSize(w, responseBuffer)
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(buf)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return &spliceZip{Writer: zw, part: attendeePart, rows: x.data}
	})
	if _, err := x.f.WriteToBuffer(); err != nil {
		return fmt.Errorf("export: xlsx write: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("export: xlsx write: %w", err)
	}
	return nil
}

// Discard removes the workbook's temporary files, and gives the garbage
// collector its target back; Close does so too.
func (x *XLSX) Discard() {
	if x.done {
		return
	}
	x.done = true
	_ = x.removeTemp() // after a failure, which is the error worth reporting
	gcTarget.leave()
}

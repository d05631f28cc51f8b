package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Column is one column of the attendee list as a format receives it.
type Column struct {
	Heading string // in the list's language
	Time    bool   // the column holds date-times; otherwise text
	// Widest is how wide a text column may grow, in a spreadsheet's width
	// units, before its text wraps instead; 0 for no bound.
	Widest float64
}

// Cell is one value of a row: Text in a text column, At in a date-time
// column, already in the event's time zone (the zero time is an empty
// cell).
type Cell struct {
	Text string
	At   time.Time
}

// Format is a file format of the attendee list. A Writer calls Header
// once, before any row; Row for each registration, in order; Flush at the
// end of each batch of rows; then Close, which completes the file on the
// format's writer, or Discard when the list could not be read to its end.
//
// A format that streams (CSV) sends its rows on at each Flush. One that
// must see every row first (a workbook) builds the file and writes it at
// Close; it may measure its columns by the rows of the first batch. A
// format may not keep the cells slice Row is given.
type Format interface {
	Header(cols []Column) error
	Row(cells []Cell) error
	Flush() error
	Close() error
	// Discard releases what the format holds, without writing the file.
	Discard()
}

// Writer turns an event's registrations into the attendee list, the same
// for every format: the columns in the list's language, a column per event
// day with the check-in time, participants' text neutralized, times in the
// event's time zone. It is the one row loop of every export.
type Writer struct {
	f       Format
	cols    []column // the event's columns before the days
	l       *i18n.Localizer
	loc     *time.Location
	days    []domain.Date
	cells   []Cell
	started bool
	// names holds, for each column with a code, the names of the codes
	// met so far.
	names map[int]map[string]string
}

// NewWriter writes ev's attendee list in l's language in format f.
func NewWriter(f Format, ev *domain.Event, l *i18n.Localizer) *Writer {
	days, cols := ev.Days(), columnsOf(ev, l)
	return &Writer{f: f, cols: cols, l: l, loc: ev.Location(), days: days, cells: make([]Cell, len(cols)+len(days))}
}

// start gives the format the header, once. It waits for the first batch
// (or for Close), so that nothing is written before the first rows have
// been read: an export that fails at once can still be answered with an
// error rather than a broken file.
func (w *Writer) start() error {
	if w.started {
		return nil
	}
	w.started = true
	cols := make([]Column, 0, len(w.cols)+len(w.days))
	for i := range w.cols {
		c := &w.cols[i]
		cols = append(cols, Column{Heading: c.heading(w.l), Time: c.at != nil, Widest: c.widest})
	}
	for _, d := range w.days {
		cols = append(cols, Column{Heading: d.String(), Time: true})
	}
	return w.f.Header(cols)
}

// Write adds a batch of registrations, a row each, and ends the batch.
func (w *Writer) Write(batch []store.Attendee) error {
	if err := w.start(); err != nil {
		return err
	}
	for i := range batch {
		a := &batch[i]
		for j := range w.cols {
			col := &w.cols[j]
			if col.at != nil {
				w.cells[j] = Cell{At: w.local(col.at(a))}
			} else {
				w.cells[j] = Cell{Text: w.text(j, a)}
			}
		}
		for j, d := range w.days {
			w.cells[len(w.cols)+j] = Cell{At: w.local(checkinAt(a, d))}
		}
		if err := w.f.Row(w.cells); err != nil {
			return err
		}
	}
	return w.f.Flush()
}

// text is column j's cell for a, the name of its code looked up once.
func (w *Writer) text(j int, a *store.Attendee) string {
	col := &w.cols[j]
	if col.code == nil {
		return col.cellText(a, w.l)
	}
	code := col.code(a)
	if name, ok := w.names[j][code]; ok {
		return name
	}
	if w.names == nil {
		w.names = map[int]map[string]string{}
	}
	if w.names[j] == nil {
		w.names[j] = map[string]string{}
	}
	name := col.cellText(a, w.l)
	w.names[j][code] = name
	return name
}

// local is t in the event's time zone, or the zero time for nil.
func (w *Writer) local(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.In(w.loc)
}

// Close completes the file: the header alone when no registration matched.
func (w *Writer) Close() error {
	if err := w.start(); err != nil {
		w.f.Discard()
		return err
	}
	return w.f.Close()
}

// Discard gives up the file after a failure.
func (w *Writer) Discard() { w.f.Discard() }

// Source is where an attendee list's registrations and statistics come
// from: the store.
type Source interface {
	EachAttendee(ctx context.Context, eventID int64, days []domain.Date, f store.RegistrationFilter, batch int, fn func([]store.Attendee) error) error
	EventStats(ctx context.Context, ev *domain.Event) (*store.Stats, error)
}

// Options are the settings of an export.
type Options struct {
	// GCPercent is the garbage collector's target while a workbook is built
	// and written (EXPORT_GC_PERCENT); 0 leaves the collector alone.
	GCPercent int
}

// ContentType is the media type of a format named in a URL ("csv" or
// "xlsx"); ok is false for any other name.
func ContentType(format string) (mediaType string, ok bool) {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8", true
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true
	}
	return "", false
}

// Export writes the attendee list of ev's registrations that f matches
// (paging aside) to out in format, in l's language. Rows come from src a
// batch at a time, so the list streams with flat memory whatever its size.
// Nothing is written to out before the first batch has been read (CSV) or
// the whole workbook built (XLSX), so a caller whose out is still empty
// after an error can answer it instead.
func Export(ctx context.Context, src Source, out io.Writer, format string, ev *domain.Event, f store.RegistrationFilter,
	l *i18n.Localizer, opts Options) error {
	var (
		fm  Format
		err error
	)
	switch format {
	case "csv":
		fm = NewCSV(out)
	case "xlsx":
		fm, err = NewXLSX(out, l, XLSXOptions{GCPercent: opts.GCPercent, Event: ev,
			Summary: func() (*store.Stats, error) { return src.EventStats(ctx, ev) }})
	default:
		err = fmt.Errorf("export: no format %q", format)
	}
	if err != nil {
		return err
	}
	w := NewWriter(fm, ev, l)
	if f.IncludeVisa {
		w.withVisa()
	}
	f.Cursor, f.Limit = "", 0 // paging belongs to the list; an export has every match
	o := newOverlap(w.Write)
	err = src.EachAttendee(ctx, ev.ID, ev.Days(), f, store.DefaultExportBatch, o.add)
	if werr := o.wait(); werr != nil {
		err = werr // the reading stopped for it (errWriteFailed), or failed meanwhile
	}
	if err != nil {
		w.Discard()
		return err
	}
	return w.Close()
}

// withVisa adds the passport columns (visaColumns) before the days', for
// an export that asked for them; it must come before the first Write.
func (w *Writer) withVisa() {
	w.cols = append(w.cols, visaColumns...)
	w.cells = make([]Cell, len(w.cols)+len(w.days))
}

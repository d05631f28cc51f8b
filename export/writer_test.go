package export_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/store"
)

// tableFormat is the simplest format there is: it keeps the list as the
// table of cells any format receives, and what the writer called.
type tableFormat struct {
	events []string // what the writer called, in order
	header []export.Column
	rows   [][]export.Cell
	failAt int // fail the Row of this row number (from 1), 0 never
}

func (f *tableFormat) Header(cols []export.Column) error {
	f.events = append(f.events, "header")
	f.header = cols
	return nil
}

func (f *tableFormat) Row(cells []export.Cell) error {
	f.events = append(f.events, "row")
	f.rows = append(f.rows, append([]export.Cell(nil), cells...))
	if len(f.rows) == f.failAt {
		return errors.New("row refused")
	}
	return nil
}

func (f *tableFormat) Flush() error { f.events = append(f.events, "flush"); return nil }
func (f *tableFormat) Close() error { f.events = append(f.events, "close"); return nil }
func (f *tableFormat) Discard()     { f.events = append(f.events, "discard") }

// A format gets the header with the first batch, a row per registration
// with its text neutralized and its times in the event's zone, a flush
// per batch, and the close; that loop is the Writer's, whatever the format.
func TestWriterGivesEveryFormatTheSameRows(t *testing.T) {
	f := &tableFormat{}
	w := export.NewWriter(f, workshop(), localizer(t, "ru"))
	if len(f.events) != 0 {
		t.Fatalf("the writer called %v before any batch", f.events)
	}
	rows := attendees()
	if err := w.Write(rows[:1]); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rows[1:]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.events, " "); got != "header row flush row flush close" {
		t.Errorf("calls %q, want header row flush row flush close", got)
	}
	var headings []string
	for _, c := range f.header {
		headings = append(headings, c.Heading)
	}
	if got := strings.Join(headings[:3], "|") + "…" + strings.Join(headings[len(headings)-2:], "|"); got != "ID|Статус|Имя…2019-05-30|2019-05-31" {
		t.Errorf("headings %q", headings)
	}
	for i, c := range f.header {
		if want := i >= 16 && i != 19; c.Time != want {
			t.Errorf("column %d (%s): Time %v, want %v", i, c.Heading, c.Time, want)
		}
	}
	if len(f.rows) != 2 || len(f.rows[0]) != len(f.header) {
		t.Fatalf("%d rows of %d cells for %d columns", len(f.rows), len(f.rows[0]), len(f.header))
	}
	if got := f.rows[1][12].Text; got != `'=HYPERLINK("http://x")` {
		t.Errorf("organization %q, want it neutralized", got)
	}
	if got := f.rows[0][9].Text; got != "Узбекистан" {
		t.Errorf("country %q, want its Russian name", got)
	}
	at := f.rows[0][20].At
	if at.Format("2006-01-02 15:04 -07:00") != "2019-05-30 08:41 +05:00" {
		t.Errorf("first day's check-in %v, want 08:41 in Tashkent", at)
	}
	if !f.rows[1][20].At.IsZero() || !f.rows[1][17].At.IsZero() {
		t.Errorf("no check-in and no confirmation should be empty cells: %v, %v", f.rows[1][20].At, f.rows[1][17].At)
	}
}

func TestWriterOfNoRowsGivesTheHeaderAlone(t *testing.T) {
	f := &tableFormat{}
	if err := export.NewWriter(f, workshop(), localizer(t, "en")).Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.events, " "); got != "header close" {
		t.Errorf("calls %q, want header close", got)
	}
}

func TestWriterStopsAtARefusedRow(t *testing.T) {
	f := &tableFormat{failAt: 1}
	w := export.NewWriter(f, workshop(), localizer(t, "en"))
	if err := w.Write(attendees()); err == nil {
		t.Fatal("a refused row went unreported")
	}
	w.Discard()
	if got := strings.Join(f.events, " "); got != "header row discard" {
		t.Errorf("calls %q, want header row discard", got)
	}
}

// Export reads the rows through the source given, a batch at a time.
func TestExportReadsEveryRowFromTheSource(t *testing.T) {
	var out strings.Builder
	src := &batches{rows: attendees()}
	if err := export.Export(t.Context(), src, &out, "csv", workshop(), store.RegistrationFilter{Cursor: "x", Limit: 3},
		localizer(t, "en"), export.Options{}); err != nil {
		t.Fatal(err)
	}
	if src.filter.Cursor != "" || src.filter.Limit != 0 {
		t.Errorf("the export asked for a page (%+v); it has every match", src.filter)
	}
	if n := strings.Count(out.String(), "\r\n"); n != 3 {
		t.Errorf("%d lines, want the header and two rows:\n%s", n, out.String())
	}
	if err := export.Export(t.Context(), src, &out, "pdf", workshop(), store.RegistrationFilter{}, localizer(t, "en"), export.Options{}); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// batches serves rows one at a time, as the store serves them a batch at a time.
type batches struct {
	rows   []store.Attendee
	filter store.RegistrationFilter
}

func (b *batches) EachAttendee(_ context.Context, _ int64, _ []domain.Date, f store.RegistrationFilter, _ int, fn func([]store.Attendee) error) error {
	b.filter = f
	for i := range b.rows {
		if err := fn(b.rows[i : i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (b *batches) EventStats(context.Context, *domain.Event) (*store.Stats, error) {
	return &store.Stats{}, nil
}

// Export writes a batch while the next is read; the store reuses its batch
// slice for the next batch, so what is written must not change with it.
func TestExportWritesEachBatchAsItWasRead(t *testing.T) {
	var out strings.Builder
	src := &reusedBatch{template: attendees()[0], n: 300}
	if err := export.Export(t.Context(), src, &out, "csv", workshop(), store.RegistrationFilter{}, localizer(t, "en"), export.Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\r\n"), "\r\n")[1:]
	if len(lines) != src.n {
		t.Fatalf("%d rows, want %d", len(lines), src.n)
	}
	for i, line := range lines {
		if want := fmt.Sprintf("person%d@example.org", i); !strings.Contains(line, want) {
			t.Fatalf("row %d is %q, want %s's", i+1, line, want)
		}
	}
}

// Export stops reading once a batch cannot be written, and says why.
func TestExportStopsReadingWhenWritingFails(t *testing.T) {
	src := &reusedBatch{template: attendees()[0], n: 300}
	err := export.Export(t.Context(), src, failingWriter{}, "csv", workshop(), store.RegistrationFilter{}, localizer(t, "en"), export.Options{})
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("error %v, want the writer's", err)
	}
	if src.read >= src.n {
		t.Errorf("all %d rows were read after the writing had failed", src.read)
	}
}

// reusedBatch serves n people one at a time, in one slice it overwrites for
// each, as the store reuses its batch.
type reusedBatch struct {
	template store.Attendee
	n, read  int
}

func (b *reusedBatch) EachAttendee(_ context.Context, _ int64, _ []domain.Date, _ store.RegistrationFilter, _ int, fn func([]store.Attendee) error) error {
	batch := make([]store.Attendee, 1)
	for i := range b.n {
		reg := *b.template.Registration
		reg.Email = fmt.Sprintf("person%d@example.org", i)
		batch[0] = store.Attendee{Registration: &reg}
		b.read++
		if err := fn(batch); err != nil {
			return err
		}
	}
	return nil
}

func (b *reusedBatch) EventStats(context.Context, *domain.Event) (*store.Stats, error) {
	return &store.Stats{}, nil
}

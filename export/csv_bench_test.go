package export_test

import (
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/store"
)

// benchAttendees is a batch as the export reads it from the store: typical
// participants of a two-day event, most checked in on both days.
func benchAttendees(n int, ev *domain.Event) []store.Attendee {
	out := make([]store.Attendee, n)
	at := time.Date(2031, time.April, 1, 9, 0, 0, 0, time.UTC)
	for i := range out {
		confirmed := at.Add(time.Hour)
		reg := &domain.Registration{
			ID: "7f1c6a52-3d4e-4f7a-9b1c-" + strconv.Itoa(100000000000+i), Status: domain.StatusConfirmed,
			FirstName: "Дилноза", LastName: "Oʻktamova " + strconv.Itoa(i), Email: "participant" + strconv.Itoa(i) + "@example.org",
			Phone: "+998712345678", Country: "UZ", Organization: "Ministry of Digital Technologies, department " + strconv.Itoa(i%500),
			Position: "Chief specialist", Role: "expert", Language: "ru", Days: ev.Days(),
			CheckinCode: "ABCD2345", ConsentAt: at, CreatedAt: at, ConfirmedAt: &confirmed,
		}
		var checkins []store.DayCheckin
		if i%5 != 0 {
			checkins = append(checkins, store.DayCheckin{Day: ev.StartsOn, At: time.Date(2031, time.May, 30, 4, 12, 0, 0, time.UTC)})
		}
		if i%3 != 0 {
			checkins = append(checkins, store.DayCheckin{Day: ev.EndsOn, At: time.Date(2031, time.May, 31, 4, 2, 0, 0, time.UTC)})
		}
		out[i] = store.Attendee{Registration: reg, Checkins: checkins}
	}
	return out
}

func benchEvent() *domain.Event {
	return &domain.Event{ID: 1, Slug: "bench", Title: "Bench", Country: "UZ", Timezone: "Asia/Tashkent",
		StartsOn: domain.NewDate(2031, time.May, 30), EndsOn: domain.NewDate(2031, time.May, 31),
		DayStartsAt: "09:00", DayEndsAt: "18:00", Languages: []string{"en"}}
}

// BenchmarkCSVWrite encodes one batch of 1,000 rows as the CSV export does
// (the export writes and flushes a batch per store page); ns/row and
// allocs/row are per registration. Run with `make bench-go`.
func BenchmarkCSVWrite(b *testing.B) {
	const batch = 1000
	ev := benchEvent()
	rows := benchAttendees(batch, ev)
	w := export.NewWriter(export.NewCSV(io.Discard), ev, localizer(b, "en"))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := w.Write(rows); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportPerRow(b, n*batch)
}

// BenchmarkXLSXWrite streams one batch of 1,000 rows into the workbook's
// attendee sheet, as the XLSX export does. Run with `make bench-go`.
// A sheet holds 1,048,576 rows at most: the rows go to a new workbook
// after every 100 batches, as an export of 100,000 registrations.
func BenchmarkXLSXWrite(b *testing.B) {
	const batch, batches = 1000, 100
	ev := benchEvent()
	rows := benchAttendees(batch, ev)
	var w *export.Writer
	start := func() {
		x, err := export.NewXLSX(io.Discard, localizer(b, "en"), export.XLSXOptions{})
		if err != nil {
			b.Fatal(err)
		}
		w = export.NewWriter(x, ev, localizer(b, "en"))
	}
	start()
	defer func() { w.Discard() }()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if n > 0 && n%batches == 0 {
			b.StopTimer()
			w.Discard()
			start()
			b.StartTimer()
		}
		if err := w.Write(rows); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportPerRow(b, n*batch)
}

// reportPerRow adds the time per row, rows being all rows written.
func reportPerRow(b *testing.B, rows int) {
	if rows > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

func TestEachAttendeeWalksInBatchesWithCheckins(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	specs := []attendeeSpec{
		{first: "Дилноза", last: "Юсупова", email: "dilnoza@example.uz", country: "UZ", role: "researcher", confirmed: true},
		{first: "Oʻktam", last: "Ergashev", email: "oktam@example.uz", country: "UZ", role: "practitioner", confirmed: true},
		{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true},
		{first: "Бакыт", last: "Асанов", email: "bakyt@example.kg", country: "KG", role: "expert"},
		{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", role: "expert", confirmed: true},
		{first: "Armen", last: "Petrosyan", email: "armen@example.am", country: "AM", role: "speaker", confirmed: true},
		{first: "Malika", last: "Rahimova", email: "malika@example.uz", country: "UZ", role: "student"},
	}
	var regs []*domain.Registration
	for i, s := range specs {
		s.at = r.now.Add(time.Duration(i-len(specs)) * time.Hour)
		regs = append(regs, r.register(r.ev, s))
	}
	day1 := r.checkIn(regs[0], workshopDay1)
	r.now = r.now.Add(24 * time.Hour)
	day2 := r.checkIn(regs[0], workshopDay2)
	onlyDay2 := r.checkIn(regs[5], workshopDay2)
	other := r.event(r.org, "another-workshop", 0)
	r.register(other, attendeeSpec{first: "Claire", last: "Dubois", email: "claire@example.org", country: "FR", role: "expert"})

	var (
		sizes []int
		got   []store.Attendee
	)
	err := r.st.EachAttendee(r.ctx, r.ev.ID, r.ev.Days(), store.RegistrationFilter{Cursor: "ignored"}, 3, func(batch []store.Attendee) error {
		sizes = append(sizes, len(batch))
		got = append(got, batch...) // the elements are values; the slice itself is reused
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[3 3 1]" {
		t.Errorf("batch sizes %v, want [3 3 1]", sizes)
	}
	if len(got) != len(regs) {
		t.Fatalf("%d rows, want %d", len(got), len(regs))
	}
	for i, a := range got {
		if a.ID != regs[i].ID {
			t.Errorf("row %d is %s, want %s (registration order)", i, a.Email, regs[i].Email)
		}
	}
	at := func(a store.Attendee, day domain.Date, want time.Time) bool {
		got, ok := a.CheckedIn(day)
		return ok && got.Equal(want)
	}
	if a := got[0]; len(a.Checkins) != 2 || !at(a, workshopDay1, day1.CheckedInAt) || !at(a, workshopDay2, day2.CheckedInAt) ||
		a.Checkins[0].Day != workshopDay1 {
		t.Errorf("first row's check-ins = %v, want both days in order", a.Checkins)
	}
	if a := got[5]; len(a.Checkins) != 1 || !at(a, workshopDay2, onlyDay2.CheckedInAt) {
		t.Errorf("sixth row's check-ins = %v, want the second day", a.Checkins)
	}
	if c := got[1].Checkins; len(c) != 0 {
		t.Errorf("second row's check-ins = %v, want none", c)
	}
}

// TestEachAttendeeOutlivesTheStatementTimeout walks a list more slowly than
// DB_STATEMENT_TIMEOUT allows one statement, as a workbook of many rows or a
// slow download does: the export's query must not be cancelled by it.
func TestEachAttendeeOutlivesTheStatementTimeout(t *testing.T) {
	t.Parallel()
	plain := pgtest.NewDB(t)
	var name string
	if err := plain.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pgtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := store.Open(context.Background(), store.WithTimeouts(u.String(), 100*time.Millisecond), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := newAttendanceRigOn(t, db, 0)
	// Enough rows (about 10 MB) that the server is still sending while
	// the walk dawdles, rather than done before the first batch.
	const n = 20_000
	if _, err := plain.Exec(`
		INSERT INTO registrations (event_id, status, first_name, last_name, email, country, organization,
			role, language, days, checkin_code, consent_at, created_at)
		SELECT $1, 'pending', 'Nodira', repeat('Rahimova-', 30) || g, 'p' || g || '@example.uz', 'UZ',
			repeat('Ministry of Digital Technologies ', 5), 'expert', 'ru', ARRAY[$3::date], 'C' || lpad(g::text, 7, '0'), now(), now()
		FROM generate_series(1, $2) g`, r.ev.ID, n, r.ev.StartsOn.String()); err != nil {
		t.Fatal(err)
	}
	rows := 0
	err = r.st.EachAttendee(r.ctx, r.ev.ID, r.ev.Days(), store.RegistrationFilter{}, n/4, func(batch []store.Attendee) error {
		rows += len(batch)
		time.Sleep(150 * time.Millisecond) // longer than the statement timeout, each batch
		return nil
	})
	if err != nil || rows != n {
		t.Fatalf("walk: %d rows, err %v; want %d rows and no error", rows, err, n)
	}
	var timeout string
	if err := db.Get(&timeout, `SHOW statement_timeout`); err != nil || timeout != "100ms" {
		t.Errorf("statement_timeout after the walk = %q (%v), want the connection's 100ms back", timeout, err)
	}
}

func TestEachAttendeeAppliesTheListFilters(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	for i, s := range []attendeeSpec{
		{first: "Дилноза", last: "Юсупова", email: "dilnoza@example.uz", country: "UZ", role: "researcher", confirmed: true},
		{first: "Oʻktam", last: "Ergashev", email: "oktam@example.uz", country: "UZ", role: "practitioner"},
		{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true},
	} {
		s.at = r.now.Add(time.Duration(i) * time.Minute)
		r.register(r.ev, s)
	}
	tests := []struct {
		name   string
		filter store.RegistrationFilter
		want   []string
	}{
		{"status", store.RegistrationFilter{Status: "confirmed"}, []string{"dilnoza@example.uz", "kadri@example.ee"}},
		{"country", store.RegistrationFilter{Country: "uz"}, []string{"dilnoza@example.uz", "oktam@example.uz"}},
		{"a Cyrillic search", store.RegistrationFilter{Query: "юсуп"}, []string{"dilnoza@example.uz"}},
		{"an Uzbek search", store.RegistrationFilter{Query: "Oʻktam"}, []string{"oktam@example.uz"}},
		{"all of them at once", store.RegistrationFilter{Status: "pending", Country: "UZ", Query: "oktam"}, []string{"oktam@example.uz"}},
		{"nothing matching", store.RegistrationFilter{Country: "AM"}, nil},
	}
	for _, tt := range tests {
		t.Run("the "+tt.name+" filter applies", func(t *testing.T) {
			var emails []string
			err := r.st.EachAttendee(r.ctx, r.ev.ID, r.ev.Days(), tt.filter, 0, func(batch []store.Attendee) error {
				for _, a := range batch {
					emails = append(emails, a.Email)
				}
				return nil
			})
			if err != nil || fmt.Sprint(emails) != fmt.Sprint(tt.want) {
				t.Errorf("rows %v (%v), want %v", emails, err, tt.want)
			}
		})
	}
	t.Run("an error from the callback stops the walk", func(t *testing.T) {
		stop := errors.New("client went away")
		calls := 0
		err := r.st.EachAttendee(r.ctx, r.ev.ID, r.ev.Days(), store.RegistrationFilter{}, 1, func([]store.Attendee) error {
			calls++
			return stop
		})
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("err %v after %d calls, want the callback's error after 1", err, calls)
		}
	})
}

// BenchmarkExport100k exports an event of 100,000 registrations, each
// checked in on both days, as CSV and XLSX through the store and the
// writers, and reports the peak live heap seen while it ran. It needs a
// PostgreSQL server like the tests, and runs only with -bench:
//
//	go test -run '^$' -bench Export100k -benchtime 1x ./store
func BenchmarkExport100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	db := pgtest.NewDB(b)
	st := store.New(db)
	org, err := domain.NewOrganizer("bench@example.org", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreateOrganizer(ctx, org); err != nil {
		b.Fatal(err)
	}
	ev, err := domain.NewRules().NewEvent(domain.EventInput{
		Slug: domain.Some("egov-big"), Title: domain.Some("A very large workshop"),
		Country: domain.Some("UZ"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreateEvent(ctx, org.ID, ev); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country, organization,
			position, role, language, days, checkin_code, consent_at, created_at, confirmed_at)
		SELECT $1, 'confirmed', 'Участник', 'Oʻktamov ' || g, 'participant' || g || '@example.org',
			'+99871' || lpad(g::text, 7, '0'), (ARRAY['UZ', 'KZ', 'KG', 'AM', 'AZ', 'EE', 'GE'])[1 + g % 7],
			'Ministry of Digital Technologies, department ' || g % 500, 'Chief specialist',
			(ARRAY['expert', 'practitioner', 'researcher', 'student'])[1 + g % 4], 'ru',
			ARRAY['2019-05-30', '2019-05-31']::date[], upper(lpad(to_hex(g), 8, 'x')), at, at, at
		FROM generate_series(1, $2) g,
			LATERAL (SELECT timestamptz '2019-04-01 09:00+05' + g * interval '10 seconds' AS at) t`, ev.ID, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
		INSERT INTO checkins (registration_id, event_id, day, checked_in_at, checked_in_by)
		SELECT r.id, r.event_id, d, (d + time '08:30') AT TIME ZONE 'Asia/Tashkent' + (random() * interval '1 hour'), $2
		FROM registrations r, unnest(ARRAY['2019-05-30', '2019-05-31']::date[]) d
		WHERE r.event_id = $1`, ev.ID, org.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE registrations; ANALYZE checkins`); err != nil {
		b.Fatal(err)
	}
	bundle, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	english := bundle.Localizer("en")

	// each writes the list through w, reading it as the export does.
	each := func(w *export.Writer) (int, error) {
		rows := 0
		err := st.EachAttendee(ctx, ev.ID, ev.Days(), store.RegistrationFilter{}, store.DefaultExportBatch, func(batch []store.Attendee) error {
			rows += len(batch)
			return w.Write(batch)
		})
		if err != nil {
			w.Discard()
			return rows, err
		}
		return rows, w.Close()
	}
	exports := map[string]func(out io.Writer) (int, error){
		"csv": func(out io.Writer) (int, error) {
			return each(export.NewWriter(export.NewCSV(out), ev, english))
		},
		"xlsx": func(out io.Writer) (int, error) {
			x, err := export.NewXLSX(out, english, export.XLSXOptions{Summary: func() (*store.Stats, error) {
				stats, err := st.EventStats(ctx, ev)
				if err == nil && stats.Total.Attended != n {
					err = fmt.Errorf("stats count %d attended, want %d", stats.Total.Attended, n)
				}
				return stats, err
			}})
			if err != nil {
				return 0, err
			}
			return each(export.NewWriter(x, ev, english))
		},
	}
	for _, format := range []string{"csv", "xlsx"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			var size countingWriter
			peak := watchHeap()
			for b.Loop() {
				size = 0
				rows, err := exports[format](&size)
				if err != nil {
					b.Fatal(err)
				}
				if rows != n {
					b.Fatalf("exported %d rows, want %d", rows, n)
				}
			}
			b.StopTimer()
			base, top := peak()
			b.ReportMetric(float64(top)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(top-min(base, top))/(1<<20), "heap-growth-MB")
			b.ReportMetric(float64(size)/(1<<20), "file-MB")
		})
	}
}

// countingWriter discards what it is given and counts the bytes.
type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// watchHeap samples the live heap until the returned function is called,
// which reports the heap at the start (after a GC) and the highest sample.
func watchHeap() func() (base, peak uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var (
		mu   sync.Mutex
		peak = base
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				v := read()
				mu.Lock()
				peak = max(peak, v)
				mu.Unlock()
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return base, max(peak, read())
	}
}

package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

func TestCreateEventStoresEveryField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ev := f.event(t, f.org, "egov-tashkent-2019", func(in *domain.EventInput) {
		in.Description = domain.Some("Integrated services, open data, e-participation.")
		in.Venue = domain.Some("Academy of Public Administration")
		in.City = domain.Some("Tashkent")
		in.StartsOn = domain.Some("2019-05-30")
		in.EndsOn = domain.Some("2019-05-31")
		in.DayStartsAt = domain.Some("09:30")
		in.DayEndsAt = domain.Some("17:45")
		in.Capacity = domain.Some(60)
		in.RegistrationOpensAt = domain.Some("2019-05-01T09:00:00+05:00")
		in.RegistrationClosesAt = domain.Some("2019-05-29T18:00:00+05:00")
		in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub", "Академия государственного управления"})
		in.Languages = domain.Some([]string{"ru", "en"})
		in.Published = domain.Some(false)
		in.ConfirmWithinHours = domain.Some(48)
	})
	if ev.ID == 0 || ev.CreatedAt.IsZero() {
		t.Fatalf("CreateEvent did not fill id and created_at: %+v", ev)
	}
	got, err := f.st.ManagedEvent(ctx, f.org.ID, "egov-tashkent-2019")
	if err != nil {
		t.Fatalf("ManagedEvent: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"id", got.ID, ev.ID},
		{"title", got.Title, ev.Title},
		{"description", got.Description, ev.Description},
		{"venue", got.Venue, ev.Venue},
		{"city", got.City, ev.City},
		{"country", got.Country, "UZ"},
		{"timezone", got.Timezone, "Asia/Tashkent"},
		{"starts_on", got.StartsOn.String(), "2019-05-30"},
		{"ends_on", got.EndsOn.String(), "2019-05-31"},
		{"day_starts_at", got.DayStartsAt, "09:30"},
		{"day_ends_at", got.DayEndsAt, "17:45"},
		{"capacity", *got.Capacity, 60},
		{"seats_held", got.SeatsHeld, 0},
		{"registration_opens_at", got.RegistrationOpensAt.Equal(*ev.RegistrationOpensAt), true},
		{"registration_closes_at", got.RegistrationClosesAt.Equal(*ev.RegistrationClosesAt), true},
		{"co_organizers", slices.Equal(got.CoOrganizers, ev.CoOrganizers), true},
		{"languages", slices.Equal(got.Languages, []string{"ru", "en"}), true},
		{"published", got.Published, false},
		{"confirm_within_hours", got.ConfirmWithinHours, 48},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestCreateEventRefusesATakenSlug(t *testing.T) {
	f := newFixture(t)
	f.event(t, f.org, "egov-2019", nil)
	other := f.organizer(t, "other@example.org")
	ev, err := f.rules.NewEvent(domain.EventInput{
		Slug: domain.Some("egov-2019"), Title: domain.Some("Another"), Country: domain.Some("KZ"),
		Timezone: domain.Some("Asia/Almaty"), StartsOn: domain.Some("2030-01-01"), EndsOn: domain.Some("2030-01-01"),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.st.CreateEvent(context.Background(), other.ID, ev)
	e := wantCode(t, err, domain.EConflict)
	if len(e.Fields) != 1 || e.Fields[0].Field != "slug" || e.Fields[0].Code != "unique" {
		t.Errorf("fields = %+v, want slug/unique", e.Fields)
	}
	if n := count(t, f.db, `SELECT count(*) FROM events`); n != 1 {
		t.Errorf("%d events, want 1", n)
	}
	if n := count(t, f.db, `SELECT count(*) FROM event_organizers WHERE organizer_id = $1`, other.ID); n != 0 {
		t.Errorf("the refused event left %d organizer links", n)
	}
}

func TestUpdateEvent(t *testing.T) {
	ctx := context.Background()

	t.Run("the managing organizer changes the event", func(t *testing.T) {
		f := newFixture(t)
		ev := f.event(t, f.org, "egov", nil)
		got, err := f.st.UpdateEvent(ctx, f.org.ID, "egov", func(ev *domain.Event) error {
			return f.rules.ApplyPatch(ev, domain.EventInput{Title: domain.Some("Renamed"), Capacity: domain.Some(10)})
		})
		if err != nil {
			t.Fatalf("UpdateEvent: %v", err)
		}
		if got.Title != "Renamed" || got.Capacity == nil || *got.Capacity != 10 || got.UpdatedAt.Before(ev.UpdatedAt) {
			t.Errorf("UpdateEvent returned %+v", got)
		}
		stored, err := f.st.ManagedEvent(ctx, f.org.ID, "egov")
		if err != nil {
			t.Fatal(err)
		}
		if stored.Title != "Renamed" || *stored.Capacity != 10 || stored.Country != ev.Country {
			t.Errorf("stored %q capacity %v country %q", stored.Title, stored.Capacity, stored.Country)
		}
	})

	t.Run("another organizer gets not found and changes nothing", func(t *testing.T) {
		f := newFixture(t)
		f.event(t, f.org, "egov", nil)
		other := f.organizer(t, "other@example.org")
		called := false
		_, err := f.st.UpdateEvent(ctx, other.ID, "egov", func(ev *domain.Event) error {
			called = true
			ev.Title = "Hijacked"
			return nil
		})
		wantCode(t, err, domain.ENotFound)
		if called {
			t.Error("the change function ran for an organizer who does not manage the event")
		}
		if n := count(t, f.db, `SELECT count(*) FROM events WHERE title = 'Hijacked'`); n != 0 {
			t.Error("the event was changed")
		}
	})

	t.Run("an unknown slug is not found", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.st.UpdateEvent(ctx, f.org.ID, "nope", func(*domain.Event) error { return nil })
		wantCode(t, err, domain.ENotFound)
	})

	t.Run("a validation error aborts the update", func(t *testing.T) {
		f := newFixture(t)
		f.event(t, f.org, "egov", nil)
		_, err := f.st.UpdateEvent(ctx, f.org.ID, "egov", func(ev *domain.Event) error {
			return f.rules.ApplyPatch(ev, domain.EventInput{Title: domain.Some("Renamed"), Capacity: domain.Some(0)})
		})
		wantCode(t, err, domain.EInvalid)
		if n := count(t, f.db, `SELECT count(*) FROM events WHERE title = 'Renamed'`); n != 0 {
			t.Error("a refused patch was partly saved")
		}
	})

	t.Run("a capacity below the seats held is a conflict naming them", func(t *testing.T) {
		f := newFixture(t)
		ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(5) })
		for i := range 3 {
			f.register(t, ev, person(emailOf(i)))
		}
		_, err := f.st.UpdateEvent(ctx, f.org.ID, "egov", func(ev *domain.Event) error {
			return f.rules.ApplyPatch(ev, domain.EventInput{Capacity: domain.Some(2)})
		})
		e := wantCode(t, err, domain.EConflict)
		if e.Extra["seats_held"] != 3 {
			t.Errorf("extra = %v, want seats_held 3", e.Extra)
		}
		if got := count(t, f.db, `SELECT capacity FROM events WHERE id = $1`, ev.ID); got != 5 {
			t.Errorf("capacity = %d after the refused change, want 5", got)
		}
	})

	t.Run("a capacity equal to the seats held is allowed", func(t *testing.T) {
		f := newFixture(t)
		ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(5) })
		for i := range 3 {
			f.register(t, ev, person(emailOf(i)))
		}
		got, err := f.st.UpdateEvent(ctx, f.org.ID, "egov", func(ev *domain.Event) error {
			return f.rules.ApplyPatch(ev, domain.EventInput{Capacity: domain.Some(3)})
		})
		if err != nil {
			t.Fatalf("UpdateEvent: %v", err)
		}
		if left := got.SeatsLeft(); left == nil || *left != 0 {
			t.Errorf("seats left = %v, want 0", left)
		}
	})
}

func TestEventVisibility(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past := f.event(t, f.org, "past", func(in *domain.EventInput) {
		in.StartsOn, in.EndsOn = domain.Some("2019-05-30"), domain.Some("2019-05-31")
	})
	upcoming := f.event(t, f.org, "upcoming", nil)
	f.event(t, f.org, "draft", func(in *domain.EventInput) { in.Published = domain.Some(false) })
	other := f.organizer(t, "other@example.org")
	f.event(t, other, "theirs", nil)

	t.Run("an unpublished event is not found publicly", func(t *testing.T) {
		_, err := f.st.PublishedEvent(ctx, "draft")
		wantCode(t, err, domain.ENotFound)
	})
	t.Run("an unpublished event is found by its organizer", func(t *testing.T) {
		ev, err := f.st.ManagedEvent(ctx, f.org.ID, "draft")
		if err != nil || ev.Published {
			t.Errorf("ManagedEvent(draft) = %+v, %v", ev, err)
		}
	})
	t.Run("another organizer's event is not found as managed", func(t *testing.T) {
		_, err := f.st.ManagedEvent(ctx, f.org.ID, "theirs")
		wantCode(t, err, domain.ENotFound)
	})
	t.Run("the public list hides unpublished events, soonest first", func(t *testing.T) {
		evs, err := f.st.PublishedEvents(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := slugs(evs); !slices.Equal(got, []string{past.Slug, upcoming.Slug, "theirs"}) &&
			!slices.Equal(got, []string{past.Slug, "theirs", upcoming.Slug}) {
			t.Errorf("published events = %v, want past, then the two upcoming ones", got)
		}
	})
	t.Run("the upcoming list leaves out ended events", func(t *testing.T) {
		evs, err := f.st.PublishedEvents(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := slugs(evs); slices.Contains(got, "past") || slices.Contains(got, "draft") || len(got) != 2 {
			t.Errorf("upcoming events = %v, want upcoming and theirs", got)
		}
	})
	t.Run("an organizer's list has their events only, drafts included", func(t *testing.T) {
		evs, err := f.st.ManagedEvents(ctx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := slugs(evs)
		slices.Sort(got)
		if !slices.Equal(got, []string{"draft", "past", "upcoming"}) {
			t.Errorf("managed events = %v", got)
		}
	})
}

func slugs(evs []*domain.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Slug
	}
	return out
}

func TestRegistrationEventServesACopyForItsTTL(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.event(t, f.org, "egov", nil)
	if _, err := f.db.Exec(`UPDATE events SET published = true WHERE slug = 'egov'`); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2031, time.May, 1, 9, 0, 0, 0, time.UTC)
	f.st.Now = func() time.Time { return now }
	f.st.EventCacheTTL = time.Second
	title := func() string {
		t.Helper()
		ev, err := f.st.RegistrationEvent(ctx, "egov")
		if err != nil {
			t.Fatal(err)
		}
		return ev.Title
	}
	retitle := func(s string) {
		t.Helper()
		if _, err := f.db.Exec(`UPDATE events SET title = $1 WHERE slug = 'egov'`, s); err != nil {
			t.Fatal(err)
		}
	}

	first := title()
	retitle("Changed by another instance")
	if got := title(); got != first {
		t.Errorf("within the TTL: %q, want the cached %q", got, first)
	}
	ev, _ := f.st.RegistrationEvent(ctx, "egov")
	ev.Title = "scribbled on by a caller"
	if got := title(); got != first {
		t.Errorf("a caller's change leaked into the cache: %q", got)
	}
	now = now.Add(time.Second)
	if got := title(); got != "Changed by another instance" {
		t.Errorf("after the TTL: %q, want the database's title", got)
	}
	if _, err := f.st.UpdateEvent(ctx, f.org.ID, "egov", func(ev *domain.Event) error {
		return f.rules.ApplyPatch(ev, domain.EventInput{Title: domain.Some("Renamed here")})
	}); err != nil {
		t.Fatal(err)
	}
	if got := title(); got != "Renamed here" {
		t.Errorf("after UpdateEvent through this store: %q, want the new title at once", got)
	}
	if _, err := f.db.Exec(`UPDATE events SET published = false WHERE slug = 'egov'`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Second)
	if _, err := f.st.RegistrationEvent(ctx, "egov"); err == nil {
		t.Error("an unpublished event is still served after the TTL")
	}

	f.st.EventCacheTTL = 0
	if _, err := f.db.Exec(`UPDATE events SET published = true WHERE slug = 'egov'`); err != nil {
		t.Fatal(err)
	}
	title()
	retitle("Off means off")
	if got := title(); got != "Off means off" {
		t.Errorf("with EventCacheTTL 0: %q, want the database's title", got)
	}
}

// TestDatesAreNotShiftedByTheSessionTimeZone stores an event's dates and a
// check-in's day over a connection whose time zone is twelve hours behind
// UTC, and finds them the days they were: the store passes dates to
// PostgreSQL as their text, which no session setting reinterprets.
func TestDatesAreNotShiftedByTheSessionTimeZone(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewURL(t)+"&timezone=Etc/GMT%2B12", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var zone string
	if err := db.GetContext(ctx, &zone, `SHOW TimeZone`); err != nil || zone != "Etc/GMT+12" {
		t.Fatalf("session time zone %q, %v; want Etc/GMT+12", zone, err)
	}
	f := &fixture{db: db, st: store.New(db), rules: domain.NewRules()}
	f.org = f.organizer(t, "lead@example.org")
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) {
		in.StartsOn, in.EndsOn = domain.Some("2030-05-30"), domain.Some("2030-05-31")
	})
	res, err := f.st.ImportRegistration(ctx, ev, f.newRegistration(t, ev, person("dilnoza@example.uz"), time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.CheckIn(ctx, f.org.ID, ev.Slug, store.CheckinRequest{
		RegistrationID: res.Registration.ID, Day: domain.NewDate(2030, time.May, 31)}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.GetContext(ctx, &got, `
		SELECT e.starts_on::text || ' ' || e.ends_on::text || ' ' || c.day::text
		FROM events e JOIN checkins c ON c.event_id = e.id WHERE e.id = $1`, ev.ID); err != nil {
		t.Fatal(err)
	}
	if got != "2030-05-30 2030-05-31 2030-05-31" {
		t.Errorf("stored dates %q, want 2030-05-30 2030-05-31 2030-05-31", got)
	}
}

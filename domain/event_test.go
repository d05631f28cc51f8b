package domain_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// validEventInput is a creation request that passes every rule.
func validEventInput() domain.EventInput {
	return domain.EventInput{
		Slug:      domain.Some("egov-tashkent-2019"),
		Title:     domain.Some("International workshop on e-government development"),
		Country:   domain.Some("UZ"),
		Timezone:  domain.Some("Asia/Tashkent"),
		StartsOn:  domain.Some("2019-05-30"),
		EndsOn:    domain.Some("2019-05-31"),
		Languages: domain.Some([]string{"en", "ru", "uz"}),
	}
}

func TestNewEventRequiresItsFields(t *testing.T) {
	rules := domain.NewRules()
	_, err := rules.NewEvent(domain.EventInput{})
	assertFields(t, err, map[string]string{
		"slug":      "required",
		"title":     "required",
		"country":   "required",
		"timezone":  "required",
		"starts_on": "required",
		"ends_on":   "required",
	})
}

func TestNewEventTakesDefaults(t *testing.T) {
	rules := domain.NewRules()
	in := validEventInput()
	in.Languages = domain.Optional[[]string]{}
	ev, err := rules.NewEvent(in)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"slug", ev.Slug, "egov-tashkent-2019"},
		{"title", ev.Title, "International workshop on e-government development"},
		{"country", ev.Country, "UZ"},
		{"timezone", ev.Timezone, "Asia/Tashkent"},
		{"starts_on", ev.StartsOn.String(), "2019-05-30"},
		{"ends_on", ev.EndsOn.String(), "2019-05-31"},
		{"day_starts_at", ev.DayStartsAt, "09:00"},
		{"day_ends_at", ev.DayEndsAt, "18:00"},
		{"capacity", ev.Capacity, (*int)(nil)},
		{"languages", ev.Languages, []string{"en"}},
		{"co_organizers", ev.CoOrganizers, []string{}},
		{"published", ev.Published, true},
		{"confirm_within_hours", ev.ConfirmWithinHours, 72},
		{"registration_opens_at", ev.RegistrationOpensAt, (*time.Time)(nil)},
		{"registration_closes_at", ev.RegistrationClosesAt, (*time.Time)(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestNewEventKeepsWhatWasSent(t *testing.T) {
	rules := domain.NewRules()
	in := validEventInput()
	in.Title = domain.Some("  Semina\u0301r on e-government  ")
	in.Country = domain.Some("uz")
	in.Capacity = domain.Some(60)
	in.CoOrganizers = domain.Some([]string{" Astana Civil Service Hub ", "Academy of Public Administration"})
	in.Languages = domain.Some([]string{"UZ", "ru"})
	in.RegistrationOpensAt = domain.Some("2019-05-01T09:00:00+05:00")
	in.RegistrationClosesAt = domain.Some("2019-05-29T18:00:00+05:00")
	in.DayStartsAt = domain.Some("10:00")
	in.DayEndsAt = domain.Some("17:30")
	in.Published = domain.Some(false)
	in.ConfirmWithinHours = domain.Some(24)
	ev, err := rules.NewEvent(in)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	if ev.Title != "Semin\u00e1r on e-government" {
		t.Errorf("title = %q, want it trimmed and NFC", ev.Title)
	}
	if ev.Country != "UZ" {
		t.Errorf("country = %q, want UZ", ev.Country)
	}
	if ev.Capacity == nil || *ev.Capacity != 60 {
		t.Errorf("capacity = %v, want 60", ev.Capacity)
	}
	if !slices.Equal(ev.CoOrganizers, []string{"Astana Civil Service Hub", "Academy of Public Administration"}) {
		t.Errorf("co-organizers = %q, want them trimmed and in order", ev.CoOrganizers)
	}
	if !slices.Equal(ev.Languages, []string{"uz", "ru"}) {
		t.Errorf("languages = %q, want [uz ru] in the order sent", ev.Languages)
	}
	opens := time.Date(2019, time.May, 1, 4, 0, 0, 0, time.UTC)
	if ev.RegistrationOpensAt == nil || !ev.RegistrationOpensAt.Equal(opens) {
		t.Errorf("registration opens at %v, want %v", ev.RegistrationOpensAt, opens)
	}
	if ev.DayStartsAt != "10:00" || ev.DayEndsAt != "17:30" || ev.Published || ev.ConfirmWithinHours != 24 {
		t.Errorf("hours %s–%s, published %v, confirm within %d; want 10:00–17:30, false, 24",
			ev.DayStartsAt, ev.DayEndsAt, ev.Published, ev.ConfirmWithinHours)
	}
}

func TestNewEventRefusesBadValues(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.EventInput)
		want   map[string]string
	}{
		{"a slug with spaces", func(in *domain.EventInput) { in.Slug = domain.Some("egov tashkent") }, map[string]string{"slug": "slug"}},
		{"a slug with capitals", func(in *domain.EventInput) { in.Slug = domain.Some("Egov-2019") }, map[string]string{"slug": "slug"}},
		{"a slug with a leading hyphen", func(in *domain.EventInput) { in.Slug = domain.Some("-egov") }, map[string]string{"slug": "slug"}},
		{"a slug with a trailing hyphen", func(in *domain.EventInput) { in.Slug = domain.Some("egov-") }, map[string]string{"slug": "slug"}},
		{"a slug with a double hyphen", func(in *domain.EventInput) { in.Slug = domain.Some("egov--2019") }, map[string]string{"slug": "slug"}},
		{"a slug with an underscore", func(in *domain.EventInput) { in.Slug = domain.Some("egov_2019") }, map[string]string{"slug": "slug"}},
		{"a slug with Cyrillic letters", func(in *domain.EventInput) { in.Slug = domain.Some("семинар") }, map[string]string{"slug": "slug"}},
		{"a slug over 64 characters", func(in *domain.EventInput) { in.Slug = domain.Some(strings.Repeat("a", 65)) }, map[string]string{"slug": "max"}},
		{"an empty slug", func(in *domain.EventInput) { in.Slug = domain.Some("") }, map[string]string{"slug": "required"}},
		{"a null slug", func(in *domain.EventInput) { in.Slug = domain.Optional[string]{Set: true, Null: true} }, map[string]string{"slug": "null"}},
		{"an empty title", func(in *domain.EventInput) { in.Title = domain.Some("  ") }, map[string]string{"title": "required"}},
		{"a title with a line break", func(in *domain.EventInput) { in.Title = domain.Some("Workshop\nBcc: x") }, map[string]string{"title": "nocontrol"}},
		{"a title over 200 characters", func(in *domain.EventInput) { in.Title = domain.Some(strings.Repeat("t", 201)) }, map[string]string{"title": "max"}},
		{"the Local time zone", func(in *domain.EventInput) { in.Timezone = domain.Some("Local") }, map[string]string{"timezone": "iana_tz"}},
		{"an unknown time zone", func(in *domain.EventInput) { in.Timezone = domain.Some("Mars/Base") }, map[string]string{"timezone": "iana_tz"}},
		{"a time zone offset", func(in *domain.EventInput) { in.Timezone = domain.Some("+05:00") }, map[string]string{"timezone": "iana_tz"}},
		{"an unknown country", func(in *domain.EventInput) { in.Country = domain.Some("XX") }, map[string]string{"country": "iso3166"}},
		{"a country name", func(in *domain.EventInput) { in.Country = domain.Some("Uzbekistan") }, map[string]string{"country": "iso3166"}},
		{"a start date in another format", func(in *domain.EventInput) { in.StartsOn = domain.Some("30.05.2019") }, map[string]string{"starts_on": "date"}},
		{"an end date with a time", func(in *domain.EventInput) { in.EndsOn = domain.Some("2019-05-31T18:00:00Z") }, map[string]string{"ends_on": "date"}},
		{"an end before the start", func(in *domain.EventInput) { in.EndsOn = domain.Some("2019-05-29") }, map[string]string{"ends_on": "after"}},
		{"an event over 31 days", func(in *domain.EventInput) { in.EndsOn = domain.Some("2019-07-01") }, map[string]string{"ends_on": "max"}},
		{"a capacity of zero", func(in *domain.EventInput) { in.Capacity = domain.Some(0) }, map[string]string{"capacity": "min"}},
		{"a negative capacity", func(in *domain.EventInput) { in.Capacity = domain.Some(-5) }, map[string]string{"capacity": "min"}},
		{"a capacity over a million", func(in *domain.EventInput) { in.Capacity = domain.Some(1_000_001) }, map[string]string{"capacity": "max"}},
		{"a language attend does not speak", func(in *domain.EventInput) { in.Languages = domain.Some([]string{"en", "de"}) }, map[string]string{"languages[1]": "oneof"}},
		{"a repeated language", func(in *domain.EventInput) { in.Languages = domain.Some([]string{"ru", "RU"}) }, map[string]string{"languages": "unique"}},
		{"no languages", func(in *domain.EventInput) { in.Languages = domain.Some([]string{}) }, map[string]string{"languages": "required"}},
		{"null languages", func(in *domain.EventInput) { in.Languages = domain.Optional[[]string]{Set: true, Null: true} }, map[string]string{"languages": "null"}},
		{"an empty co-organizer", func(in *domain.EventInput) { in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub", " "}) }, map[string]string{"co_organizers[1]": "required"}},
		{"a co-organizer with a line break", func(in *domain.EventInput) { in.CoOrganizers = domain.Some([]string{"Astana\nHub"}) }, map[string]string{"co_organizers[0]": "nocontrol"}},
		{"a co-organizer over 200 characters", func(in *domain.EventInput) { in.CoOrganizers = domain.Some([]string{strings.Repeat("c", 201)}) }, map[string]string{"co_organizers[0]": "max"}},
		{"21 co-organizers", func(in *domain.EventInput) { in.CoOrganizers = domain.Some(slices.Repeat([]string{"Hub"}, 21)) }, map[string]string{"co_organizers": "max"}},
		{"registration closing before it opens", func(in *domain.EventInput) {
			in.RegistrationOpensAt = domain.Some("2019-05-10T09:00:00+05:00")
			in.RegistrationClosesAt = domain.Some("2019-05-01T09:00:00+05:00")
		}, map[string]string{"registration_closes_at": "after"}},
		{"registration closing when it opens", func(in *domain.EventInput) {
			in.RegistrationOpensAt = domain.Some("2019-05-01T09:00:00+05:00")
			in.RegistrationClosesAt = domain.Some("2019-05-01T04:00:00Z")
		}, map[string]string{"registration_closes_at": "after"}},
		{"an opening time that is not RFC 3339", func(in *domain.EventInput) { in.RegistrationOpensAt = domain.Some("2019-05-01 09:00") }, map[string]string{"registration_opens_at": "datetime"}},
		{"an opening time without a zone", func(in *domain.EventInput) { in.RegistrationOpensAt = domain.Some("2019-05-01T09:00:00") }, map[string]string{"registration_opens_at": "datetime"}},
		{"a closing time that is a date", func(in *domain.EventInput) { in.RegistrationClosesAt = domain.Some("2019-05-29") }, map[string]string{"registration_closes_at": "datetime"}},
		{"a day start that is not HH:MM", func(in *domain.EventInput) { in.DayStartsAt = domain.Some("9am") }, map[string]string{"day_starts_at": "clock"}},
		{"a day that ends before it starts", func(in *domain.EventInput) {
			in.DayStartsAt = domain.Some("18:00")
			in.DayEndsAt = domain.Some("09:00")
		}, map[string]string{"day_ends_at": "after"}},
		{"a confirmation period of zero hours", func(in *domain.EventInput) { in.ConfirmWithinHours = domain.Some(0) }, map[string]string{"confirm_within_hours": "min"}},
		{"a null published flag", func(in *domain.EventInput) { in.Published = domain.Optional[bool]{Set: true, Null: true} }, map[string]string{"published": "null"}},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			in := validEventInput()
			tt.change(&in)
			_, err := rules.NewEvent(in)
			assertFields(t, err, tt.want)
		})
	}
}

func TestNewEventAcceptsGoodVariants(t *testing.T) {
	tests := []struct {
		name   string
		change func(*domain.EventInput)
	}{
		{"a one-day event", func(in *domain.EventInput) { in.EndsOn = domain.Some("2019-05-30") }},
		{"a 31-day event", func(in *domain.EventInput) { in.EndsOn = domain.Some("2019-06-29") }},
		{"UTC as the time zone", func(in *domain.EventInput) { in.Timezone = domain.Some("UTC") }},
		{"a subset of the languages", func(in *domain.EventInput) { in.Languages = domain.Some([]string{"uz"}) }},
		{"a null capacity (unlimited)", func(in *domain.EventInput) { in.Capacity = domain.Optional[int]{Set: true, Null: true} }},
		{"a capacity of one", func(in *domain.EventInput) { in.Capacity = domain.Some(1) }},
		{"null co-organizers", func(in *domain.EventInput) { in.CoOrganizers = domain.Optional[[]string]{Set: true, Null: true} }},
		{"20 co-organizers", func(in *domain.EventInput) { in.CoOrganizers = domain.Some(slices.Repeat([]string{"Hub"}, 20)) }},
		{"an empty opening time (no window)", func(in *domain.EventInput) { in.RegistrationOpensAt = domain.Some("") }},
		{"only a closing time", func(in *domain.EventInput) { in.RegistrationClosesAt = domain.Some("2019-05-29T18:00:00Z") }},
		{"a slug of digits and single hyphens", func(in *domain.EventInput) { in.Slug = domain.Some("2019-05-egov") }},
	}
	rules := domain.NewRules()
	for _, tt := range tests {
		t.Run(tt.name+" is accepted", func(t *testing.T) {
			in := validEventInput()
			tt.change(&in)
			if _, err := rules.NewEvent(in); err != nil {
				t.Errorf("NewEvent: %v", err)
			}
		})
	}
}

func TestEventInputTellsAbsentFromNull(t *testing.T) {
	var in domain.EventInput
	if err := json.Unmarshal([]byte(`{"title":"Workshop","capacity":null}`), &in); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !in.Title.Set || in.Title.Null || in.Title.Value != "Workshop" {
		t.Errorf("title = %+v, want set to Workshop", in.Title)
	}
	if !in.Capacity.Set || !in.Capacity.Null {
		t.Errorf("capacity = %+v, want set and null", in.Capacity)
	}
	if in.Slug.Set {
		t.Errorf("slug = %+v, want not set", in.Slug)
	}
}

// created returns a valid event as NewEvent makes it, with a capacity.
func created(t *testing.T, rules *domain.Rules) *domain.Event {
	t.Helper()
	in := validEventInput()
	in.Capacity = domain.Some(60)
	in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub"})
	ev, err := rules.NewEvent(in)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	return ev
}

func TestApplyPatch(t *testing.T) {
	rules := domain.NewRules()

	t.Run("a partial patch changes only what was sent", func(t *testing.T) {
		ev := created(t, rules)
		before := *ev
		if err := rules.ApplyPatch(ev, domain.EventInput{Title: domain.Some("New title"), Venue: domain.Some("Hall A")}); err != nil {
			t.Fatalf("ApplyPatch: %v", err)
		}
		want := before
		want.Title, want.Venue = "New title", "Hall A"
		if !reflect.DeepEqual(*ev, want) {
			t.Errorf("after patch\n%+v\nwant\n%+v", *ev, want)
		}
	})

	t.Run("an empty patch changes nothing", func(t *testing.T) {
		ev := created(t, rules)
		before := *ev
		if err := rules.ApplyPatch(ev, domain.EventInput{}); err != nil {
			t.Fatalf("ApplyPatch: %v", err)
		}
		if !reflect.DeepEqual(*ev, before) {
			t.Errorf("after empty patch\n%+v\nwant\n%+v", *ev, before)
		}
	})

	t.Run("a null capacity makes the event unlimited", func(t *testing.T) {
		ev := created(t, rules)
		if err := rules.ApplyPatch(ev, domain.EventInput{Capacity: domain.Optional[int]{Set: true, Null: true}}); err != nil {
			t.Fatalf("ApplyPatch: %v", err)
		}
		if ev.Capacity != nil {
			t.Errorf("capacity = %d, want nil", *ev.Capacity)
		}
	})

	t.Run("null co-organizers clear the list", func(t *testing.T) {
		ev := created(t, rules)
		if err := rules.ApplyPatch(ev, domain.EventInput{CoOrganizers: domain.Optional[[]string]{Set: true, Null: true}}); err != nil {
			t.Fatalf("ApplyPatch: %v", err)
		}
		if ev.CoOrganizers == nil || len(ev.CoOrganizers) != 0 {
			t.Errorf("co-organizers = %#v, want an empty list", ev.CoOrganizers)
		}
	})

	t.Run("a null registration window removes it", func(t *testing.T) {
		ev := created(t, rules)
		opens := time.Date(2019, time.May, 1, 0, 0, 0, 0, time.UTC)
		ev.RegistrationOpensAt = &opens
		if err := rules.ApplyPatch(ev, domain.EventInput{RegistrationOpensAt: domain.Optional[string]{Set: true, Null: true}}); err != nil {
			t.Fatalf("ApplyPatch: %v", err)
		}
		if ev.RegistrationOpensAt != nil {
			t.Errorf("registration opens at %v, want nil", ev.RegistrationOpensAt)
		}
	})

	t.Run("the same slug may be sent back", func(t *testing.T) {
		ev := created(t, rules)
		if err := rules.ApplyPatch(ev, domain.EventInput{Slug: domain.Some(ev.Slug)}); err != nil {
			t.Errorf("ApplyPatch with the unchanged slug: %v", err)
		}
	})

	tests := []struct {
		name  string
		patch domain.EventInput
		want  map[string]string
	}{
		{"a new slug is read-only", domain.EventInput{Slug: domain.Some("another-slug")}, map[string]string{"slug": "readonly"}},
		{"a null slug is read-only", domain.EventInput{Slug: domain.Optional[string]{Set: true, Null: true}}, map[string]string{"slug": "readonly"}},
		{"a null title is refused", domain.EventInput{Title: domain.Optional[string]{Set: true, Null: true}}, map[string]string{"title": "null"}},
		{"an empty title is refused", domain.EventInput{Title: domain.Some("")}, map[string]string{"title": "required"}},
		{"a zero capacity is refused", domain.EventInput{Capacity: domain.Some(0)}, map[string]string{"capacity": "min"}},
		{"an end before the kept start is refused", domain.EventInput{EndsOn: domain.Some("2019-05-01")}, map[string]string{"ends_on": "after"}},
		{"a closing time before the opening time is refused", domain.EventInput{
			RegistrationOpensAt:  domain.Some("2019-05-20T00:00:00Z"),
			RegistrationClosesAt: domain.Some("2019-05-10T00:00:00Z"),
		}, map[string]string{"registration_closes_at": "after"}},
		{"a bad opening time names its field", domain.EventInput{RegistrationOpensAt: domain.Some("tomorrow")}, map[string]string{"registration_opens_at": "datetime"}},
		{"a bad time zone is refused", domain.EventInput{Timezone: domain.Some("Mars/Base")}, map[string]string{"timezone": "iana_tz"}},
		{"every bad field is reported at once", domain.EventInput{
			Slug:     domain.Some("renamed"),
			Country:  domain.Some("XX"),
			Capacity: domain.Some(-1),
		}, map[string]string{"slug": "readonly", "country": "iso3166", "capacity": "min"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.ApplyPatch(created(t, rules), tt.patch)
			assertFields(t, err, tt.want)
		})
	}
}

func TestRegistrationClosure(t *testing.T) {
	tashkent, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, tashkent) }
	opens, closes := at(2019, time.May, 1, 0, 0), at(2019, time.May, 29, 18, 0)
	windowed := func() *domain.Event {
		ev := workshop()
		ev.EndsOn = domain.NewDate(2019, time.May, 31)
		ev.RegistrationOpensAt, ev.RegistrationClosesAt = &opens, &closes
		return ev
	}
	open := func() *domain.Event {
		ev := workshop()
		ev.EndsOn = domain.NewDate(2019, time.May, 31)
		return ev
	}
	tests := []struct {
		name string
		ev   *domain.Event
		now  time.Time
		want domain.Closure
	}{
		{"before the window opens it is not yet open", windowed(), at(2019, time.April, 30, 23, 59), domain.NotYetOpen},
		{"at the opening moment it is open", windowed(), opens, ""},
		{"inside the window it is open", windowed(), at(2019, time.May, 10, 12, 0), ""},
		{"a minute before closing it is open", windowed(), closes.Add(-time.Minute), ""},
		{"at the closing moment it is closed", windowed(), closes, domain.Closed},
		{"after closing, during the event, it is closed", windowed(), at(2019, time.May, 30, 10, 0), domain.Closed},
		{"when the last day has ended it is past", windowed(), at(2019, time.May, 31, 18, 0), domain.Past},
		{"a year later it is past", windowed(), at(2020, time.May, 31, 18, 0), domain.Past},
		{"without a window it is open until the end", open(), at(2019, time.May, 31, 17, 59), ""},
		{"without a window it is past at the end", open(), at(2019, time.May, 31, 18, 0), domain.Past},
		{"the end is in the event's zone, not UTC", open(), time.Date(2019, time.May, 31, 13, 0, 0, 0, time.UTC), domain.Past},
		{"a minute before the end in UTC it is open", open(), time.Date(2019, time.May, 31, 12, 59, 0, 0, time.UTC), ""},
		{"an ended event is past even if the window opens later", func() *domain.Event {
			ev := open()
			later := at(2020, time.January, 1, 0, 0)
			ev.RegistrationOpensAt = &later
			return ev
		}(), at(2019, time.June, 1, 0, 0), domain.Past},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ev.RegistrationClosure(tt.now); got != tt.want {
				t.Errorf("RegistrationClosure(%v) = %q, want %q", tt.now, got, tt.want)
			}
		})
	}
}

func TestEventDaysAndSeats(t *testing.T) {
	ev := workshop()
	if got := strings.Join(domain.DateStrings(ev.Days()), ","); got != "2019-05-30,2019-05-31,2019-06-01" {
		t.Errorf("days = %s, want the three dates across the month end", got)
	}
	if ev.SeatsLeft() != nil {
		t.Errorf("seats left = %d for an unlimited event, want nil", *ev.SeatsLeft())
	}
	ev.Capacity, ev.SeatsHeld = ptr(10), 4
	if left := ev.SeatsLeft(); left == nil || *left != 6 {
		t.Errorf("seats left = %v, want 6", left)
	}
	ev.SeatsHeld = 12
	if left := ev.SeatsLeft(); left == nil || *left != 0 {
		t.Errorf("seats left with more held than capacity = %v, want 0", left)
	}
	if want := time.Date(2019, time.May, 30, 4, 0, 0, 0, time.UTC); !ev.StartsAt().Equal(want) {
		t.Errorf("starts at %v, want %v (09:00 in Tashkent)", ev.StartsAt(), want)
	}
}

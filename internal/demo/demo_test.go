package demo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

func load(t *testing.T, st *store.Store, now time.Time) *Result {
	t.Helper()
	res, err := Load(context.Background(), st, domain.NewRules(), now)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return res
}

func count(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestLoadCreatesThe2019TashkentWorkshop(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	res := load(t, st, time.Now())

	ev, err := st.PublishedEvent(context.Background(), "egov-tashkent-2019")
	if err != nil {
		t.Fatalf("the 2019 workshop is not published: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"starts_on", ev.StartsOn.String(), "2019-05-30"},
		{"ends_on", ev.EndsOn.String(), "2019-05-31"},
		{"timezone", ev.Timezone, "Asia/Tashkent"},
		{"country", ev.Country, "UZ"},
		{"city", ev.City, "Tashkent"},
		{"registration", ev.RegistrationClosure(time.Now()), domain.Past},
		{"result slug", res.Past.Slug, PastSlug},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(ev.CoOrganizers) != 2 || ev.CoOrganizers[0] != "Astana Civil Service Hub" ||
		!strings.HasPrefix(ev.CoOrganizers[1], "Academy of Public Administration") {
		t.Errorf("co-organizers = %q, want the Astana Civil Service Hub and the Academy", ev.CoOrganizers)
	}

	var people []struct {
		FirstName    string `db:"first_name"`
		Country      string `db:"country"`
		Organization string `db:"organization"`
		Status       string `db:"status"`
	}
	if err := db.Select(&people, `SELECT first_name, country, organization, status FROM registrations WHERE event_id = $1`, ev.ID); err != nil {
		t.Fatal(err)
	}
	if len(people) == 0 || len(people) != res.Registered {
		t.Fatalf("%d participants stored, Load reported %d", len(people), res.Registered)
	}
	countries := map[string]bool{}
	oecd := false
	var names []string
	for _, p := range people {
		countries[p.Country] = true
		oecd = oecd || p.Organization == "OECD"
		names = append(names, p.FirstName)
		if p.Status != string(domain.StatusConfirmed) {
			t.Errorf("%s is %s, want confirmed (the workshop took place)", p.FirstName, p.Status)
		}
	}
	for _, c := range []string{"AM", "AZ", "EE", "GE", "KZ", "KG", "UZ"} {
		if !countries[c] {
			t.Errorf("no participant from %s (%s)", c, domain.CountryName(c))
		}
	}
	if !oecd {
		t.Error("no participant from the OECD")
	}
	for _, name := range []string{"Дилноза", "Oʻktam"} {
		if !slices.Contains(names, name) {
			t.Errorf("no participant named %q as typed", name)
		}
	}
	if held := count(t, db, `SELECT event_seats_held($1)`, ev.ID); held != len(people) {
		t.Errorf("seats held = %d, want %d", held, len(people))
	}
}

func TestLoadCreatesAnUpcomingEventOpenForRegistration(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	now := time.Now()
	res := load(t, st, now)

	ev, err := st.PublishedEvent(context.Background(), UpcomingSlug)
	if err != nil {
		t.Fatalf("the upcoming event is not published: %v", err)
	}
	if closure := ev.RegistrationClosure(now); closure != "" {
		t.Errorf("registration is %q, want open", closure)
	}
	if !ev.StartsAt().After(now) {
		t.Errorf("the upcoming event starts at %v, not after %v", ev.StartsAt(), now)
	}
	if res.Upcoming.Slug != UpcomingSlug || ev.Capacity == nil {
		t.Errorf("upcoming = %s with capacity %v", res.Upcoming.Slug, ev.Capacity)
	}
	upcoming, err := st.PublishedEvents(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(upcoming) != 1 || upcoming[0].Slug != UpcomingSlug {
		t.Errorf("upcoming events = %d, want only %s", len(upcoming), UpcomingSlug)
	}
}

func TestLoadTwiceChangesNothingButTheToken(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	ctx := context.Background()
	first := load(t, st, time.Now())
	counts := func() [3]int {
		return [3]int{
			count(t, db, `SELECT count(*) FROM events`),
			count(t, db, `SELECT count(*) FROM registrations`),
			count(t, db, `SELECT count(*) FROM organizers`),
		}
	}
	before := counts()
	// A later run, as on another day, finds the same events.
	second := load(t, st, time.Now().Add(45*24*time.Hour))
	if after := counts(); after != before {
		t.Errorf("events/registrations/organizers went from %v to %v", before, after)
	}
	if second.Registered != 0 {
		t.Errorf("the second run registered %d participants, want 0", second.Registered)
	}
	if second.Past.ID != first.Past.ID || second.Upcoming.ID != first.Upcoming.ID || second.Organizer.ID != first.Organizer.ID {
		t.Error("the second run made new events or a new organizer")
	}
	if first.Token == second.Token {
		t.Error("both runs returned the same token")
	}
	for _, token := range []string{first.Token, second.Token} {
		o, err := st.OrganizerByTokenHash(ctx, domain.HashToken(token))
		if err != nil || o.Email != Organizer {
			t.Errorf("token %s… does not authenticate the demo organizer: %v", token[:6], err)
		}
	}
}

func TestLoadGivesTheEventsTranslationsAndATeam(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	ctx := context.Background()
	res := load(t, st, time.Now())

	for _, slug := range []string{PastSlug, UpcomingSlug} {
		ev, err := st.PublishedEvent(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		ru, uz := ev.In("ru"), ev.In("uz")
		if ru.City != "Ташкент" || uz.City != "Toshkent" || ru.Title == ev.Title || uz.Title == ev.Title ||
			ru.CoOrganizers[0] == ev.CoOrganizers[0] || uz.Venue == ev.Venue {
			t.Errorf("%s in ru: %q, %q; in uz: %q, %q", slug, ru.Title, ru.City, uz.Title, uz.City)
		}
	}

	roles := map[string]map[string]domain.TeamRole{}
	for _, ev := range []*domain.Event{res.Past, res.Upcoming} {
		members, err := st.Members(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		roles[ev.Slug] = map[string]domain.TeamRole{}
		for _, m := range members {
			roles[ev.Slug][m.Email] = m.Role
			if m.Invited {
				t.Errorf("%s has no password on %s", m.Email, ev.Slug)
			}
		}
	}
	want := map[string]map[string]domain.TeamRole{
		PastSlug:     {Organizer: domain.RoleOwner, CoOrganizer: domain.RoleOrganizer},
		UpcomingSlug: {Organizer: domain.RoleOwner, CoOrganizer: domain.RoleOrganizer, DoorStaff: domain.RoleDoor},
	}
	for slug, w := range want {
		if len(roles[slug]) != len(w) {
			t.Errorf("%s team = %v, want %v", slug, roles[slug], w)
		}
		for email, role := range w {
			if roles[slug][email] != role {
				t.Errorf("%s: %s is %q, want %q", slug, email, roles[slug][email], role)
			}
		}
	}
	for _, email := range []string{CoOrganizer, DoorStaff} {
		_, hash, err := st.PasswordHash(ctx, email)
		if err != nil || !domain.CheckPassword(Password, hash) {
			t.Errorf("%s cannot sign in with the demo password: %v", email, err)
		}
	}

	// Loading again changes neither texts nor team, nor adds to the log.
	entries := count(t, db, `SELECT count(*) FROM audit_log WHERE action LIKE 'member.%' OR action = 'event.update'`)
	load(t, st, time.Now())
	if again := count(t, db, `SELECT count(*) FROM audit_log WHERE action LIKE 'member.%' OR action = 'event.update'`); again != entries {
		t.Errorf("a second load wrote %d team or event entries to the audit log", again-entries)
	}
}

func TestTheDemoCountsTheOECDsExpertUnderTheOECD(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	res := load(t, st, time.Now())
	stats, err := st.EventStats(context.Background(), res.Past)
	if err != nil {
		t.Fatal(err)
	}
	byDelegation := map[string]int{}
	for _, d := range stats.ByDelegation {
		byDelegation[d.Delegation] = d.Registered
	}
	if byDelegation["OECD"] != 1 || byDelegation["FR"] != 0 {
		t.Errorf("by delegation = %v, want the OECD's expert under OECD, nobody under France", byDelegation)
	}
	var latin string
	if err := db.Get(&latin, `SELECT latin_first_name || ' ' || latin_last_name FROM registrations WHERE email = 'dilnoza.yusupova@example.uz'`); err != nil || latin != "Dilnoza Yusupova" {
		t.Errorf("Latin name = %q (%v)", latin, err)
	}
}

func TestTheUpcomingWorkshopAsksForDietaryNeedsAndAVisaLetter(t *testing.T) {
	db := pgtest.NewDB(t)
	st := store.New(db)
	load(t, st, time.Now())
	// A demo loaded before the questions existed gets them on the next load.
	if _, err := db.Exec(`UPDATE events SET questions = '[]' WHERE slug = $1`, UpcomingSlug); err != nil {
		t.Fatal(err)
	}
	load(t, st, time.Now())
	ev, err := st.PublishedEvent(context.Background(), UpcomingSlug)
	if err != nil {
		t.Fatal(err)
	}
	diet, ok := ev.Questions.Find("diet")
	if !ok || diet.Type != domain.QuestionSingleChoice || !diet.Required || len(diet.Options) < 3 || diet.Label["ru"] == "" {
		t.Errorf("diet = %+v (found %v), want a required choice labelled in every language", diet, ok)
	}
	if _, ok := diet.Option("vegetarian"); !ok {
		t.Error("no vegetarian option")
	}
	visa, ok := ev.Questions.Find("visa_letter")
	if !ok || visa.Type != domain.QuestionYesNo || visa.Label["uz"] == "" {
		t.Errorf("visa letter = %+v (found %v)", visa, ok)
	}
	for _, q := range ev.Questions {
		for _, lang := range domain.Languages {
			if q.Label[lang] == "" {
				t.Errorf("question %s has no %s label", q.Key, lang)
			}
		}
	}
}

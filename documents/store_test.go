package documents_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/store"
)

// TestMain gives the package's tests a PostgreSQL server (see internal/pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }

// storedWorkshop is the two-day workshop in a fresh database, its clock at
// 10:00 on the first day, with people the papers must and must not show:
//
//	Юсупова   UZ  confirmed  both days   checked in both days
//	Abdullaev UZ  confirmed  day 2 only  checked in day 2
//	Садыкова  KZ  confirmed  both days   checked in day 1
//	Beridze   GE  confirmed  day 1 only  never checked in
//	Hakobyan  AM  pending    both days
type storedWorkshop struct {
	ctx context.Context
	st  *store.Store
	ev  *domain.Event
}

func newStoredWorkshop(t *testing.T) *storedWorkshop {
	t.Helper()
	ctx := context.Background()
	st := store.New(pgtest.NewDB(t))
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2019, time.May, 30, 10, 0, 0, 0, loc)
	st.Now = func() time.Time { return now }
	sealer, err := seal.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer // a pending registration queues its confirmation email
	org, err := domain.NewOrganizer("desk@example.org", "Desk")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganizer(ctx, org); err != nil {
		t.Fatal(err)
	}
	rules := domain.NewRules()
	ev, err := rules.NewEvent(domain.EventInput{
		Slug: domain.Some("egov-tashkent-2019"), Title: domain.Some(workshop().Title),
		Venue: domain.Some("Hyatt Regency Tashkent"), City: domain.Some("Tashkent"),
		Country: domain.Some("UZ"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
		CoOrganizers: domain.Some(workshop().CoOrganizers), Languages: domain.Some([]string{"en", "ru", "uz"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEvent(ctx, org.ID, ev); err != nil {
		t.Fatal(err)
	}
	register := func(first, last, country, lang string, confirmed bool, days ...domain.Date) *domain.Registration {
		consent := true
		in := domain.RegistrationInput{FirstName: first, LastName: last, Email: strings.ToLower(country+last) + "@example.org",
			Country: country, Organization: "Ministry of Digital Technologies", Role: "expert", Language: lang, Consent: &consent}
		for _, d := range days {
			in.Days = append(in.Days, d.String())
		}
		reg, err := rules.NewRegistration(in, ev, now)
		if err != nil {
			t.Fatal(err)
		}
		// ImportRegistration confirms at once; Register leaves the person pending.
		register := st.Register
		if confirmed {
			register = st.ImportRegistration
		}
		res, err := register(ctx, ev, reg)
		if err != nil {
			t.Fatal(err)
		}
		return res.Registration
	}
	checkIn := func(reg *domain.Registration, day domain.Date) {
		if _, _, err := st.CheckIn(ctx, org.ID, ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: day}); err != nil {
			t.Fatal(err)
		}
	}
	yusupova := register("Дилноза", "Юсупова", "UZ", "ru", true)
	abdullaev := register("Gʻayrat", "Abdullaev", "UZ", "uz", true, day2)
	sadykova := register("Айгерим", "Садыкова", "KZ", "ru", true)
	register("Nino", "Beridze", "GE", "en", true, day1)
	register("Armen", "Hakobyan", "AM", "en", false)
	checkIn(yusupova, day1)
	checkIn(yusupova, day2)
	checkIn(abdullaev, day2)
	checkIn(sadykova, day1)
	return &storedWorkshop{ctx: ctx, st: st, ev: ev}
}

// The papers drawn from the database: each day's sheet lists the people
// registered for that day by delegation, as an English reader sorts the
// countries; certificates go to whoever meets the rule.
func TestPapersFromTheDatabase(t *testing.T) {
	w := newStoredWorkshop(t)
	rank := documents.DelegationRank(bundleOf(t), "en")

	t.Run("sign-in sheets by day and delegation", func(t *testing.T) {
		for _, c := range []struct {
			day  domain.Date
			want []string
		}{
			{day1, []string{"Beridze", "Садыкова", "Юсупова"}},   // Georgia, Kazakhstan, Uzbekistan
			{day2, []string{"Садыкова", "Abdullaev", "Юсупова"}}, // Kazakhstan, Uzbekistan
		} {
			var b bytes.Buffer
			people := w.st.Participants(w.ctx, w.ev, store.ParticipantFilter{Day: c.day, DelegationRank: rank})
			if err := documents.SignInSheet(&b, w.ev, c.day, localizer(t, "en"), people); err != nil {
				t.Fatal(err)
			}
			text := pageTexts(t, b.Bytes())[0]
			if got := rowOrder(text, "Beridze", "Садыкова", "Abdullaev", "Юсупова", "Hakobyan"); got != strings.Join(c.want, ", ") {
				t.Errorf("%s: rows %s, want %s", c.day, got, strings.Join(c.want, ", "))
			}
		}
	})

	t.Run("badges for everyone confirmed", func(t *testing.T) {
		var b bytes.Buffer
		n, err := documents.Badges(&b, w.ev, localizer(t, "en"), w.st.Participants(w.ctx, w.ev, store.ParticipantFilter{Order: store.BySurname}))
		if err != nil || n != 4 {
			t.Fatalf("%d badges, %v; want 4", n, err)
		}
	})

	t.Run("certificates by each rule", func(t *testing.T) {
		for _, c := range []struct {
			rule domain.CertificateRule
			want []string
		}{
			{everyDay, []string{"0001 Юсупова Дилноза.pdf"}},
			{oneDayMin, []string{"0001 Abdullaev Gʻayrat.pdf", "0002 Садыкова Айгерим.pdf", "0003 Юсупова Дилноза.pdf"}},
		} {
			var b bytes.Buffer
			people := w.st.Participants(w.ctx, w.ev, store.ParticipantFilter{Attended: true, Order: store.BySurname})
			if _, err := documents.Certificates(&b, w.ev, settings(c.rule), bundleOf(t), people); err != nil {
				t.Fatal(err)
			}
			names, files := unzip(t, b.Bytes())
			if !slices.Equal(names, c.want) {
				t.Errorf("%s: %q, want %q", c.rule.Kind, names, c.want)
			}
			if c.rule == everyDay {
				text := pageTexts(t, files[names[0]])[0]
				if !strings.Contains(text, "СЕРТИФИКАТ УЧАСТНИКА") { // in her language
					t.Errorf("certificate:\n%s", text)
				}
			}
		}
	})

	t.Run("the attendance report", func(t *testing.T) {
		st, err := w.st.EventStats(w.ctx, w.ev)
		if err != nil {
			t.Fatal(err)
		}
		reg, err := w.st.EventRegisteredByDay(w.ctx, w.ev)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := documents.AttendanceReport(&b, w.ev, documents.Figures{Stats: st, Registered: reg}, localizer(t, "en")); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(pageTexts(t, b.Bytes()), "\f")
		// Registered and attended on 30 May, on 31 May, and for the event.
		for label, want := range map[string]string{
			"Armenia":    "1 0 1 0 1 0",
			"Georgia":    "1 0 0 0 1 0",
			"Kazakhstan": "1 1 1 0 1 1",
			"Uzbekistan": "1 1 2 2 2 2",
			"Total":      "4 2 4 2 5 3",
		} {
			if got := numbersAfter(text, label); got != want {
				t.Errorf("%s: %s, want %s", label, got, want)
			}
		}
	})
}

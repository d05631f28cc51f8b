package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/store"
)

// demoRig is a store on a fresh database, able to queue the emails that an
// organizer's cancellation sends.
type demoRig struct {
	t   *testing.T
	ctx context.Context
	db  *sqlx.DB
	st  *store.Store
}

func newDemoRig(t *testing.T) *demoRig {
	t.Helper()
	db := pgtest.NewDB(t)
	st := store.New(db)
	sealer, err := seal.New([]byte(strings.Repeat("demo-secret-", 4)))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	return &demoRig{t: t, ctx: context.Background(), db: db, st: st}
}

func (r *demoRig) exec(query string, args ...any) {
	r.t.Helper()
	if _, err := r.db.Exec(query, args...); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
}

// registrationID is the id of the live registration of email at the 2019
// workshop.
func (r *demoRig) registrationID(email string) string {
	r.t.Helper()
	var id string
	if err := r.db.Get(&id, `
		SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE e.slug = $1 AND r.email = $2`, PastSlug, email); err != nil {
		r.t.Fatalf("registration of %s: %v", email, err)
	}
	return id
}

// eraseAll anonymizes every participant of the 2019 workshop, as the
// retention job did before the workshop was exempt from it.
func (r *demoRig) eraseAll() {
	r.t.Helper()
	for _, p := range participants {
		if err := r.st.EraseByEmail(r.ctx, PastSlug, p.email); err != nil {
			r.t.Fatalf("erase %s: %v", p.email, err)
		}
	}
}

// registerAgain registers the participants as the loader did before it
// cleared erased ones first: an erased participant comes back as a new
// registration, taking one more seat.
func (r *demoRig) registerAgain() {
	r.t.Helper()
	ev, err := r.st.PublishedEvent(r.ctx, PastSlug)
	if err != nil {
		r.t.Fatal(err)
	}
	consent := true
	for _, p := range participants {
		reg, err := domain.NewRules().NewRegistration(domain.RegistrationInput{
			FirstName: p.first, LastName: p.last, Email: p.email, Country: p.country,
			Organization: p.org, Position: p.position, Role: p.role, Language: p.lang, Consent: &consent,
		}, ev, time.Now())
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.st.ImportRegistration(r.ctx, ev, reg); err != nil {
			r.t.Fatalf("register %s: %v", p.email, err)
		}
	}
}

// forget deletes the registrations of the last n participants, with their
// check-ins and seats, as if a load had stopped before reaching them.
func (r *demoRig) forget(n int) {
	r.t.Helper()
	var emails []string
	for _, p := range participants[len(participants)-n:] {
		emails = append(emails, p.email)
	}
	for _, email := range emails {
		r.exec(`DELETE FROM registrations WHERE id = $1`, r.registrationID(email))
	}
	r.exec(`UPDATE seat_parts SET held = held - $2, free = free + $2 WHERE part = 0 AND event_id = (SELECT id FROM events WHERE slug = $1)`, PastSlug, n)
}

// checkins is how many check-ins the demo records: both days for everyone
// but those in attendedOnly.
var checkins = 2*len(participants) - len(attendedOnly)

// assertWhole checks that the 2019 workshop holds each participant exactly
// once, confirmed, with their name and attendance, and nothing erased.
func (r *demoRig) assertWhole() {
	r.t.Helper()
	var rows []struct {
		Email     string `db:"email"`
		FirstName string `db:"first_name"`
		Status    string `db:"status"`
		Erased    bool   `db:"erased"`
	}
	if err := r.db.Select(&rows, `
		SELECT r.email, r.first_name, r.status, r.erased_at IS NOT NULL AS erased
		FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = $1`, PastSlug); err != nil {
		r.t.Fatal(err)
	}
	if len(rows) != len(participants) {
		r.t.Errorf("the workshop has %d registrations, want its %d participants", len(rows), len(participants))
	}
	seen := map[string]int{}
	for _, row := range rows {
		seen[row.Email]++
		if row.Erased || row.FirstName == "" {
			r.t.Errorf("registration %s is erased", row.Email)
		}
		if row.Status != string(domain.StatusConfirmed) {
			r.t.Errorf("%s is %s, want confirmed", row.Email, row.Status)
		}
	}
	for _, p := range participants {
		if seen[p.email] != 1 {
			r.t.Errorf("%s is registered %d times, want once", p.email, seen[p.email])
		}
	}
	if n := count(r.t, r.db, `SELECT count(*) FROM checkins c JOIN events e ON e.id = c.event_id WHERE e.slug = $1`, PastSlug); n != checkins {
		r.t.Errorf("%d check-ins, want %d", n, checkins)
	}
	if held := count(r.t, r.db, `SELECT event_seats_held(id) FROM events WHERE slug = $1`, PastSlug); held != len(participants) {
		r.t.Errorf("seats held = %d, want %d", held, len(participants))
	}
}

// TestLoadMakesTheWorkshopWholeInEveryState loads the demo into each state
// a demo database can be found in, and checks that one more load gives back
// the 2019 workshop with its 13 participants and their attendance, each
// once. Before the fix, the erased participants came back as new
// registrations each time, until the 60 seats were taken and the load failed
// on a participant left on the waiting list.
func TestLoadMakesTheWorkshopWholeInEveryState(t *testing.T) {
	tests := []struct {
		name   string
		damage func(r *demoRig)
		// What the load after the damage reports.
		wantCleared, wantRegistered int
	}{
		{"loaded once already", func(*demoRig) {}, 0, 0},
		{"every participant erased", func(r *demoRig) { r.eraseAll() }, len(participants), len(participants)},
		{"erased after each of four starts of the old loader", func(r *demoRig) {
			r.eraseAll()
			for range 3 {
				r.registerAgain()
				r.eraseAll()
			}
		}, 4 * len(participants), len(participants)},
		{"three participants cancelled by the organizer", func(r *demoRig) {
			org, err := r.st.OrganizerByEmail(r.ctx, Organizer)
			if err != nil {
				r.t.Fatal(err)
			}
			for _, p := range participants[2:5] {
				if _, err := r.st.CancelRegistration(r.ctx, org.ID, PastSlug, r.registrationID(p.email), ""); err != nil {
					r.t.Fatalf("cancel %s: %v", p.email, err)
				}
			}
		}, 3, 3},
		{"a participant left on the waiting list", func(r *demoRig) {
			id := r.registrationID("claire.dubois@example.org")
			r.exec(`DELETE FROM checkins WHERE registration_id = $1`, id)
			r.exec(`UPDATE registrations SET status = 'waitlisted', confirmed_at = NULL, email_verified_at = NULL WHERE id = $1`, id)
			r.exec(`UPDATE seat_parts SET held = held - 1, free = free + 1 WHERE part = 0 AND event_id = (SELECT id FROM events WHERE slug = $1)`, PastSlug)
		}, 1, 1},
		{"a load cut short after seven participants", func(r *demoRig) { r.forget(6) }, 0, 6},
		{"a load cut short before any participant", func(r *demoRig) { r.forget(len(participants)) }, 0, len(participants)},
		{"check-ins missing", func(r *demoRig) { r.exec(`DELETE FROM checkins`) }, 0, 0},
	}
	for _, tt := range tests {
		t.Run("after "+tt.name+", one more load gives the whole workshop", func(t *testing.T) {
			r := newDemoRig(t)
			load(t, r.st, time.Now())
			tt.damage(r)

			res, err := Load(r.ctx, r.st, domain.NewRules(), time.Now())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			r.assertWhole()
			if res.Cleared != tt.wantCleared || res.Registered != tt.wantRegistered {
				t.Errorf("the load cleared %d registrations and added %d, want %d and %d",
					res.Cleared, res.Registered, tt.wantCleared, tt.wantRegistered)
			}
			again := load(t, r.st, time.Now())
			if again.Registered != 0 || again.Cleared != 0 {
				t.Errorf("a load after that added %d and cleared %d, want nothing", again.Registered, again.Cleared)
			}
			r.assertWhole()
		})
	}
}

// TestTheWorkshopOutlivesTheRetentionJob runs the retention job as a server
// would, years after the 2019 workshop: the demo's people stay.
func TestTheWorkshopOutlivesTheRetentionJob(t *testing.T) {
	r := newDemoRig(t)
	load(t, r.st, time.Now())
	for _, years := range []int{1, 10, 100} {
		r.st.Now = func() time.Time { return time.Now().AddDate(years, 0, 0) }
		erased, err := r.st.EraseExpired(r.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range erased {
			if e.Slug == PastSlug {
				t.Errorf("%d years on, the retention job erased %d participants of the demo workshop", years, e.Count)
			}
		}
	}
	r.st.Now = time.Now
	r.assertWhole()
}

// TestLoadKeepsOtherRegistrationsOfTheWorkshop: clearing for a new load
// touches only the demo's own people and erased registrations.
func TestLoadKeepsOtherRegistrationsOfTheWorkshop(t *testing.T) {
	r := newDemoRig(t)
	res := load(t, r.st, time.Now())
	consent := true
	walkIn, err := domain.NewRules().NewRegistration(domain.RegistrationInput{
		FirstName: "Walk", LastName: "In", Email: "walk.in@example.org", Country: "UZ",
		Organization: "Visitors", Role: "other", Language: "en", Consent: &consent,
	}, res.Past, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.ImportRegistration(r.ctx, res.Past, walkIn); err != nil {
		t.Fatal(err)
	}
	r.eraseAll()

	load(t, r.st, time.Now())
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE email = 'walk.in@example.org' AND status = 'confirmed'`); n != 1 {
		t.Errorf("the walk-in is there %d times, want once, confirmed", n)
	}
	if held := count(t, r.db, `SELECT event_seats_held(id) FROM events WHERE slug = $1`, PastSlug); held != len(participants)+1 {
		t.Errorf("seats held = %d, want %d", held, len(participants)+1)
	}
}

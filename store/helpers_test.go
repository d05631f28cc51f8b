package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/store"
)

// fixture is a store on a fresh database with one organizer.
type fixture struct {
	db    *sqlx.DB
	st    *store.Store
	rules *domain.Rules
	org   *domain.Organizer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.NewDB(t)
	st := store.New(db)
	st.Sealer = newSealer(t)
	f := &fixture{db: db, st: st, rules: domain.NewRules()}
	f.org = f.organizer(t, "lead@example.org")
	return f
}

// newSealer seals link tokens with a test key.
func newSealer(t testing.TB) store.Sealer {
	t.Helper()
	sealer, err := seal.New([]byte(strings.Repeat("test-secret-", 4)))
	if err != nil {
		t.Fatal(err)
	}
	return sealer
}

func (f *fixture) organizer(t *testing.T, email string) *domain.Organizer {
	t.Helper()
	o, err := domain.NewOrganizer(email, "Organizer "+email)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateOrganizer(context.Background(), o); err != nil {
		t.Fatalf("CreateOrganizer(%s): %v", email, err)
	}
	return o
}

// event creates an event managed by org; change may adjust the input first.
func (f *fixture) event(t *testing.T, org *domain.Organizer, slug string, change func(*domain.EventInput)) *domain.Event {
	t.Helper()
	start := domain.DateOf(time.Now()).AddDays(30)
	in := domain.EventInput{
		Slug:      domain.Some(slug),
		Title:     domain.Some("Workshop " + slug),
		Country:   domain.Some("UZ"),
		Timezone:  domain.Some("Asia/Tashkent"),
		StartsOn:  domain.Some(start.String()),
		EndsOn:    domain.Some(start.AddDays(1).String()),
		Languages: domain.Some([]string{"en", "ru", "uz"}),
	}
	if change != nil {
		change(&in)
	}
	ev, err := f.rules.NewEvent(in)
	if err != nil {
		t.Fatalf("NewEvent(%s): %v", slug, err)
	}
	if err := f.st.CreateEvent(context.Background(), org.ID, ev); err != nil {
		t.Fatalf("CreateEvent(%s): %v", slug, err)
	}
	return ev
}

// person is a valid registration input for the given email.
func person(email string) domain.RegistrationInput {
	yes := true
	return domain.RegistrationInput{
		FirstName:    "Dilnoza",
		LastName:     "Yusupova",
		Email:        email,
		Country:      "UZ",
		Organization: "Centre for Economic Research and Reforms",
		Role:         "researcher",
		Consent:      &yes,
	}
}

// newRegistration validates in for ev at the given time.
func (f *fixture) newRegistration(t testing.TB, ev *domain.Event, in domain.RegistrationInput, at time.Time) *domain.Registration {
	t.Helper()
	reg, err := f.rules.NewRegistration(in, ev, at)
	if err != nil {
		t.Fatalf("NewRegistration(%s): %v", in.Email, err)
	}
	return reg
}

// register stores a registration for in and fails the test on error.
func (f *fixture) register(t *testing.T, ev *domain.Event, in domain.RegistrationInput) store.RegisterResult {
	t.Helper()
	res, err := f.st.Register(context.Background(), ev, f.newRegistration(t, ev, in, time.Now()))
	if err != nil {
		t.Fatalf("Register(%s): %v", in.Email, err)
	}
	return res
}

func count(t testing.TB, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func seatsHeld(t testing.TB, db *sqlx.DB, ev *domain.Event) int {
	t.Helper()
	return count(t, db, `SELECT event_seats_held($1)`, ev.ID)
}

// wantCode fails unless err carries the domain code.
func wantCode(t *testing.T, err error, code domain.Code) *domain.Error {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
	e, _ := domain.AsError(err)
	return e
}

func emailOf(i int) string { return fmt.Sprintf("participant%03d@example.org", i) }

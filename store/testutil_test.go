package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// storeRig extends the package's fixture (helpers_test.go) with what the
// capacity, link, outbox and periodic tests need: events by capacity,
// registrations at chosen times, and the emailed links behind them. Its
// helpers fail the test on any unexpected error, so the tests read as the
// story they check.
type storeRig struct {
	f   *fixture
	t   *testing.T
	ctx context.Context
	db  *sqlx.DB
	st  *store.Store
	org *domain.Organizer
	url string // the database's, when the rig was made by newSharedRig

	events atomic.Int64 // numbers event slugs
	people atomic.Int64 // numbers registration addresses
}

func newStoreRig(t *testing.T) *storeRig {
	t.Helper()
	f := newFixture(t)
	// Enough connections for real contention, few enough that 200
	// goroutines do not exhaust the server's max_connections.
	f.db.SetMaxOpenConns(20)
	return &storeRig{f: f, t: t, ctx: context.Background(), db: f.db, st: f.st, org: f.org}
}

// newEvent creates an event in Tashkent starting 30 days from now, with the
// given capacity (0: unlimited); change may adjust the input first.
func (r *storeRig) newEvent(capacity int, change ...func(*domain.EventInput)) *domain.Event {
	r.t.Helper()
	return r.f.event(r.t, r.org, fmt.Sprintf("event-%d", r.events.Add(1)), func(in *domain.EventInput) {
		if capacity > 0 {
			in.Capacity = domain.Some(capacity)
		}
		for _, c := range change {
			c(in)
		}
	})
}

// newRegistration builds a registration for ev with a fresh address,
// registered (created_at) at the given time.
func (r *storeRig) newRegistration(ev *domain.Event, at time.Time) *domain.Registration {
	r.t.Helper()
	return r.f.newRegistration(r.t, ev, person(emailOf(int(r.people.Add(1)))), at.UTC().Truncate(time.Microsecond))
}

// newRegistrations builds n registrations for ev with fresh addresses,
// registered now.
func (r *storeRig) newRegistrations(ev *domain.Event, n int) []*domain.Registration {
	r.t.Helper()
	regs := make([]*domain.Registration, n)
	for i := range regs {
		regs[i] = r.newRegistration(ev, time.Now())
	}
	return regs
}

// checkOutcomeEmails checks that each registration got the one email its
// status calls for: a confirmation request when it holds a seat, else
// the waiting list's.
func (r *storeRig) checkOutcomeEmails(regs []*domain.Registration) {
	r.t.Helper()
	for _, reg := range regs {
		kind := domain.EmailConfirmRequest
		if r.state(reg.ID).Status == domain.StatusWaitlisted {
			kind = domain.EmailWaitlisted
		}
		if got := r.emailCount(reg.ID, kind); got != 1 {
			r.t.Errorf("%s: %d %s emails, want 1", reg.Email, got, kind)
		}
	}
}

// signUp stores a new registration made at the given time and queues its email.
func (r *storeRig) signUp(ev *domain.Event, at time.Time) *domain.Registration {
	r.t.Helper()
	reg := r.newRegistration(ev, at)
	res, err := r.st.Register(r.ctx, ev, reg)
	if err != nil {
		r.t.Fatalf("register: %v", err)
	}
	if !res.Created {
		r.t.Fatalf("register %s: not created", reg.Email)
	}
	return res.Registration
}

// signUpMany registers n people one second apart from start, in order.
func (r *storeRig) signUpMany(ev *domain.Event, n int, start time.Time) []*domain.Registration {
	r.t.Helper()
	out := make([]*domain.Registration, n)
	for i := range out {
		out[i] = r.signUp(ev, start.Add(time.Duration(i)*time.Second))
	}
	return out
}

// linkToken is the plain link token of the newest email to regID that
// carries one, opened as the worker would open it.
func (r *storeRig) linkToken(regID string) string {
	r.t.Helper()
	var sealed string
	err := r.db.GetContext(r.ctx, &sealed, `
		SELECT payload->>'sealed_token' FROM emails
		WHERE registration_id = $1 AND coalesce(payload->>'sealed_token', '') <> ''
		ORDER BY id DESC LIMIT 1`, regID)
	if err != nil {
		r.t.Fatalf("link token of %s: %v", regID, err)
	}
	plain, err := r.st.Sealer.Open(sealed)
	if err != nil {
		r.t.Fatalf("open sealed token: %v", err)
	}
	return plain
}

// confirm follows regID's emailed confirmation link.
func (r *storeRig) confirm(regID string) *store.Link {
	r.t.Helper()
	l, err := r.st.ConfirmByToken(r.ctx, domain.HashToken(r.linkToken(regID)))
	if err != nil {
		r.t.Fatalf("confirm %s: %v", regID, err)
	}
	return l
}

// cancel follows regID's emailed cancellation link.
func (r *storeRig) cancel(regID string) *store.Link {
	r.t.Helper()
	l, err := r.st.CancelByToken(r.ctx, domain.HashToken(r.linkToken(regID)))
	if err != nil {
		r.t.Fatalf("cancel %s: %v", regID, err)
	}
	return l
}

// regState is what the tests look at in a registration row.
type regState struct {
	Status   domain.Status `db:"status"`
	Verified bool          `db:"verified"`
}

func (r *storeRig) state(regID string) regState {
	r.t.Helper()
	var s regState
	err := r.db.GetContext(r.ctx, &s, `
		SELECT status, email_verified_at IS NOT NULL AS verified FROM registrations WHERE id = $1`, regID)
	if err != nil {
		r.t.Fatalf("state of %s: %v", regID, err)
	}
	return s
}

// seatsHeld reads the event's counter.
func (r *storeRig) seatsHeld(eventID int64) int {
	r.t.Helper()
	var n int
	if err := r.db.GetContext(r.ctx, &n, `SELECT event_seats_held($1)`, eventID); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// countByStatus counts the event's registrations per status.
func (r *storeRig) countByStatus(eventID int64) map[domain.Status]int {
	r.t.Helper()
	var rows []struct {
		Status domain.Status `db:"status"`
		N      int           `db:"n"`
	}
	err := r.db.SelectContext(r.ctx, &rows, `
		SELECT status, count(*) AS n FROM registrations WHERE event_id = $1 GROUP BY status`, eventID)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[domain.Status]int{}
	for _, row := range rows {
		out[row.Status] = row.N
	}
	return out
}

// idsWithStatus lists the event's registrations in one status, in
// registration order.
func (r *storeRig) idsWithStatus(eventID int64, status domain.Status) []string {
	r.t.Helper()
	ids := []string{}
	err := r.db.SelectContext(r.ctx, &ids, `
		SELECT id FROM registrations WHERE event_id = $1 AND status = $2
		ORDER BY created_at, id`, eventID, status)
	if err != nil {
		r.t.Fatal(err)
	}
	return ids
}

// emailCount counts queued emails of one kind to regID.
func (r *storeRig) emailCount(regID string, kind domain.EmailKind) int {
	r.t.Helper()
	var n int
	err := r.db.GetContext(r.ctx, &n, `
		SELECT count(*) FROM emails WHERE registration_id = $1 AND kind = $2`, regID, kind)
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// exec runs SQL that sets up a situation (moving times back, for example).
func (r *storeRig) exec(query string, args ...any) {
	r.t.Helper()
	if _, err := r.db.ExecContext(r.ctx, query, args...); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
}

// regIDs returns the ids of regs, in order.
func regIDs(regs []*domain.Registration) []string {
	out := make([]string, len(regs))
	for i, reg := range regs {
		out[i] = reg.ID
	}
	return out
}

// snapshot renders every row that a registration's life touches, so a test
// can tell whether an operation changed anything at all.
func (r *storeRig) snapshot() string {
	r.t.Helper()
	var out string
	err := r.db.GetContext(r.ctx, &out, `
		SELECT concat_ws(E'\n',
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM registrations x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM emails x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.token_hash) FROM registration_tokens x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM events x))`)
	if err != nil {
		r.t.Fatal(err)
	}
	return out
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// batchRig stops the registration batches of r.st on purpose: with one
// batch allowed at once, a registration whose insert waits for another
// transaction's uncommitted row of the same address holds the only batch,
// and whatever arrives meanwhile queues for the next.
type batchRig struct {
	*storeRig
	ev *domain.Event
}

func newBatchRig(t *testing.T, capacity, size int) *batchRig {
	r := newStoreRig(t)
	r.st.RegisterBatches, r.st.RegisterBatchSize = 1, size
	return &batchRig{storeRig: r, ev: r.newEvent(capacity)}
}

// hold starts a registration that cannot finish until release: another
// transaction has inserted its address and not committed. It returns once
// the registration waits.
func (r *batchRig) hold() (first *background[store.RegisterResult], release func()) {
	r.t.Helper()
	reg := r.newRegistration(r.ev, time.Now())
	_, release = r.holdLock(`
		INSERT INTO registrations (event_id, checkin_code, status, first_name, last_name, email, country,
			organization, role, language, days, consent_at)
		VALUES ($1, 'HOLDING', 'pending', 'Held', 'Back', $2, 'UZ', 'Org', 'expert', 'en', $3::date[], now())`,
		r.ev.ID, reg.Email, pq.StringArray(domain.DateStrings(reg.Days)))
	first = inBackground(func() (store.RegisterResult, error) { return r.st.Register(r.ctx, r.ev, reg) })
	// (pg_stat_activity shows the start of a statement's text only.)
	r.waitForLockWaiters(1, "WITH known AS", first.done, "the first registration")
	return first, release
}

// queue starts fn for each registration, in the background, and waits
// until all of them are queued for a batch.
func (r *batchRig) queue(regs []*domain.Registration, ctxs []context.Context) []*background[store.RegisterResult] {
	r.t.Helper()
	out := make([]*background[store.RegisterResult], len(regs))
	for i, reg := range regs {
		ctx := r.ctx
		if ctxs != nil {
			ctx = ctxs[i]
		}
		out[i] = inBackground(func() (store.RegisterResult, error) { return r.st.Register(ctx, r.ev, reg) })
		// One at a time, so that the queue keeps their order.
		for deadline := time.Now().Add(10 * time.Second); r.st.QueuedRegistrations() < i+1; {
			if time.Now().After(deadline) {
				r.t.Fatalf("%d registrations queued, want %d", r.st.QueuedRegistrations(), i+1)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return out
}

// transactions counts the transactions that wrote the event's
// registrations.
func (r *storeRig) transactions(eventID int64) int {
	return count(r.t, r.db, `SELECT count(DISTINCT xmin::text) FROM registrations WHERE event_id = $1`, eventID)
}

func TestRegistrationsQueuedMeanwhileAreWrittenTogether(t *testing.T) {
	r := newBatchRig(t, 0, 8)
	var (
		mu      sync.Mutex
		batches []string
	)
	r.st.RegisterBatchObserver = func(requests int, waited time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		batches = append(batches, fmt.Sprintf("%d waited %v", requests, waited > 0))
	}
	before := r.signUp(r.ev, time.Now()) // registered before the rush: answered as a repeat
	first, release := r.hold()

	regs := r.newRegistrations(r.ev, 12)
	again := r.newRegistration(r.ev, time.Now())
	again.Email = strings.ToUpper(before.Email)
	twice := r.newRegistration(r.ev, time.Now())
	twice.Email = strings.ToUpper(regs[3].Email) // the same address twice in one batch
	gone, cancel := context.WithCancel(r.ctx)
	late := r.newRegistration(r.ev, time.Now())
	queued := append(regs[:4:4], again, twice, late)
	queued = append(queued, regs[4:]...)
	ctxs := make([]context.Context, len(queued))
	for i := range ctxs {
		ctxs[i] = r.ctx
	}
	ctxs[6] = gone
	answers := r.queue(queued, ctxs)
	cancel() // its client left while it was queued
	for deadline := time.Now().Add(10 * time.Second); r.st.QueuedRegistrations() != len(queued)-1; {
		if time.Now().After(deadline) {
			t.Fatalf("%d registrations queued after one client left, want %d", r.st.QueuedRegistrations(), len(queued)-1)
		}
		time.Sleep(time.Millisecond)
	}
	release()

	if _, err := first.answer(); err != nil {
		t.Fatalf("the held registration: %v", err)
	}
	results := map[*domain.Registration]store.RegisterResult{}
	for i, b := range answers {
		res, err := b.answer()
		switch reg := queued[i]; {
		case reg == late:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("a registration whose client left while queued: %v, want context.Canceled", err)
			}
		case err != nil:
			t.Errorf("register %s: %v", reg.Email, err)
		default:
			results[reg] = res
		}
	}
	for reg, res := range results {
		switch reg {
		case again, twice:
			want := map[*domain.Registration]string{again: before.ID, twice: regs[3].ID}[reg]
			if res.Created || res.Status != domain.StatusPending || res.Registration.ID != want {
				t.Errorf("register %s again: created %v, status %s, registration %s; want %s as it was, pending",
					reg.Email, res.Created, res.Status, res.Registration.ID, want)
			}
		default:
			if !res.Created || res.Status != domain.StatusPending || res.Registration.ID == "" {
				t.Errorf("register %s: created %v, status %s, id %q", reg.Email, res.Created, res.Status, res.Registration.ID)
			}
		}
	}

	// The held one alone, then the fourteen left in the queue in two
	// batches.
	if got := r.transactions(r.ev.ID); got != 4 {
		t.Errorf("the registrations were written by %d transactions, want 4: the one before, the held one and two batches", got)
	}
	mu.Lock()
	// The repeats and the duplicate are written again by statements of
	// their own, outside the batches.
	if got, want := strings.Join(batches, ", "), "1 waited false, 1 waited false, 8 waited true, 6 waited true"; got != want {
		t.Errorf("the batches observed: %s; want %s (the one before, the held one, then 8 and 6 of the 14 left in the queue: the one whose client left is out of it)", got, want)
	}
	mu.Unlock()
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND lower(email) = lower($2)`, r.ev.ID, late.Email); n != 0 {
		t.Errorf("the registration whose client left was written")
	}
	wantRows := 1 + 1 + len(regs)
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1`, r.ev.ID); n != wantRows {
		t.Errorf("%d registrations, want %d", n, wantRows)
	}
	for _, reg := range regs {
		if got := r.emailCount(reg.ID, domain.EmailConfirmRequest); got != 1 {
			t.Errorf("%s: %d confirmation requests, want 1", reg.Email, got)
		}
		if link := r.confirm(reg.ID); link == nil {
			t.Errorf("%s: the emailed link does not work", reg.Email)
		}
	}
	// Each repeat is emailed its links again; the held row was rolled
	// back, so its address registered as new.
	for _, id := range []string{before.ID, regs[3].ID} {
		if got := r.emailCount(id, domain.EmailAlreadyRegistered); got != 1 {
			t.Errorf("%s: %d repeat emails, want 1", id, got)
		}
	}
	books, err := readSeatBooks(r.ctx, r.db, r.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := books.check(); err != nil {
		t.Error(err)
	}
}

func TestABatchSeatsInArrivalOrderFromTheSeatsLeft(t *testing.T) {
	// 40 seats in 16 parts of 2 or 3: a batch of 49 needs every part.
	r := newBatchRig(t, 40, 64)
	first, release := r.hold()
	regs := r.newRegistrations(r.ev, 49)
	answers := r.queue(regs, nil)
	release()
	if res, err := first.answer(); err != nil || res.Status != domain.StatusPending {
		t.Fatalf("the held registration: %v, %v", res.Status, err)
	}
	for i, b := range answers {
		res, err := b.answer()
		want := domain.StatusPending
		if i >= 39 {
			want = domain.StatusWaitlisted
		}
		if err != nil || !res.Created || res.Status != want {
			t.Errorf("the %d. queued (%s): created %v, %s, %v; want %s: seats go in arrival order", i+1, regs[i].Email, res.Created, res.Status, err, want)
		}
	}
	if most := count(t, r.db, `SELECT max(n) FROM (SELECT count(*) AS n FROM registrations WHERE event_id = $1 GROUP BY xmin::text) AS t`, r.ev.ID); most != 39 {
		t.Errorf("the most registrations one transaction wrote: %d, want 39: the batch seats everyone it has seats for", most)
	}
	books, err := readSeatBooks(r.ctx, r.db, r.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := books.check(); err != nil || books.Held != 40 || *books.Free != 0 {
		t.Errorf("books %+v: %v; want 40 held, none free", books, err)
	}
	r.checkOutcomeEmails(regs)
}

func TestABadRegistrationFailsAloneNotItsBatch(t *testing.T) {
	r := newBatchRig(t, 0, 8)
	first, release := r.hold()
	regs := r.newRegistrations(r.ev, 5)
	regs[2].Country = "UZB" // no such column value: the database refuses it
	answers := r.queue(regs, nil)
	release()
	if _, err := first.answer(); err != nil {
		t.Fatal(err)
	}
	for i, b := range answers {
		res, err := b.answer()
		if i == 2 {
			if err == nil {
				t.Errorf("a registration the database refuses was answered %s", res.Status)
			}
			continue
		}
		if err != nil || !res.Created {
			t.Errorf("register %s beside a bad one: created %v, %v", regs[i].Email, res.Created, err)
		}
	}
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1`, r.ev.ID); n != 5 {
		t.Errorf("%d registrations, want 5: the held one and four good ones", n)
	}
}

// TestRegistrationsInBatchesFromManyClients registers many people for an
// event with and one without a capacity at once, from two Stores, with
// batches on: the books, the emails and the links come out as one at a
// time would make them.
func TestRegistrationsInBatchesFromManyClients(t *testing.T) {
	r, stores := newSharedRig(t, 1)
	for _, st := range stores {
		st.RegisterBatches = 1
	}
	for _, capacity := range []int{0, 60} {
		ev := r.newEvent(capacity)
		const n = 120
		var (
			mu       sync.Mutex
			statuses = map[domain.Status]int{}
			ids      []string
		)
		fns := make([]func(), n)
		for i := range fns {
			reg := r.newRegistration(ev, time.Now())
			fns[i] = func() {
				res, err := stores[i%2].Register(r.ctx, ev, reg)
				if err != nil {
					t.Errorf("register %s: %v", reg.Email, err)
					return
				}
				mu.Lock()
				statuses[res.Status]++
				ids = append(ids, res.Registration.ID)
				mu.Unlock()
			}
		}
		startTogether(fns)
		want := map[domain.Status]int{domain.StatusPending: n}
		if capacity > 0 {
			want = map[domain.Status]int{domain.StatusPending: capacity, domain.StatusWaitlisted: n - capacity}
		}
		if fmt.Sprint(statuses) != fmt.Sprint(want) {
			t.Errorf("capacity %d: answers %v, want %v", capacity, statuses, want)
		}
		books, err := readSeatBooks(r.ctx, r.db, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := books.check(); err != nil {
			t.Errorf("capacity %d: %v", capacity, err)
		}
		if got := count(t, r.db, `SELECT count(*) FROM emails WHERE event_id = $1`, ev.ID); got != n {
			t.Errorf("capacity %d: %d emails, want %d", capacity, got, n)
		}
		if got := count(t, r.db, `SELECT count(*) FROM registration_tokens t JOIN registrations g ON g.id = t.registration_id WHERE g.event_id = $1`, ev.ID); got != n {
			t.Errorf("capacity %d: %d link tokens, want %d", capacity, got, n)
		}
	}
}

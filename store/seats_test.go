package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

// newSharedRig is a storeRig whose database is also served by more
// Stores, each with its own connection pool, as several attend instances
// share one database.
func newSharedRig(t *testing.T, more int) (*storeRig, []*store.Store) {
	t.Helper()
	url := pgtest.NewURL(t) + "&binary_parameters=yes"
	open := func() *sqlx.DB {
		db, err := sqlx.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(8)
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open()
	st := store.New(db)
	st.Sealer = newSealer(t)
	f := &fixture{db: db, st: st, rules: domain.NewRules()}
	f.org = f.organizer(t, "lead@example.org")
	r := &storeRig{f: f, t: t, ctx: context.Background(), db: db, st: st, org: f.org, url: url}
	stores := []*store.Store{st}
	for range more {
		other := store.New(open())
		other.Sealer = st.Sealer
		stores = append(stores, other)
	}
	return r, stores
}

// seatBooks is what the database says of an event's seats, read in one
// statement (so from one snapshot).
type seatBooks struct {
	Held     int  `db:"held"`     // sum of the parts' seats held
	Free     *int `db:"free"`     // sum of the parts' seats free (NULL without capacity)
	Capacity *int `db:"capacity"` // the event's
	Holding  int  `db:"holding"`  // registrations that hold a seat
	Parts    int  `db:"parts"`
	Negative int  `db:"negative"` // parts with fewer than no seats free
}

func readSeatBooks(ctx context.Context, db *sqlx.DB, eventID int64) (seatBooks, error) {
	var b seatBooks
	err := db.GetContext(ctx, &b, `
		SELECT coalesce(sum(p.held), 0)::int AS held, sum(p.free)::int AS free, e.capacity,
			(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status IN ('pending', 'confirmed'))::int AS holding,
			count(p.part)::int AS parts, count(*) FILTER (WHERE p.free < 0)::int AS negative
		FROM events e LEFT JOIN seat_parts p ON p.event_id = e.id
		WHERE e.id = $1 GROUP BY e.id`, eventID)
	return b, err
}

// check reports what is wrong with the books: seats held beyond capacity,
// held seats that no registration holds (or the reverse), and seats lost or
// made up between the parts.
func (b seatBooks) check() error {
	switch {
	case b.Parts != 16 || b.Negative > 0:
		return fmt.Errorf("%d parts, %d with negative free seats", b.Parts, b.Negative)
	case b.Held != b.Holding:
		return fmt.Errorf("%d seats held, but %d registrations hold one", b.Held, b.Holding)
	case b.Capacity == nil && b.Free != nil:
		return fmt.Errorf("no capacity, but %d seats free", *b.Free)
	case b.Capacity != nil && (b.Free == nil || b.Held+*b.Free != *b.Capacity || b.Held > *b.Capacity):
		return fmt.Errorf("%d held + %v free for capacity %d", b.Held, b.Free, *b.Capacity)
	}
	return nil
}

// TestSeatPartsUnderConcurrentRegistrationsCancellationsAndPromotions
// hammers one event from three Stores at once (three instances on one
// database): registrations, confirmations, cancellations of seat holders
// and of waitlisted people. A reader checks the books in SQL all along;
// at the end the seats held are exactly the registrations holding one, the
// freed seats went once each to the first verified people on the list, and
// the rest of the list kept its order.
func TestSeatPartsUnderConcurrentRegistrationsCancellationsAndPromotions(t *testing.T) {
	r, stores := newSharedRig(t, 2)
	const capacity = 30
	ev := r.newEvent(capacity)
	start := time.Now().Add(-time.Hour)

	// 120 people register at once, through the three Stores.
	first := make([]*domain.Registration, 120)
	for i := range first {
		first[i] = r.newRegistration(ev, start.Add(time.Duration(i)*time.Second))
	}
	var mu sync.Mutex
	answers := map[domain.Status]int{}
	fns := make([]func(), len(first))
	for i, reg := range first {
		fns[i] = func() {
			res, err := stores[i%len(stores)].Register(r.ctx, ev, reg)
			if err != nil {
				t.Errorf("register %s: %v", reg.Email, err)
				return
			}
			mu.Lock()
			answers[res.Status]++
			mu.Unlock()
		}
	}
	stop := r.watchSeatBooks(ev.ID)
	startTogether(fns)
	if want := map[domain.Status]int{domain.StatusPending: capacity, domain.StatusWaitlisted: 90}; !maps.Equal(answers, want) {
		t.Fatalf("answers %v, want %v", answers, want)
	}
	holders := r.idsWithStatus(ev.ID, domain.StatusPending)
	waitlist := r.idsWithStatus(ev.ID, domain.StatusWaitlisted)

	// 60 of the waiting list verify their addresses, from all Stores.
	tokens := map[string][]byte{}
	for _, id := range append(slices.Clone(holders), waitlist...) {
		tokens[id] = domain.HashToken(r.linkToken(id))
	}
	link := func(i int, id string, do func(*store.Store, []byte) (*store.Link, error), what string) func() {
		return func() {
			if _, err := do(stores[i%len(stores)], tokens[id]); err != nil {
				t.Errorf("%s %s: %v", what, id, err)
			}
		}
	}
	confirm := func(s *store.Store, h []byte) (*store.Link, error) { return s.ConfirmByToken(r.ctx, h) }
	cancel := func(s *store.Store, h []byte) (*store.Link, error) { return s.CancelByToken(r.ctx, h) }
	fns = nil
	for i, id := range waitlist[:60] {
		fns = append(fns, link(i, id, confirm, "confirm"))
	}
	startTogether(fns)

	// Then, all at once: 20 seat holders cancel, 10 verified people at the
	// end of the list cancel, 10 holders confirm, and 40 more register.
	fns = nil
	for i, id := range holders[:20] {
		fns = append(fns, link(i, id, cancel, "cancel"))
	}
	for i, id := range waitlist[50:60] {
		fns = append(fns, link(i, id, cancel, "cancel"))
	}
	for i, id := range holders[20:] {
		fns = append(fns, link(i, id, confirm, "confirm"))
	}
	late := make([]*domain.Registration, 40)
	for i := range late {
		late[i] = r.newRegistration(ev, start.Add(time.Duration(200+i)*time.Second))
		fns = append(fns, func() {
			res, err := stores[i%len(stores)].Register(r.ctx, ev, late[i])
			if err != nil {
				t.Errorf("register %s: %v", late[i].Email, err)
			} else if res.Status != domain.StatusWaitlisted {
				t.Errorf("late %s got %s while verified people waited", late[i].Email, res.Status)
			}
		})
	}
	startTogether(fns)
	stop()

	books, err := readSeatBooks(r.ctx, r.db, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := books.check(); err != nil {
		t.Errorf("books at the end: %v", err)
	}
	if books.Held != capacity {
		t.Errorf("%d seats held, want all %d (20 freed, 20 promoted)", books.Held, capacity)
	}
	t.Run("the 20 freed seats went once each to the first 20 verified", func(t *testing.T) {
		for _, id := range waitlist[:20] {
			if got := r.state(id).Status; got != domain.StatusConfirmed {
				t.Errorf("%s is %s, want confirmed", id, got)
			}
		}
		for _, id := range waitlist {
			want := 0
			if slices.Contains(waitlist[:20], id) {
				want = 1
			}
			if got := r.emailCount(id, domain.EmailPromoted); got != want {
				t.Errorf("%s got %d promoted emails, want %d", id, got, want)
			}
		}
	})
	t.Run("the rest of the list keeps its order", func(t *testing.T) {
		want := append(slices.Clone(waitlist[20:50]), waitlist[60:]...)
		want = append(want, regIDs(late)...)
		if got := r.idsWithStatus(ev.ID, domain.StatusWaitlisted); !slices.Equal(got, want) {
			t.Errorf("waiting list\n%v, want\n%v", got, want)
		}
	})
}

// watchSeatBooks checks the event's books in SQL, over and over, until the
// returned function is called; each look is one snapshot, in which no
// capacity may be exceeded and no seat lost.
func (r *storeRig) watchSeatBooks(eventID int64) (stop func()) {
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	var looks atomic.Int64
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			b, err := readSeatBooks(ctx, r.db, eventID)
			if err != nil {
				if ctx.Err() == nil {
					r.t.Errorf("read the books: %v", err)
				}
				return
			}
			looks.Add(1)
			if err := b.check(); err != nil {
				r.t.Errorf("books during the run: %v", err)
				return
			}
		}
	}()
	return func() {
		cancel()
		<-done
		if looks.Load() == 0 {
			r.t.Error("the books were never read during the run")
		}
	}
}

// holdLock runs query, a locking statement that must find a row, in a
// transaction of its own that keeps the lock until release (or the test's
// end); the transaction is returned for more statements.
func (r *storeRig) holdLock(query string, args ...any) (tx *sqlx.Tx, release func()) {
	r.t.Helper()
	tx, err := r.db.BeginTxx(r.ctx, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { tx.Rollback() })
	res, err := tx.ExecContext(r.ctx, query, args...)
	if err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		r.t.Fatalf("%s locked nothing (%v)", query, err)
	}
	return tx, func() {
		r.t.Helper()
		if err := tx.Rollback(); err != nil {
			r.t.Fatal(err)
		}
	}
}

// background runs fn at once; done closes when it has answered.
type background[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func inBackground[T any](fn func() (T, error)) *background[T] {
	b := &background[T]{done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.val, b.err = fn()
	}()
	return b
}

func (b *background[T]) answer() (T, error) {
	<-b.done
	return b.val, b.err
}

// waitForLockWaiters waits until n sessions of the test's database wait for
// a lock in a statement whose text contains like. done closing first (the
// one watched answered) fails the test: it did not wait.
func (r *storeRig) waitForLockWaiters(n int, like string, done <-chan struct{}, what string) {
	r.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		var waiting int
		if err := r.db.GetContext(r.ctx, &waiting, `
			SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`, like); err != nil {
			r.t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		select {
		case <-done:
			r.t.Fatalf("%s answered without waiting for a lock on %s", what, like)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s never waited for a lock on %s", what, like)
		}
	}
}

// registerAtOnce registers n new people for ev at once, through stores in
// turn, each of which must answer want within ctx (what says what else is
// going on, for the failures).
func (r *storeRig) registerAtOnce(ctx context.Context, stores []*store.Store, ev *domain.Event, n int, want domain.Status, what string) {
	r.t.Helper()
	fns := make([]func(), n)
	for i := range fns {
		reg := r.newRegistration(ev, time.Now())
		fns[i] = func() {
			res, err := stores[i%len(stores)].Register(ctx, ev, reg)
			if err != nil {
				r.t.Errorf("register %s %s: %v", reg.Email, what, err)
			} else if res.Status != want {
				r.t.Errorf("register %s %s: %s, want %s", reg.Email, what, res.Status, want)
			}
		}
	}
	startTogether(fns)
}

// TestRegistrationsTakeNoEventLockWhileSeatsAreLeft holds the event's row
// lock in another transaction, as the old design had every registration
// do, and registers meanwhile: for an event without capacity and for one
// with seats left, from two Stores at once, nothing waits for it.
func TestRegistrationsTakeNoEventLockWhileSeatsAreLeft(t *testing.T) {
	r, stores := newSharedRig(t, 1)
	for _, capacity := range []int{0, 50} {
		t.Run(fmt.Sprintf("capacity %d", capacity), func(t *testing.T) {
			ev := r.newEvent(capacity)
			_, release := r.holdLock(`SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`, ev.ID)
			// Generous: only a registration that waits for the lock,
			// which is never released before it is done, runs out of it.
			ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
			defer cancel()
			r.registerAtOnce(ctx, stores, ev, 40, domain.StatusPending, "while the event is locked")
			release()
			books, err := readSeatBooks(r.ctx, r.db, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := books.check(); err != nil || books.Held != 40 {
				t.Errorf("books: %v, %d held, want 40", err, books.Held)
			}
		})
	}
}

// TestJoinersOfTheWaitingListDoNotWaitForEachOther holds the event's seat
// lock shared in another transaction, as a registration joining the
// waiting list does until it commits, and registers meanwhile for the full
// event: from two Stores at once, nothing waits for it, and all join the
// list, while another transaction holds the event's row as well, which
// they do not need either. A seat given back waits for that joiner, and a
// registration that comes after the seat given back waits for it in turn,
// however many join meanwhile, and takes the seat rather than joining the
// list.
func TestJoinersOfTheWaitingListDoNotWaitForEachOther(t *testing.T) {
	r, stores := newSharedRig(t, 1)
	ev := r.newEvent(16) // one seat in each part
	holders := r.signUpMany(ev, 16, time.Now().Add(-time.Hour))

	_, releaseJoiner := r.holdLock(`SELECT lock_event_seats($1, true)`, ev.ID)
	_, releaseRow := r.holdLock(`SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`, ev.ID)
	// Generous: only a registration that waits for the joiner, which is
	// not done before they all are, runs out of it.
	ctx, cancel := context.WithTimeout(r.ctx, 20*time.Second)
	defer cancel()
	r.registerAtOnce(ctx, stores, ev, 30, domain.StatusWaitlisted, "while another joins the list")
	releaseRow()

	// A seat given back holds the seat lock alone: it waits for the
	// joiner, whose registration its promotion must see.
	token := domain.HashToken(r.linkToken(holders[0].ID))
	cancelled := inBackground(func() (*store.Link, error) { return r.st.CancelByToken(r.ctx, token) })
	r.waitForLockWaiters(1, "lock_event_seats", cancelled.done, "the cancellation")
	// A registration after it queues behind it, as a rush's would: a
	// joiner does not pass a waiting cancellation.
	late := inBackground(func() (store.RegisterResult, error) {
		return stores[1].Register(r.ctx, ev, r.newRegistration(ev, time.Now()))
	})
	r.waitForLockWaiters(2, "lock_event_seats", late.done, "a registration after the cancellation")
	releaseJoiner()
	if _, err := cancelled.answer(); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	// Nobody on the list has verified an address, so the seat given back
	// goes to the registration that waited for it.
	if res, err := late.answer(); err != nil || res.Status != domain.StatusPending {
		t.Fatalf("register after a seat came back: %v, %v; want pending", res.Status, err)
	}
	books, err := readSeatBooks(r.ctx, r.db, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := books.check(); err != nil || books.Held != 16 {
		t.Errorf("books: %v, %d held, want 16", err, books.Held)
	}
	if got := len(r.idsWithStatus(ev.ID, domain.StatusWaitlisted)); got != 30 {
		t.Errorf("%d waitlisted, want 30", got)
	}
}

// TestSeatsGivenBackWaitForTheSeatLockBeforeAnyRegistration: a joiner of
// the waiting list holds the seat lock shared and may then wait for a
// registration's row (the same address registering again). So whatever
// gives a seat back takes the seat lock before any registration's row:
// while it waits for the joiner, the registration it is about to change is
// not locked, and the joiner can take it (NOWAIT) rather than deadlock.
func TestSeatsGivenBackWaitForTheSeatLockBeforeAnyRegistration(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(16, func(in *domain.EventInput) { in.ConfirmWithinHours = domain.Some(24) })
	holders := r.signUpMany(ev, 16, time.Now().Add(-time.Hour))
	ids := regIDs(holders)
	r.exec(`UPDATE registrations SET created_at = created_at - interval '25 hours' WHERE id = $1`, ids[2])
	link := domain.HashToken(r.linkToken(ids[0]))
	actions := []struct {
		name string
		id   string // the registration it changes
		do   func() (int, error)
	}{
		{"cancel by link", ids[0], func() (int, error) {
			_, err := r.st.CancelByToken(r.ctx, link)
			return 1, err
		}},
		{"cancel by the organizer", ids[1], func() (int, error) {
			_, err := r.st.CancelRegistration(r.ctx, r.org.ID, ev.Slug, ids[1], "")
			return 1, err
		}},
		{"expiry", ids[2], func() (int, error) { return r.st.ExpireUnconfirmed(r.ctx) }},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			joiner, release := r.holdLock(`SELECT lock_event_seats($1, true)`, ev.ID)
			change := inBackground(a.do)
			r.waitForLockWaiters(1, "lock_event_seats", change.done, a.name)
			if _, err := joiner.ExecContext(r.ctx, `SELECT 1 FROM registrations WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, a.id); err != nil {
				t.Errorf("the registration was locked while its change waited for the seat lock: %v", err)
			}
			release()
			if _, err := change.answer(); err != nil {
				t.Fatalf("%s: %v", a.name, err)
			}
		})
	}
	for i, want := range []domain.Status{domain.StatusCancelled, domain.StatusCancelled, domain.StatusExpired} {
		if got := r.state(ids[i]).Status; got != want {
			t.Errorf("%s is %s, want %s", ids[i], got, want)
		}
	}
}

// TestTheEventIsFullOnlyWhenEveryPartIsEmpty: with one seat left, in a
// part that another transaction holds (a registration in flight), a new
// registration is not waitlisted on sight: it waits for that transaction
// and, when it gives the seat up, takes it.
func TestTheEventIsFullOnlyWhenEveryPartIsEmpty(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(16) // one seat in each part
	r.signUpMany(ev, 15, time.Now().Add(-time.Hour))

	_, giveUp := r.holdLock(`SELECT part FROM seat_parts WHERE event_id = $1 AND free > 0 FOR UPDATE`, ev.ID)
	reg := r.newRegistration(ev, time.Now())
	registered := inBackground(func() (store.RegisterResult, error) { return r.st.Register(r.ctx, ev, reg) })
	r.waitForLockWaiters(1, "seat_parts", registered.done, "the registration")
	giveUp()
	if res, err := registered.answer(); err != nil || res.Status != domain.StatusPending {
		t.Fatalf("answered %s (%v), want pending: the seat given up", res.Status, err)
	}
	if got := r.seatsHeld(ev.ID); got != 16 {
		t.Errorf("%d seats held, want 16", got)
	}
}

// TestCapacityChangesRespreadTheSeatsLeft: raising, lowering and removing
// the capacity keep the books exact, and a capacity below the seats held
// is refused with the exact count even while registrations hold parts.
func TestCapacityChangesRespreadTheSeatsLeft(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(10)
	r.signUpMany(ev, 7, time.Now().Add(-time.Hour))
	setCapacity := func(c *int) error {
		_, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(e *domain.Event) error {
			e.Capacity = c
			return nil
		})
		return err
	}
	for _, c := range []*int{ptr(40), ptr(7), nil, ptr(9)} {
		if err := setCapacity(c); err != nil {
			t.Fatalf("capacity %v: %v", c, err)
		}
		books, err := readSeatBooks(r.ctx, r.db, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := books.check(); err != nil || books.Held != 7 {
			t.Errorf("capacity %v: %v, %d held", c, err, books.Held)
		}
	}
	e, ok := domain.AsError(setCapacity(ptr(6)))
	if !ok || e.Code != domain.EConflict || e.Extra["seats_held"] != 7 {
		t.Errorf("capacity 6 below 7 held: %v, want conflict with seats_held 7", e)
	}
}

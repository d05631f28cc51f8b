package store_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// startTogether starts fns at once, in a random order, and waits for all of them.
func startTogether(fns []func()) {
	rand.Shuffle(len(fns), func(i, j int) { fns[i], fns[j] = fns[j], fns[i] })
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

func TestConcurrentRegistrationsNeverOverbook(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(25)
	const n = 200
	regs := r.newRegistrations(ev, n)
	var (
		mu       sync.Mutex
		statuses = map[domain.Status]int{}
	)
	fns := make([]func(), n)
	for i, reg := range regs {
		fns[i] = func() {
			res, err := r.st.Register(r.ctx, ev, reg)
			if err != nil {
				t.Errorf("register %s: %v", reg.Email, err)
				return
			}
			if !res.Created {
				t.Errorf("register %s: not created", reg.Email)
			}
			mu.Lock()
			statuses[res.Status]++
			mu.Unlock()
		}
	}
	startTogether(fns)

	want := map[domain.Status]int{domain.StatusPending: 25, domain.StatusWaitlisted: 175}
	if !maps.Equal(statuses, want) {
		t.Errorf("answers: %v, want %v", statuses, want)
	}
	if got := r.countByStatus(ev.ID); !maps.Equal(got, want) {
		t.Errorf("stored statuses: %v, want %v", got, want)
	}
	if got := r.seatsHeld(ev.ID); got != 25 {
		t.Errorf("seats_held = %d, want 25", got)
	}
	r.checkOutcomeEmails(regs)
}

func TestWaitlistPromotesVerifiedPeopleInRegistrationOrder(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(2)
	start := time.Now().Add(-time.Hour)
	regs := r.signUpMany(ev, 6, start)
	a, b, w1, w2, w3, w4 := regs[0], regs[1], regs[2], regs[3], regs[4], regs[5]
	for _, w := range []*domain.Registration{w1, w2, w3, w4} {
		if w.Status != domain.StatusWaitlisted {
			t.Fatalf("%s is %s, want waitlisted", w.LastName, w.Status)
		}
	}
	name := map[string]string{a.ID: "A", b.ID: "B", w1.ID: "W1", w2.ID: "W2", w3.ID: "W3", w4.ID: "W4"}

	type want struct {
		status   domain.Status
		verified bool
	}
	check := func(t *testing.T, wants map[*domain.Registration]want) {
		t.Helper()
		for reg, w := range wants {
			got := r.state(reg.ID)
			if got.Status != w.status || got.Verified != w.verified {
				t.Errorf("%s: %s (verified %v), want %s (verified %v)",
					name[reg.ID], got.Status, got.Verified, w.status, w.verified)
			}
		}
	}

	t.Run("confirming while waitlisted verifies the address and keeps the place", func(t *testing.T) {
		for _, w := range []*domain.Registration{w2, w4} {
			l := r.confirm(w.ID)
			if l.Registration.Status != domain.StatusWaitlisted {
				t.Errorf("%s answered %s, want waitlisted", name[w.ID], l.Registration.Status)
			}
		}
		check(t, map[*domain.Registration]want{
			w1: {domain.StatusWaitlisted, false}, w2: {domain.StatusWaitlisted, true},
			w3: {domain.StatusWaitlisted, false}, w4: {domain.StatusWaitlisted, true},
		})
	})
	t.Run("a freed seat goes to the first verified person, not the first in line", func(t *testing.T) {
		r.cancel(a.ID)
		check(t, map[*domain.Registration]want{
			w1: {domain.StatusWaitlisted, false}, w2: {domain.StatusConfirmed, true}, w4: {domain.StatusWaitlisted, true},
		})
		r.cancel(b.ID)
		check(t, map[*domain.Registration]want{
			w1: {domain.StatusWaitlisted, false}, w3: {domain.StatusWaitlisted, false}, w4: {domain.StatusConfirmed, true},
		})
	})
	t.Run("a seat nobody verified can take stays free", func(t *testing.T) {
		r.cancel(w4.ID)
		if got := r.seatsHeld(ev.ID); got != 1 {
			t.Errorf("seats_held = %d, want 1", got)
		}
		check(t, map[*domain.Registration]want{w1: {domain.StatusWaitlisted, false}, w3: {domain.StatusWaitlisted, false}})
	})
	t.Run("an unverified person who confirms while a seat is free gets it at once", func(t *testing.T) {
		l := r.confirm(w3.ID)
		if l.Registration.Status != domain.StatusConfirmed {
			t.Errorf("W3 answered %s, want confirmed", l.Registration.Status)
		}
		check(t, map[*domain.Registration]want{w1: {domain.StatusWaitlisted, false}, w3: {domain.StatusConfirmed, true}})
	})
	t.Run("an unverified person who confirms when all seats are held keeps the place", func(t *testing.T) {
		r.confirm(w1.ID)
		check(t, map[*domain.Registration]want{w1: {domain.StatusWaitlisted, true}})
		r.cancel(w2.ID)
		check(t, map[*domain.Registration]want{w1: {domain.StatusConfirmed, true}})
	})
	t.Run("everyone promoted got exactly one promoted email, and nobody else did", func(t *testing.T) {
		for _, reg := range regs {
			want := 0
			if reg == w1 || reg == w2 || reg == w3 || reg == w4 {
				want = 1
			}
			if got := r.emailCount(reg.ID, domain.EmailPromoted); got != want {
				t.Errorf("%s: %d promoted emails, want %d", name[reg.ID], got, want)
			}
		}
	})
	if got := r.seatsHeld(ev.ID); got != 2 {
		t.Errorf("seats_held = %d at the end, want 2", got)
	}
}

func TestInterleavedCancellationsAndConfirmationsKeepTheCountsAndTheOrder(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(100)
	start := time.Now().Add(-time.Hour)
	holders := r.signUpMany(ev, 100, start)
	waitlist := r.signUpMany(ev, 80, start.Add(time.Hour/2))
	for _, w := range waitlist {
		if w.Status != domain.StatusWaitlisted {
			t.Fatalf("%s is %s, want waitlisted", w.Email, w.Status)
		}
		r.confirm(w.ID) // verified, still waiting
	}
	// Look the tokens up first, so the goroutines only race on the real work.
	tokens := map[string][]byte{}
	for _, reg := range append(slices.Clone(holders), waitlist...) {
		tokens[reg.ID] = domain.HashToken(r.linkToken(reg.ID))
	}

	var fns []func()
	action := func(id string, do func(hash []byte) (*store.Link, error), what string) func() {
		return func() {
			if _, err := do(tokens[id]); err != nil {
				t.Errorf("%s %s: %v", what, id, err)
			}
		}
	}
	for _, reg := range holders[:40] {
		fns = append(fns, action(reg.ID, func(h []byte) (*store.Link, error) { return r.st.CancelByToken(r.ctx, h) }, "cancel"))
	}
	for _, reg := range waitlist[70:] {
		fns = append(fns, action(reg.ID, func(h []byte) (*store.Link, error) { return r.st.CancelByToken(r.ctx, h) }, "cancel"))
	}
	for _, reg := range holders[40:90] {
		fns = append(fns, action(reg.ID, func(h []byte) (*store.Link, error) { return r.st.ConfirmByToken(r.ctx, h) }, "confirm"))
	}
	startTogether(fns)

	counts := r.countByStatus(ev.ID)
	held := r.seatsHeld(ev.ID)
	if held != counts[domain.StatusPending]+counts[domain.StatusConfirmed] || held > 100 {
		t.Errorf("seats_held = %d with %v, want pending+confirmed and at most 100", held, counts)
	}
	want := map[domain.Status]int{domain.StatusConfirmed: 90, domain.StatusPending: 10,
		domain.StatusCancelled: 50, domain.StatusWaitlisted: 30}
	if !maps.Equal(counts, want) {
		t.Errorf("statuses %v, want %v", counts, want)
	}
	t.Run("the 40 freed seats went to the first 40 on the list", func(t *testing.T) {
		for _, w := range waitlist[:40] {
			if got := r.state(w.ID).Status; got != domain.StatusConfirmed {
				t.Errorf("%s is %s, want confirmed", w.Email, got)
			}
			if got := r.emailCount(w.ID, domain.EmailPromoted); got != 1 {
				t.Errorf("%s got %d promoted emails, want 1", w.Email, got)
			}
		}
	})
	t.Run("the rest of the list keeps its original order", func(t *testing.T) {
		got := r.idsWithStatus(ev.ID, domain.StatusWaitlisted)
		if wantIDs := regIDs(waitlist[40:70]); !slices.Equal(got, wantIDs) {
			t.Errorf("waitlist %v, want %v", got, wantIDs)
		}
	})
}

func TestExpiryFreesSeatsForTheWaitlistOnce(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(10, func(in *domain.EventInput) { in.ConfirmWithinHours = domain.Some(24) })
	start := time.Now().Add(-time.Hour)
	pending := r.signUpMany(ev, 10, start)
	verified := r.signUpMany(ev, 8, start.Add(time.Minute))
	unverified := r.signUpMany(ev, 4, start.Add(2*time.Minute))
	for _, w := range verified {
		r.confirm(w.ID)
	}
	// The first seven registered more than 24 hours ago; the other three are
	// still within their time.
	old := pending[:7]
	r.exec(`UPDATE registrations SET created_at = created_at - interval '25 hours' WHERE id = ANY($1::uuid[])`,
		pq.Array(regIDs(old)))

	counts := make([]int, 2)
	var wg sync.WaitGroup
	for i := range counts {
		wg.Go(func() {
			n, err := r.st.ExpireUnconfirmed(r.ctx)
			if err != nil {
				t.Errorf("ExpireUnconfirmed: %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()

	if counts[0]+counts[1] != 7 {
		t.Errorf("expired %v in the two runs, want 7 in total", counts)
	}
	for i, reg := range pending {
		want := domain.StatusPending
		if i < 7 {
			want = domain.StatusExpired
		}
		if got := r.state(reg.ID).Status; got != want {
			t.Errorf("pending[%d] is %s, want %s", i, got, want)
		}
	}
	t.Run("the first seven verified people are promoted, once each", func(t *testing.T) {
		for i, reg := range verified {
			wantStatus, wantEmails := domain.StatusConfirmed, 1
			if i >= 7 {
				wantStatus, wantEmails = domain.StatusWaitlisted, 0
			}
			if got := r.state(reg.ID).Status; got != wantStatus {
				t.Errorf("verified[%d] is %s, want %s", i, got, wantStatus)
			}
			if got := r.emailCount(reg.ID, domain.EmailPromoted); got != wantEmails {
				t.Errorf("verified[%d] got %d promoted emails, want %d", i, got, wantEmails)
			}
		}
		for i, reg := range unverified {
			if got := r.state(reg.ID).Status; got != domain.StatusWaitlisted {
				t.Errorf("unverified[%d] is %s, want waitlisted", i, got)
			}
		}
	})
	if got := r.seatsHeld(ev.ID); got != 10 {
		t.Errorf("seats_held = %d, want 10", got)
	}
	t.Run("a second run finds nothing more to expire", func(t *testing.T) {
		n, err := r.st.ExpireUnconfirmed(r.ctx)
		if err != nil || n != 0 {
			t.Errorf("ExpireUnconfirmed = %d, %v; want 0, nil", n, err)
		}
	})
	t.Run("an expired link answers gone", func(t *testing.T) {
		_, err := r.st.ConfirmByToken(r.ctx, domain.HashToken(r.linkToken(old[0].ID)))
		if domain.ErrorCode(err) != domain.EGone {
			t.Errorf("confirm after expiry: %v, want %s", err, domain.EGone)
		}
	})
}

func TestRaisingCapacityPromotesVerifiedWaitlisted(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(2)
	regs := r.signUpMany(ev, 6, time.Now().Add(-time.Hour))
	waiting := regs[2:]
	r.confirm(waiting[1].ID)
	r.confirm(waiting[2].ID)
	r.confirm(waiting[3].ID)

	updated, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(ev *domain.Event) error {
		c := 4
		ev.Capacity = &c
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.SeatsHeld != 4 {
		t.Errorf("updated event shows %d seats held, want 4", updated.SeatsHeld)
	}
	wants := []domain.Status{domain.StatusWaitlisted, domain.StatusConfirmed, domain.StatusConfirmed, domain.StatusWaitlisted}
	for i, w := range waiting {
		if got := r.state(w.ID).Status; got != wants[i] {
			t.Errorf("waiting[%d] is %s, want %s", i, got, wants[i])
		}
	}

	t.Run("a capacity below the seats held is refused with the count", func(t *testing.T) {
		_, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(ev *domain.Event) error {
			c := 3
			ev.Capacity = &c
			return nil
		})
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.EConflict || e.Extra["seats_held"] != 4 {
			t.Errorf("err = %#v, want conflict with seats_held 4", err)
		}
	})
	t.Run("an unlimited capacity lets every verified person in", func(t *testing.T) {
		if _, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(ev *domain.Event) error {
			ev.Capacity = nil
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := r.state(waiting[3].ID).Status; got != domain.StatusConfirmed {
			t.Errorf("waiting[3] is %s, want confirmed", got)
		}
		if got := r.state(waiting[0].ID).Status; got != domain.StatusWaitlisted {
			t.Errorf("unverified waiting[0] is %s, want still waitlisted", got)
		}
	})
}

func TestOrganizerCancellationAndPromotion(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(2)
	regs := r.signUpMany(ev, 4, time.Now().Add(-time.Hour))
	holder, other, first, second := regs[0], regs[1], regs[2], regs[3]
	r.confirm(second.ID) // verified; first is not

	t.Run("cancelling with a message puts it in the email and gives the seat away", func(t *testing.T) {
		const message = "The hall is smaller than planned.\nWe are sorry — Организаторы"
		reg, err := r.st.CancelRegistration(r.ctx, r.org.ID, ev.Slug, holder.ID, message)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Status != domain.StatusCancelled || reg.CancelledAt == nil {
			t.Errorf("answer: %s, cancelled_at %v", reg.Status, reg.CancelledAt)
		}
		var payload store.EmailPayload
		if err := r.db.GetContext(r.ctx, &payload, `
			SELECT payload FROM emails WHERE registration_id = $1 AND kind = 'cancelled'`, holder.ID); err != nil {
			t.Fatal(err)
		}
		if payload.Message != message {
			t.Errorf("cancelled email message %q, want %q", payload.Message, message)
		}
		if got := r.state(second.ID).Status; got != domain.StatusConfirmed {
			t.Errorf("verified waitlisted is %s, want confirmed", got)
		}
		if got := r.state(first.ID).Status; got != domain.StatusWaitlisted {
			t.Errorf("unverified waitlisted is %s, want waitlisted", got)
		}
	})
	t.Run("cancelling twice changes nothing more", func(t *testing.T) {
		if _, err := r.st.CancelRegistration(r.ctx, r.org.ID, ev.Slug, holder.ID, "again"); err != nil {
			t.Fatal(err)
		}
		if got := r.emailCount(holder.ID, domain.EmailCancelled); got != 1 {
			t.Errorf("%d cancelled emails, want 1", got)
		}
		if got := r.seatsHeld(ev.ID); got != 2 {
			t.Errorf("seats_held = %d, want 2", got)
		}
	})

	tests := []struct {
		name  string
		regID string
		org   int64
		want  domain.Code
	}{
		{"promoting beyond capacity is a conflict", first.ID, r.org.ID, domain.EConflict},
		{"promoting someone who is not waitlisted is a conflict", other.ID, r.org.ID, domain.EConflict},
		{"promoting a cancelled registration is a conflict", holder.ID, r.org.ID, domain.EConflict},
		{"promoting at another organizer's event is not found", first.ID, r.org.ID + 1000, domain.ENotFound},
		{"promoting an unknown registration is not found", "00000000-0000-0000-0000-000000000000", r.org.ID, domain.ENotFound},
		{"promoting a malformed id is not found", "not-a-uuid", r.org.ID, domain.ENotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.st.PromoteRegistration(r.ctx, tt.org, ev.Slug, tt.regID)
			if got := domain.ErrorCode(err); got != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
		})
	}
	if got := r.seatsHeld(ev.ID); got != 2 {
		t.Errorf("seats_held = %d after refused promotions, want 2", got)
	}

	t.Run("an organizer may promote an unverified person when a seat is free", func(t *testing.T) {
		if _, err := r.st.CancelRegistration(r.ctx, r.org.ID, ev.Slug, other.ID, ""); err != nil {
			t.Fatal(err)
		}
		reg, err := r.st.PromoteRegistration(r.ctx, r.org.ID, ev.Slug, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Status != domain.StatusConfirmed {
			t.Errorf("promoted registration is %s, want confirmed", reg.Status)
		}
		if got := r.emailCount(first.ID, domain.EmailPromoted); got != 1 {
			t.Errorf("%d promoted emails, want 1", got)
		}
		if got := r.seatsHeld(ev.ID); got != 2 {
			t.Errorf("seats_held = %d, want 2", got)
		}
	})
}

// TestConcurrentRepeatsKeepTheHourlyAllowance sends many requests for one
// registered address at once while another transaction holds the
// registration's row lock: each request is a statement on its own, which
// counts the address's emails only once it holds that lock
// (emails_to_address_after_lock), so they wait, and together they send no
// more than the hourly allowance. A statement that counted with its own
// snapshot, taken before any lock, would neither wait nor see the others'
// emails.
func TestConcurrentRepeatsKeepTheHourlyAllowance(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	first := r.signUp(ev, time.Now())

	_, release := r.holdLock(`SELECT 1 FROM registrations WHERE id = $1 FOR NO KEY UPDATE`, first.ID)
	const n = 12
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again := r.newRegistration(ev, time.Now())
			again.Email = first.Email
			res, err := r.st.Register(r.ctx, ev, again)
			if err != nil {
				t.Errorf("register again: %v", err)
				return
			}
			if res.Created || res.Registration.ID != first.ID {
				t.Errorf("register again: created %v, id %s; want the registration %s", res.Created, res.Registration.ID, first.ID)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	r.waitForLockWaiters(n, "emails_to_address_after_lock", done, "the repeats (counting without the registration's lock)")
	release()
	<-done
	var emails int
	if err := r.db.GetContext(r.ctx, &emails, `SELECT count(*) FROM emails WHERE registration_id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	if emails != domain.MaxEmailsPerAddressHour {
		t.Errorf("%d emails to the address after %d requests at once, want %d (the first and its repeats within the hour)",
			emails, n, domain.MaxEmailsPerAddressHour)
	}
}

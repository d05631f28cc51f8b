package store_test

import (
	"testing"
	"time"

	"github.com/attend/attend/store"
)

// TestOutboxDepthCountsWhatWaitsAndHowLate follows emails through the
// outbox on the store's clock and checks the depth an operator sees: due,
// scheduled for a retry, and being sent under a lease, and how long the
// oldest due email has waited.
func TestOutboxDepthCountsWhatWaitsAndHowLate(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	now := time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)
	at := func(d time.Time) { r.st.Now = func() time.Time { return d } }
	depth := func() store.OutboxDepth {
		t.Helper()
		d, err := r.st.OutboxDepth(r.ctx)
		if err != nil {
			t.Fatalf("OutboxDepth: %v", err)
		}
		return d
	}

	at(now)
	if d := depth(); d != (store.OutboxDepth{}) {
		t.Errorf("an empty outbox has depth %+v, want zero", d)
	}

	at(now.Add(-10 * time.Minute))
	r.signUp(ev, now.Add(-10*time.Minute))
	at(now.Add(-4 * time.Minute))
	r.signUp(ev, now.Add(-4*time.Minute))
	r.signUp(ev, now.Add(-4*time.Minute))
	at(now)
	r.signUp(ev, now)
	if d, want := depth(), (store.OutboxDepth{Due: 4, OldestDue: 10 * time.Minute}); d != want {
		t.Errorf("four queued emails: depth %+v, want %+v", d, want)
	}

	// The oldest two are claimed; one of them fails for now and is retried
	// in five minutes, the other is still being sent.
	ids := r.claim(2)
	if len(ids) != 2 {
		t.Fatalf("claimed %d emails, want 2", len(ids))
	}
	if err := r.st.MarkRetry(r.ctx, ids[1], "451 try later", now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, want := depth(), (store.OutboxDepth{Due: 2, Scheduled: 1, Sending: 1, OldestDue: 4 * time.Minute}); d != want {
		t.Errorf("after a claim and a retry: depth %+v, want %+v", d, want)
	}

	// Two hours on, the lease (one hour) has run out: the claimed email is
	// due again, and it has been due longest.
	at(now.Add(2 * time.Hour))
	if d, want := depth(), (store.OutboxDepth{Due: 4, OldestDue: 2*time.Hour + 10*time.Minute}); d != want {
		t.Errorf("after the lease ran out: depth %+v, want %+v", d, want)
	}

	// Sent emails leave the count.
	rows, err := r.st.ClaimDue(r.ctx, 10, time.Hour)
	if err != nil || len(rows) != 4 {
		t.Fatalf("ClaimDue = %d rows, %v; want 4", len(rows), err)
	}
	if err := r.st.MarkSent(r.ctx, []int64{rows[0].ID, rows[1].ID, rows[2].ID, rows[3].ID}); err != nil {
		t.Fatal(err)
	}
	if d := depth(); d != (store.OutboxDepth{}) {
		t.Errorf("with every email sent: depth %+v, want zero", d)
	}
}

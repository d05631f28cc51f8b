package store_test

import (
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/store"
)

// TestQueuedEmailWakesWorkersAfterCommit: a registration wakes the mail
// workers of its own process through SubscribeWake, and those of another
// process (here a LISTEN connection of its own) with a NOTIFY sent after
// the commit, not in the registration's transaction.
func TestQueuedEmailWakesWorkersAfterCommit(t *testing.T) {
	r, stores := newSharedRig(t, 1)
	ev := r.newEvent(0)
	local, unsubscribe := stores[0].SubscribeWake()
	defer unsubscribe()
	quiet, unsubscribeQuiet := stores[1].SubscribeWake() // another process's Store
	defer unsubscribeQuiet()

	listener := pq.NewListener(r.url, time.Second, time.Second, nil)
	defer listener.Close()
	if err := listener.Listen(store.NotifyChannel); err != nil {
		t.Fatal(err)
	}

	reg := r.newRegistration(ev, time.Now())
	if _, err := stores[0].Register(r.ctx, ev, reg); err != nil {
		t.Fatal(err)
	}
	// Generous bounds that only a missing wake-up reaches; they are no
	// measure of how fast it comes.
	select {
	case <-local:
	case <-time.After(30 * time.Second):
		t.Fatal("the Store that queued the email did not wake its own workers")
	}
	select {
	case n := <-listener.Notify:
		if n == nil || n.Channel != store.NotifyChannel {
			t.Errorf("notification %+v, want one on %s", n, store.NotifyChannel)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no NOTIFY reached another process's LISTEN")
	}
	select {
	case <-quiet:
		t.Error("a Store that queued nothing woke its workers")
	default:
	}
}

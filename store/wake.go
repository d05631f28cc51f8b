package store

import (
	"context"
	"sync"
	"time"
)

// Mail workers are woken when email is queued, without a NOTIFY inside the
// transaction that queues it: PostgreSQL serializes the commits of all
// transactions that called NOTIFY (a database-wide lock held from before
// the commit until it completes), so a pg_notify in every registration
// made them commit one at a time (docs/PERFORMANCE.md, "Waking the mail
// worker"). Instead, once such a transaction has committed, the workers of
// this process are signalled directly, and one NOTIFY of its own, shared
// by every commit that happens while it is on its way, wakes the workers
// of other processes.

// DefaultWakeGap is the default of Store.WakeGap.
const DefaultWakeGap = 20 * time.Millisecond

// wakeTimeout bounds one NOTIFY; a wake-up that fails is not retried, as
// the workers also poll.
const wakeTimeout = 5 * time.Second

// mailWake is a Store's wake-ups: the channels of its workers and whether a
// NOTIFY is on its way or due again.
type mailWake struct {
	mu        sync.Mutex
	listeners map[chan struct{}]struct{}
	sending   bool // a goroutine is sending NOTIFYs
	again     bool // email was queued since its NOTIFY began
}

// SubscribeWake returns a channel that receives a value (at most one
// waiting) whenever this Store has committed a transaction that queued
// email, and a function that stops the deliveries. The mail worker of the
// same process uses it to start at once.
func (s *Store) SubscribeWake() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	s.wake.mu.Lock()
	if s.wake.listeners == nil {
		s.wake.listeners = map[chan struct{}]struct{}{}
	}
	s.wake.listeners[ch] = struct{}{}
	s.wake.mu.Unlock()
	return ch, func() {
		s.wake.mu.Lock()
		delete(s.wake.listeners, ch)
		s.wake.mu.Unlock()
	}
}

// wakeWorkers is called after a commit that queued email: it signals this
// process's workers and makes sure a NOTIFY goes out after it, coalescing
// the commits of a rush into one NOTIFY per WakeGap at most.
func (s *Store) wakeWorkers() {
	s.wake.mu.Lock()
	defer s.wake.mu.Unlock()
	for ch := range s.wake.listeners {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is already waiting
		}
	}
	if s.wake.sending {
		s.wake.again = true
		return
	}
	s.wake.sending = true
	go s.sendNotifies()
}

// sendNotifies sends NOTIFYs, each in a transaction of its own, until no
// email was queued while the last one was on its way.
func (s *Store) sendNotifies() {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), wakeTimeout)
		// A failed NOTIFY only delays the other processes' workers until
		// their next poll (MAIL_POLL_INTERVAL), so it is not worth an error.
		_, _ = s.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, NotifyChannel)
		cancel()
		if s.WakeGap > 0 {
			time.Sleep(s.WakeGap)
		}
		s.wake.mu.Lock()
		if !s.wake.again {
			s.wake.sending = false
			s.wake.mu.Unlock()
			return
		}
		s.wake.again = false
		s.wake.mu.Unlock()
	}
}

package admin

import (
	"hash/maphash"
	"sync"
	"time"
)

// windowCounter counts events per key over a sliding window, estimated the
// way github.com/go-chi/httprate does: the count of the current fixed
// window plus the previous window's, weighted by how much of it the sliding
// window still covers. Only these two windows are kept, so memory is
// bounded by the keys seen in them.
//
// Unlike httprate it reads the server's clock, so tests can move time, and
// it can take back a count (refund), so that a limit can be reserved before
// a slow check and given back when the check succeeds. Keys are stored as
// 64-bit hashes under a per-process random seed: an email address typed
// into a form costs eight bytes however long it is, and nobody outside the
// process can aim two keys at one counter.
type windowCounter struct {
	window time.Duration
	now    func() time.Time
	seed   maphash.Seed

	mu        sync.Mutex
	start     time.Time // start of the current fixed window
	cur, prev map[uint64]int
}

func newWindowCounter(window time.Duration, now func() time.Time) *windowCounter {
	return &windowCounter{window: window, now: now, seed: maphash.MakeSeed(),
		cur: map[uint64]int{}, prev: map[uint64]int{}}
}

// take counts one event for key and reports true if that keeps the key
// within limit; over the limit it counts nothing and reports false.
func (w *windowCounter) take(key string, limit int) bool {
	h := maphash.String(w.seed, key)
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.roll()
	if w.rate(h, now)+1 > float64(limit) {
		return false
	}
	w.cur[h]++
	return true
}

// add counts one event for key, without a limit.
func (w *windowCounter) add(key string) {
	h := maphash.String(w.seed, key)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.roll()
	w.cur[h]++
}

// refund takes back one event that take or add counted a moment ago: from
// the current window, or from the previous one if the window has moved on
// since.
func (w *windowCounter) refund(key string) {
	h := maphash.String(w.seed, key)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.roll()
	for _, m := range []map[uint64]int{w.cur, w.prev} {
		if n := m[h]; n > 0 {
			if n == 1 {
				delete(m, h)
			} else {
				m[h] = n - 1
			}
			return
		}
	}
}

// count is the number of events for key in the sliding window, rounded.
func (w *windowCounter) count(key string) int {
	h := maphash.String(w.seed, key)
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.roll()
	return int(w.rate(h, now) + 0.5)
}

// roll moves the fixed windows up to now and returns now. A clock that
// jumped back, or forward by more than a window, starts afresh.
func (w *windowCounter) roll() time.Time {
	now := w.now()
	start := now.Truncate(w.window)
	switch {
	case start.Equal(w.start):
	case start.Equal(w.start.Add(w.window)):
		w.cur, w.prev = w.prev, w.cur
		clear(w.cur)
	default:
		clear(w.cur)
		clear(w.prev)
	}
	w.start = start
	return now
}

func (w *windowCounter) rate(h uint64, now time.Time) float64 {
	left := float64(w.window-now.Sub(w.start)) / float64(w.window) // share of the previous window still covered
	return float64(w.prev[h])*left + float64(w.cur[h])
}

package admin

import (
	"context"
	"testing"
	"time"
)

func TestLoginDelayDoublesUpToItsBound(t *testing.T) {
	g := newLoginGuard(loginGuardConfig{delay: 250 * time.Millisecond, delayMax: 5 * time.Second, now: time.Now})
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0},
		{1, 250 * time.Millisecond},
		{2, 500 * time.Millisecond},
		{3, time.Second},
		{5, 4 * time.Second},
		{6, 5 * time.Second},
		{1 << 30, 5 * time.Second},
	}
	for _, tt := range tests {
		if got := g.delayFor(tt.failures); got != tt.want {
			t.Errorf("after %d failures: %v, want %v", tt.failures, got, tt.want)
		}
	}
	if off := newLoginGuard(loginGuardConfig{now: time.Now}); off.delayFor(100) != 0 {
		t.Errorf("LOGIN_DELAY=0 still delays: %v", off.delayFor(100))
	}
}

func TestWindowCounter(t *testing.T) {
	now := time.Date(2019, time.May, 30, 10, 0, 0, 0, time.UTC)
	w := newWindowCounter(10*time.Minute, func() time.Time { return now })

	t.Run("take stops at the limit and refund gives a place back", func(t *testing.T) {
		for i := range 3 {
			if !w.take("a", 3) {
				t.Fatalf("take %d refused under the limit", i+1)
			}
		}
		if w.take("a", 3) {
			t.Fatal("a fourth take passed a limit of 3")
		}
		if !w.take("b", 3) {
			t.Error("another key shares the count")
		}
		w.refund("a")
		if !w.take("a", 3) {
			t.Error("a refunded place cannot be taken again")
		}
		if got := w.count("a"); got != 3 {
			t.Errorf("count %d, want 3", got)
		}
	})

	t.Run("the previous window counts for the part the sliding window still covers", func(t *testing.T) {
		now = now.Add(10*time.Minute + 5*time.Minute) // halfway through the next window
		if got := w.count("a"); got != 2 {            // 3 × ½, rounded
			t.Errorf("count %d, want 2", got)
		}
		if w.take("a", 2) {
			t.Error("a take passed the limit with the previous window's half")
		}
		w.add("a")
		if got := w.count("a"); got != 3 {
			t.Errorf("count after add %d, want 3", got)
		}
	})

	t.Run("everything is forgotten after two windows", func(t *testing.T) {
		now = now.Add(20 * time.Minute)
		if got := w.count("a"); got != 0 {
			t.Errorf("count %d, want 0", got)
		}
		if len(w.cur)+len(w.prev) != 0 {
			t.Errorf("%d keys kept", len(w.cur)+len(w.prev))
		}
	})
}

func TestPasswordCheckWaitsForASlot(t *testing.T) {
	g := newLoginGuard(loginGuardConfig{concurrency: 1, slotWait: time.Hour, now: time.Now,
		check: func(password, hash string) bool { return password == hash }})
	a, ok := g.admit("198.51.100.7", "lead@example.org")
	if !ok {
		t.Fatal("not admitted")
	}
	g.slots <- struct{}{} // another check holds the only slot
	done := make(chan bool)
	go func() {
		ok, err := a.check(context.Background(), "pw", "pw")
		done <- ok && err == nil
	}()
	<-g.slots // it finishes; the waiting check goes ahead
	if !<-done {
		t.Error("the waiting check did not run once the slot was free")
	}

	ctx, cancel := context.WithCancel(context.Background())
	g.slots <- struct{}{}
	cancel()
	if _, err := a.check(ctx, "pw", "pw"); err != context.Canceled {
		t.Errorf("a check whose client left while waiting: %v, want context.Canceled", err)
	}
}

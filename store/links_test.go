package store_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestLinkByTokenChangesNothing(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(1)
	holder := r.signUp(ev, time.Now())
	waiting := r.signUp(ev, time.Now())
	for _, reg := range []*domain.Registration{holder, waiting} {
		hash := domain.HashToken(r.linkToken(reg.ID))
		before := r.snapshot()
		for range 10 {
			l, err := r.st.LinkByToken(r.ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			if l.Registration.ID != reg.ID || l.Event.ID != ev.ID {
				t.Fatalf("link leads to registration %s of event %d, want %s of %d", l.Registration.ID, l.Event.ID, reg.ID, ev.ID)
			}
			if !l.ExpiresAt.Equal(ev.EndsAt().Add(r.st.LinkGrace)) {
				t.Errorf("link expires at %s, want the event's end plus the grace period (%s)", l.ExpiresAt, ev.EndsAt().Add(r.st.LinkGrace))
			}
		}
		if after := r.snapshot(); after != before {
			t.Errorf("reading the link of a %s registration changed the database:\nbefore %s\nafter  %s", reg.Status, before, after)
		}
	}
}

func TestConfirmByToken(t *testing.T) {
	tests := []struct {
		name string
		// prepare makes a registration in the state under test.
		prepare       func(r *storeRig) string
		wantCode      domain.Code
		wantStatus    domain.Status
		wantVerified  bool
		wantConfirmed int // confirmed emails afterwards
	}{
		{
			name: "a pending registration becomes confirmed and gets its confirmation email",
			prepare: func(r *storeRig) string {
				return r.signUp(r.newEvent(0), time.Now()).ID
			},
			wantStatus: domain.StatusConfirmed, wantVerified: true, wantConfirmed: 1,
		},
		{
			name: "confirming twice answers the same and sends nothing more",
			prepare: func(r *storeRig) string {
				reg := r.signUp(r.newEvent(0), time.Now())
				r.confirm(reg.ID)
				return reg.ID
			},
			wantStatus: domain.StatusConfirmed, wantVerified: true, wantConfirmed: 1,
		},
		{
			name: "a waitlisted registration keeps its place with the address verified",
			prepare: func(r *storeRig) string {
				ev := r.newEvent(1)
				r.signUp(ev, time.Now())
				return r.signUp(ev, time.Now()).ID
			},
			wantStatus: domain.StatusWaitlisted, wantVerified: true,
		},
		{
			name: "a cancelled registration cannot be confirmed",
			prepare: func(r *storeRig) string {
				reg := r.signUp(r.newEvent(0), time.Now())
				r.cancel(reg.ID)
				return reg.ID
			},
			wantCode: domain.EConflict, wantStatus: domain.StatusCancelled,
		},
		{
			name: "an expired registration cannot be confirmed",
			prepare: func(r *storeRig) string {
				reg := r.signUp(r.newEvent(0), time.Now())
				r.exec(`UPDATE registrations SET created_at = created_at - interval '100 hours' WHERE id = $1`, reg.ID)
				if _, err := r.st.ExpireUnconfirmed(r.ctx); err != nil {
					r.t.Fatal(err)
				}
				return reg.ID
			},
			wantCode: domain.EGone, wantStatus: domain.StatusExpired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newStoreRig(t)
			id := tt.prepare(r)
			l, err := r.st.ConfirmByToken(r.ctx, domain.HashToken(r.linkToken(id)))
			if got := domain.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if err == nil && l.Registration.Status != tt.wantStatus {
				t.Errorf("answered %s, want %s", l.Registration.Status, tt.wantStatus)
			}
			got := r.state(id)
			if got.Status != tt.wantStatus || got.Verified != tt.wantVerified {
				t.Errorf("stored %s (verified %v), want %s (verified %v)", got.Status, got.Verified, tt.wantStatus, tt.wantVerified)
			}
			if n := r.emailCount(id, domain.EmailConfirmed); n != tt.wantConfirmed {
				t.Errorf("%d confirmed emails, want %d", n, tt.wantConfirmed)
			}
		})
	}
}

func TestCancelByToken(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(1)
	holder := r.signUp(ev, time.Now().Add(-time.Minute))
	waiting := r.signUp(ev, time.Now())
	r.confirm(waiting.ID)

	l := r.cancel(holder.ID)
	if l.Registration.Status != domain.StatusCancelled || l.Registration.CancelledAt == nil {
		t.Errorf("answered %s, cancelled_at %v; want cancelled with a time", l.Registration.Status, l.Registration.CancelledAt)
	}
	if got := r.state(waiting.ID).Status; got != domain.StatusConfirmed {
		t.Errorf("the verified waitlisted registration is %s, want confirmed", got)
	}

	t.Run("cancelling twice is harmless", func(t *testing.T) {
		before := r.snapshot()
		l := r.cancel(holder.ID)
		if l.Registration.Status != domain.StatusCancelled {
			t.Errorf("answered %s, want cancelled", l.Registration.Status)
		}
		if after := r.snapshot(); after != before {
			t.Errorf("a second cancellation changed the database")
		}
		if n := r.emailCount(holder.ID, domain.EmailCancelled); n != 1 {
			t.Errorf("%d cancelled emails, want 1", n)
		}
	})
	t.Run("cancelling a waitlisted registration frees no seat", func(t *testing.T) {
		other := r.signUp(ev, time.Now())
		if other.Status != domain.StatusWaitlisted {
			t.Fatalf("new registration is %s, want waitlisted", other.Status)
		}
		r.cancel(other.ID)
		if got := r.seatsHeld(ev.ID); got != 1 {
			t.Errorf("seats_held = %d, want 1", got)
		}
	})
}

func TestLinksThatDoNotWork(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	reg := r.signUp(ev, time.Now())
	hash := domain.HashToken(r.linkToken(reg.ID))
	_, unknown, err := domain.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	expiry := ev.EndsAt().Add(r.st.LinkGrace)

	tests := []struct {
		name string
		hash []byte
		now  time.Time
		want domain.Code
	}{
		{"an unknown token is not found", unknown, time.Now(), domain.ENotFound},
		{"a token just before the grace period ends still works", hash, expiry.Add(-time.Second), ""},
		{"a token once the grace period has ended is gone", hash, expiry, domain.EGone},
		{"a token long after the event is gone", hash, expiry.AddDate(1, 0, 0), domain.EGone},
	}
	ops := []struct {
		name string
		do   func(hash []byte) error
	}{
		{"look up", func(h []byte) error { _, err := r.st.LinkByToken(r.ctx, h); return err }},
		{"confirm", func(h []byte) error { _, err := r.st.ConfirmByToken(r.ctx, h); return err }},
	}
	for _, tt := range tests {
		for _, op := range ops {
			t.Run(tt.name+" ("+op.name+")", func(t *testing.T) {
				r.st.Now = func() time.Time { return tt.now }
				defer func() { r.st.Now = time.Now }()
				if got := domain.ErrorCode(op.do(tt.hash)); got != tt.want {
					t.Errorf("code %q, want %q", got, tt.want)
				}
			})
		}
	}
	t.Run("an expired link cannot cancel either", func(t *testing.T) {
		r.st.Now = func() time.Time { return expiry.Add(time.Hour) }
		defer func() { r.st.Now = time.Now }()
		_, err := r.st.CancelByToken(r.ctx, hash)
		if got := domain.ErrorCode(err); got != domain.EGone {
			t.Errorf("code %q, want %q", got, domain.EGone)
		}
		if got := r.state(reg.ID).Status; got != domain.StatusConfirmed {
			t.Errorf("registration is %s, want it left confirmed", got)
		}
	})
}

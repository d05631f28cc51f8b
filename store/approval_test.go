package store_test

import (
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// approvalEvent is an event of capacity seats that requires approval.
func (r *storeRig) approvalEvent(capacity int) *domain.Event {
	r.t.Helper()
	return r.newEvent(capacity, func(in *domain.EventInput) { in.RequiresApproval = domain.Some(true) })
}

func TestApplicationsHoldNoSeatUntilApproved(t *testing.T) {
	r := newStoreRig(t)
	ev := r.approvalEvent(3)
	regs := r.signUpMany(ev, 5, time.Now().Add(-time.Hour))
	for _, reg := range regs {
		if reg.Status != domain.StatusAwaitingApproval {
			t.Fatalf("a new registration is %s, want awaiting_approval", reg.Status)
		}
		if got := r.emailCount(reg.ID, domain.EmailUnderReview); got != 1 {
			t.Errorf("%d under_review emails, want 1", got)
		}
	}
	if got := r.seatsHeld(ev.ID); got != 0 {
		t.Fatalf("seats_held = %d after 5 applications, want 0", got)
	}

	// The first two follow the link of their under_review email; the
	// others do not (yet).
	r.confirm(regs[0].ID)
	r.confirm(regs[1].ID)

	t.Run("approving five applications into three seats seats three and waitlists two", func(t *testing.T) {
		ids := make([]string, len(regs))
		for i, reg := range regs {
			ids[i] = reg.ID
		}
		out, err := r.st.DecideRegistrations(r.ctx, r.org.ID, ev.Slug, domain.Approve, ids, "Welcome <b>aboard</b>")
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 5 {
			t.Fatalf("%d decided, want 5", len(out))
		}
		// The third has not confirmed the address: the approval holds a
		// pending seat and asks for the confirmation, it does not confirm.
		want := map[domain.Status]int{domain.StatusConfirmed: 2, domain.StatusPending: 1, domain.StatusWaitlisted: 2}
		if got := r.countByStatus(ev.ID); !maps.Equal(got, want) {
			t.Errorf("statuses %v, want %v", got, want)
		}
		if got := r.seatsHeld(ev.ID); got != 3 {
			t.Errorf("seats_held = %d, want 3", got)
		}
		var counted int
		if err := r.db.GetContext(r.ctx, &counted, `
			SELECT count(*) FROM registrations WHERE event_id = $1 AND status IN ('pending', 'confirmed')`, ev.ID); err != nil {
			t.Fatal(err)
		}
		if counted != 3 {
			t.Errorf("%d registrations hold a seat, want 3", counted)
		}
		for i, reg := range regs {
			kind := domain.EmailApproved
			switch {
			case i == 2:
				kind = domain.EmailApprovedConfirm
			case i >= 3:
				kind = domain.EmailApprovedWaitlisted
			}
			if got := r.emailCount(reg.ID, kind); got != 1 {
				t.Errorf("registration %d: %d %s emails, want 1", i, got, kind)
			}
		}
		var message string
		if err := r.db.GetContext(r.ctx, &message, `
			SELECT payload->>'message' FROM emails WHERE registration_id = $1 AND kind = 'approved'`, regs[0].ID); err != nil {
			t.Fatal(err)
		}
		if message != "Welcome <b>aboard</b>" {
			t.Errorf("message %q, want the organizer's text as written (the templates escape it)", message)
		}
	})

	t.Run("an approved seat awaiting the address's confirmation expires from the approval, not the application", func(t *testing.T) {
		var verified bool
		if err := r.db.GetContext(r.ctx, &verified, `SELECT email_verified_at IS NOT NULL FROM registrations WHERE id = $1`, regs[2].ID); err != nil || verified {
			t.Errorf("address verified %v (%v), want not: the participant never followed a link", verified, err)
		}
		if _, err := r.db.ExecContext(r.ctx, `UPDATE registrations SET created_at = created_at - interval '1000 hours' WHERE id = $1`, regs[2].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.st.ExpireUnconfirmed(r.ctx); err != nil {
			t.Fatal(err)
		}
		if got := r.state(regs[2].ID).Status; got != domain.StatusPending {
			t.Fatalf("the approved application is %s right after approval, want pending", got)
		}
		r.confirm(regs[2].ID)
		if got := r.state(regs[2].ID).Status; got != domain.StatusConfirmed || r.emailCount(regs[2].ID, domain.EmailConfirmed) != 1 {
			t.Errorf("after the confirmation: %s, want confirmed with its confirmed email (the check-in code)", got)
		}
	})

	t.Run("a waitlisted applicant is promoted when a seat frees up", func(t *testing.T) {
		r.confirm(regs[3].ID) // verifies the address, as the waiting list requires
		r.cancel(regs[0].ID)
		if got := r.state(regs[3].ID).Status; got != domain.StatusConfirmed {
			t.Errorf("first waitlisted applicant is %s, want confirmed", got)
		}
		if got := r.seatsHeld(ev.ID); got != 3 {
			t.Errorf("seats_held = %d, want 3", got)
		}
	})

	t.Run("approving a registration that is already confirmed refuses the whole bulk", func(t *testing.T) {
		extra := r.signUp(ev, time.Now())
		_, err := r.st.DecideRegistrations(r.ctx, r.org.ID, ev.Slug, domain.Approve, []string{extra.ID, regs[1].ID}, "")
		if domain.ErrorCode(err) != domain.EConflict {
			t.Fatalf("error %v, want a conflict", err)
		}
		if got := r.state(extra.ID).Status; got != domain.StatusAwaitingApproval {
			t.Errorf("the first of a refused bulk is %s, want awaiting_approval (nothing changes)", got)
		}
	})
}

func TestRejection(t *testing.T) {
	r := newStoreRig(t)
	ev := r.approvalEvent(2)
	reg := r.signUp(ev, time.Now().Add(-time.Minute))

	out, err := r.st.RejectRegistration(r.ctx, r.org.ID, ev.Slug, reg.ID, "Sorry")
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != domain.StatusRejected {
		t.Fatalf("status %s, want rejected", out.Status)
	}
	var seats, holding int
	if err := r.db.GetContext(r.ctx, &seats, `SELECT event_seats_held(id) FROM events WHERE id = $1`, ev.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.db.GetContext(r.ctx, &holding, `
		SELECT count(*) FROM registrations WHERE event_id = $1 AND status IN ('pending', 'confirmed')`, ev.ID); err != nil {
		t.Fatal(err)
	}
	if seats != 0 || holding != 0 {
		t.Errorf("seats_held %d, registrations holding a seat %d; want 0 and 0", seats, holding)
	}
	if got := r.emailCount(reg.ID, domain.EmailRejected); got != 1 {
		t.Errorf("%d rejected emails, want 1", got)
	}
	var actions []string
	if err := r.db.SelectContext(r.ctx, &actions, `
		SELECT action FROM audit_log WHERE registration_id = $1 ORDER BY id`, reg.ID); err != nil {
		t.Fatal(err)
	}
	if len(actions) != 1 || actions[0] != string(domain.AuditRegistrationReject) {
		t.Errorf("audit %v, want one registration.reject", actions)
	}

	t.Run("registering again does not bypass the rejection", func(t *testing.T) {
		again := r.f.newRegistration(t, ev, person(reg.Email), time.Now())
		res, err := r.st.Register(r.ctx, ev, again)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || r.state(reg.ID).Status != domain.StatusRejected {
			t.Errorf("created %v, status %s; want the rejection to stand", res.Created, r.state(reg.ID).Status)
		}
		if res.Status != domain.StatusAwaitingApproval {
			t.Errorf("answered %s, want awaiting_approval, as any new applicant is told", res.Status)
		}
	})

	t.Run("an organizer may reconsider and approve", func(t *testing.T) {
		out, err := r.st.ApproveRegistration(r.ctx, r.org.ID, ev.Slug, reg.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != domain.StatusPending || r.seatsHeld(ev.ID) != 1 || r.emailCount(reg.ID, domain.EmailApprovedConfirm) != 1 {
			t.Errorf("status %s, seats %d; want pending (the address is not confirmed), holding 1, with approved_confirm", out.Status, r.seatsHeld(ev.ID))
		}
	})
}

func TestConcurrentApprovalsNeverOverbook(t *testing.T) {
	r := newStoreRig(t)
	ev := r.approvalEvent(4)
	regs := r.signUpMany(ev, 12, time.Now().Add(-time.Hour))
	var wg sync.WaitGroup
	for i := 0; i < len(regs); i += 3 {
		wg.Add(1)
		go func(ids []string) {
			defer wg.Done()
			if _, err := r.st.DecideRegistrations(r.ctx, r.org.ID, ev.Slug, domain.Approve, ids, ""); err != nil {
				t.Error(err)
			}
		}([]string{regs[i].ID, regs[i+1].ID, regs[i+2].ID})
	}
	wg.Wait()
	want := map[domain.Status]int{domain.StatusPending: 4, domain.StatusWaitlisted: 8} // none confirmed the address
	if got := r.countByStatus(ev.ID); !maps.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if got := r.seatsHeld(ev.ID); got != 4 {
		t.Errorf("seats_held = %d, want 4", got)
	}
}

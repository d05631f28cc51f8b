package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// invite imports one invitee for ev and returns their link's token.
func (f *fixture) invite(t *testing.T, ev *domain.Event, email string) string {
	t.Helper()
	checks := f.rules.CheckInvitees(ev, []domain.InviteeInput{{Email: email, FirstName: "Aigerim", LastName: "Bekova", Delegation: "KZ"}})
	out, err := f.st.ImportInvitees(context.Background(), f.org.ID, ev, checks, false)
	if err != nil || out[0].Outcome != domain.OutcomeInvite {
		t.Fatalf("import %s: %v %+v", email, err, out)
	}
	var sealed string
	if err := f.db.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails WHERE recipient = $1`, email); err != nil {
		t.Fatal(err)
	}
	token, err := f.st.Sealer.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func invitationOnly(in *domain.EventInput) { in.InvitationOnly = domain.Some(true) }

func TestOneInvitationMakesOneRegistrationUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	f.db.SetMaxOpenConns(20)
	ev := f.event(t, f.org, "invited", invitationOnly)
	token := f.invite(t, ev, "aigerim@example.kz")
	const tries = 12
	var wg sync.WaitGroup
	codes := make([]domain.Code, tries)
	for i := range tries {
		wg.Go(func() {
			reg := f.newRegistration(t, ev, person(emailOf(i)), time.Now())
			_, err := f.st.RegisterInvited(context.Background(), ev, reg, token)
			codes[i] = domain.ErrorCode(err)
		})
	}
	wg.Wait()
	ok, used := 0, 0
	for _, c := range codes {
		switch c {
		case "":
			ok++
		case domain.EConflict:
			used++
		}
	}
	if ok != 1 || used != tries-1 {
		t.Fatalf("outcomes %v: want one registration and the rest refused as used", codes)
	}
	if n := count(t, f.db, `SELECT count(*) FROM registrations`); n != 1 {
		t.Errorf("%d registrations stored, want 1", n)
	}
	if n := count(t, f.db, `SELECT count(*) FROM invitees WHERE registration_id IS NOT NULL`); n != 1 {
		t.Errorf("%d invitees tied to a registration, want 1", n)
	}
}

func TestOrganizersNeedNoInvitation(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "invited", invitationOnly)
	if _, err := f.st.Register(context.Background(), ev, f.newRegistration(t, ev, person("walkup@example.org"), time.Now())); domain.ErrorCode(err) != domain.EInvitationRequired {
		t.Fatalf("participant without invitation: %v, want invitation required", err)
	}
	res, err := f.st.RegisterWalkIn(context.Background(), ev, f.newRegistration(t, ev, person("walkin@example.org"), time.Now()), f.org.ID, nil)
	if err != nil || !res.Created {
		t.Fatalf("walk-in: %v %+v", err, res)
	}
	if _, err := f.st.ImportRegistration(context.Background(), ev, f.newRegistration(t, ev, person("imported@example.org"), time.Now())); err != nil {
		t.Fatalf("import: %v", err)
	}
}

func TestErasureTakesTheInvitationWithThePerson(t *testing.T) {
	f := newFixture(t)
	ev := f.event(t, f.org, "invited", invitationOnly)
	token := f.invite(t, ev, "aigerim@example.kz")
	res, err := f.st.RegisterInvited(context.Background(), ev, f.newRegistration(t, ev, person("aigerim@example.kz"), time.Now()), token)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EraseRegistration(context.Background(), f.org.ID, ev.Slug, res.Registration.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT count(*) FROM invitees WHERE erased_at IS NULL OR first_name <> '' OR email LIKE 'aigerim%'`); n != 0 {
		t.Errorf("%d invitees still name the person", n)
	}
	if n := count(t, f.db, `SELECT count(*) FROM emails WHERE recipient LIKE 'aigerim%'`); n != 0 {
		t.Errorf("%d emails still name the person", n)
	}
	if n := count(t, f.db, `SELECT count(*) FROM invitees WHERE delegation = 'KZ'`); n != 1 {
		t.Errorf("the delegation's count is gone: %d", n)
	}
	if _, err := f.st.OpenInvitation(context.Background(), domain.HashToken(token)); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("the link after erasure: %v, want not found", err)
	}

	t.Run("and retention erases invitations nobody used", func(t *testing.T) {
		f.invite(t, ev, "rustam@example.uz")
		f.st.Now = func() time.Time { return time.Now().AddDate(0, 0, 30+2+365+2) }
		n, err := f.st.EraseExpiredInvitees(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("erased %d (%v), want 1", n, err)
		}
		if left := count(t, f.db, `SELECT count(*) FROM invitees WHERE erased_at IS NULL`); left != 0 {
			t.Errorf("%d invitees left", left)
		}
	})
}

func TestAnotherEventsInvitationIsIgnoredWhereAnyoneMayRegister(t *testing.T) {
	f := newFixture(t)
	invited := f.event(t, f.org, "invited", invitationOnly)
	token := f.invite(t, invited, "aigerim@example.kz")
	open := f.event(t, f.org, "open", func(*domain.EventInput) {})
	closed := f.event(t, f.org, "closed", invitationOnly)
	for _, tt := range []struct {
		name  string
		ev    *domain.Event
		token string
		want  domain.Code
	}{
		{"an open event ignores another event's link", open, token, ""},
		{"an open event ignores a mangled link", open, "not-a-token", ""},
		{"an invitation-only event refuses another event's link", closed, token, domain.EInvitationRequired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.st.RegisterInvited(context.Background(), tt.ev, f.newRegistration(t, tt.ev, person(emailOf(len(tt.name))), time.Now()), tt.token)
			if domain.ErrorCode(err) != tt.want || (err == nil && !res.Created) {
				t.Errorf("%v (created %v), want code %q", err, res.Created, tt.want)
			}
		})
	}
	if n := count(t, f.db, `SELECT count(*) FROM invitees WHERE registration_id IS NOT NULL`); n != 0 {
		t.Errorf("%d invitations were claimed by another event's registrations", n)
	}
}

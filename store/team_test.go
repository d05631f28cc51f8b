package store_test

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

// addMember puts email on the rig's event team with role, as its owner.
func (r *attendanceRig) addMember(email string, role domain.TeamRole) store.AddMemberResult {
	r.t.Helper()
	m, err := domain.MemberInput{Email: email, Role: string(role)}.Validate()
	if err != nil {
		r.t.Fatal(err)
	}
	res, err := r.st.AddMember(r.ctx, r.org.ID, r.ev, m)
	if err != nil {
		r.t.Fatalf("AddMember(%s): %v", email, err)
	}
	return res
}

// invitationToken is the plain token of the newest invitation email to
// email, opened as the worker would.
func (r *attendanceRig) invitationToken(db *sqlx.DB, email string) string {
	r.t.Helper()
	var sealed string
	if err := db.QueryRowx(`
		SELECT payload->>'sealed_token' FROM emails WHERE kind = 'invitation' AND recipient = $1
		ORDER BY id DESC LIMIT 1`, email).Scan(&sealed); err != nil {
		r.t.Fatalf("invitation of %s: %v", email, err)
	}
	plain, err := r.st.Sealer.Open(sealed)
	if err != nil {
		r.t.Fatal(err)
	}
	return plain
}

func TestTheCreatorOwnsTheEventAndAddsATeam(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	r := newAttendanceRigOn(t, db, 0)

	_, role, err := r.st.Membership(r.ctx, r.org.ID, r.ev.Slug)
	if err != nil || role != domain.RoleOwner {
		t.Fatalf("creator's role = %q, %v; want owner", role, err)
	}

	// A colleague with an account and a password gets the role, no email.
	colleague := r.organizer("aigerim@astanahub.example")
	if err := r.st.SetPassword(r.ctx, colleague.ID, "hash"); err != nil {
		t.Fatal(err)
	}
	res := r.addMember("Aigerim@AstanaHub.example", domain.RoleOrganizer)
	if !res.Created || res.Invited || res.Member.Role != domain.RoleOrganizer || res.Member.Name != colleague.Name {
		t.Errorf("AddMember(colleague) = %+v", res)
	}
	ev, role, err := r.st.Membership(r.ctx, colleague.ID, r.ev.Slug)
	if err != nil || role != domain.RoleOrganizer || ev.ID != r.ev.ID {
		t.Errorf("colleague's membership = %v, %q, %v", ev, role, err)
	}

	// Someone without an account gets one, without a password, and an
	// invitation in the language asked for.
	m, _ := domain.MemberInput{Email: "desk@academy.example.uz", Role: "door", Language: "uz"}.Validate()
	res, err = r.st.AddMember(r.ctx, r.org.ID, r.ev, m)
	if err != nil || !res.Created || !res.Invited || !res.Member.Invited || res.Member.Role != domain.RoleDoor {
		t.Fatalf("AddMember(new) = %+v, %v", res, err)
	}
	if n := count(t, db, `SELECT count(*) FROM emails WHERE kind = 'invitation' AND recipient = $1 AND language = 'uz'
		AND registration_id IS NULL AND payload->>'role' = 'door'`, "desk@academy.example.uz"); n != 1 {
		t.Errorf("invitation emails = %d, want 1", n)
	}

	// Adding again changes the role; the owner's role cannot change.
	if res := r.addMember("aigerim@astanahub.example", domain.RoleDoor); res.Created || res.Member.Role != domain.RoleDoor {
		t.Errorf("re-adding = %+v, want the role changed", res)
	}
	owner, _ := domain.MemberInput{Email: r.org.Email, Role: "door"}.Validate()
	_, err = r.st.AddMember(r.ctx, r.org.ID, r.ev, owner)
	wantDomainError(t, err, domain.EConflict)

	members, err := r.st.Members(r.ctx, r.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range members {
		got = append(got, m.Email+"="+string(m.Role))
	}
	want := []string{r.org.Email + "=owner", "aigerim@astanahub.example=door", "desk@academy.example.uz=door"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("members = %v, want %v", got, want)
	}

	// Removing: the owner stays; a member goes, and their invitation with them.
	wantDomainError(t, r.st.RemoveMember(r.ctx, r.org.ID, r.ev, r.org.Email), domain.EConflict)
	wantDomainError(t, r.st.RemoveMember(r.ctx, r.org.ID, r.ev, "nobody@example.org"), domain.ENotFound)
	for _, garbled := range []string{"\x00", "\xff\xfe", "a\x00b@example.org"} {
		wantDomainError(t, r.st.RemoveMember(r.ctx, r.org.ID, r.ev, garbled), domain.ENotFound)
	}
	token := r.invitationToken(db, "desk@academy.example.uz")
	if err := r.st.RemoveMember(r.ctx, r.org.ID, r.ev, "DESK@academy.example.uz"); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	desk, err := r.st.OrganizerByEmail(r.ctx, "desk@academy.example.uz")
	if err != nil {
		t.Fatalf("the removed member's account is gone: %v", err)
	}
	_, _, err = r.st.Membership(r.ctx, desk.ID, r.ev.Slug)
	wantDomainError(t, err, domain.ENotFound)
	_, err = r.st.InvitationByToken(r.ctx, domain.HashToken(token))
	wantDomainError(t, err, domain.EGone)
}

func TestAnInvitationSetsAPasswordOnceBeforeItExpires(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	r := newAttendanceRigOn(t, db, 0)
	r.st.InvitationTTL = 48 * time.Hour

	r.addMember("desk@academy.example.uz", domain.RoleDoor)
	first := r.invitationToken(db, "desk@academy.example.uz")
	// Adding again sends a new link; the first stops working.
	r.addMember("desk@academy.example.uz", domain.RoleDoor)
	second := r.invitationToken(db, "desk@academy.example.uz")
	_, err := r.st.InvitationByToken(r.ctx, domain.HashToken(first))
	wantDomainError(t, err, domain.EGone)
	_, err = r.st.InvitationByToken(r.ctx, domain.HashToken("no-such-token"))
	wantDomainError(t, err, domain.ENotFound)

	if _, err := r.st.UpdateEvent(r.ctx, r.org.ID, r.ev.Slug, func(ev *domain.Event) error {
		return r.rules.ApplyPatch(ev, domain.EventInput{Translations: domain.Some(map[string]*domain.EventText{"ru": {Title: "Семинар"}})})
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := r.st.InvitationByToken(r.ctx, domain.HashToken(second))
	if err != nil || inv.Email != "desk@academy.example.uz" || inv.Role != domain.RoleDoor || inv.EventSlug != r.ev.Slug {
		t.Fatalf("InvitationByToken = %+v, %v", inv, err)
	}
	if inv.EventTitle("ru") != "Семинар" || inv.EventTitle("uz") != r.ev.Title {
		t.Errorf("the invitation's event title: ru %q, uz %q", inv.EventTitle("ru"), inv.EventTitle("uz"))
	}
	if want := r.now.Add(48 * time.Hour); !inv.ExpiresAt.Equal(want) {
		t.Errorf("expires at %v, want %v", inv.ExpiresAt, want)
	}

	// Expired: refused, at its expiry.
	r.now = r.now.Add(48 * time.Hour)
	_, err = r.st.AcceptInvitation(r.ctx, domain.HashToken(second), "Malika", "hash")
	wantDomainError(t, err, domain.EGone)
	r.now = r.now.Add(-time.Second)

	o, err := r.st.AcceptInvitation(r.ctx, domain.HashToken(second), "Malika Karimova", "the-hash")
	if err != nil || o.Name != "Malika Karimova" || o.Email != "desk@academy.example.uz" {
		t.Fatalf("AcceptInvitation = %+v, %v", o, err)
	}
	if _, hash, err := r.st.PasswordHash(r.ctx, o.Email); err != nil || hash != "the-hash" {
		t.Errorf("password hash = %q, %v", hash, err)
	}
	_, err = r.st.AcceptInvitation(r.ctx, domain.HashToken(second), "Someone else", "other")
	wantDomainError(t, err, domain.EGone)

	// With a password, being added again sends nothing.
	before := count(t, db, `SELECT count(*) FROM emails WHERE kind = 'invitation'`)
	if res := r.addMember("desk@academy.example.uz", domain.RoleOrganizer); res.Invited {
		t.Error("an account with a password was invited again")
	}
	if after := count(t, db, `SELECT count(*) FROM emails WHERE kind = 'invitation'`); after != before {
		t.Errorf("invitation emails went from %d to %d", before, after)
	}
}

func TestTeamEventsCountEachEventsPeople(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 2)
	a := r.register(r.ev, attendeeSpec{first: "Rustam", last: "Kasimov", email: "r@example.uz", country: "UZ", role: "expert", confirmed: true})
	r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "k@example.ee", country: "EE", role: "expert"})
	r.register(r.ev, attendeeSpec{first: "Nino", last: "Beridze", email: "n@example.ge", country: "GE", role: "expert"}) // waitlisted
	gone := r.register(r.ev, attendeeSpec{first: "Armen", last: "Petrosyan", email: "a@example.am", country: "AM", role: "expert"})
	r.cancel(gone)
	r.checkIn(a, workshopDay1)
	other := r.event(r.org, "draft-2020", 0)

	door := r.organizer("door@example.uz")
	r.addMember(door.Email, domain.RoleDoor)

	list, err := r.st.TeamEvents(r.ctx, r.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Event.ID != r.ev.ID && list[1].Event.ID != r.ev.ID {
		t.Fatalf("TeamEvents = %d events", len(list))
	}
	for _, te := range list {
		if te.Event.ID == other.ID {
			if te.Registered != 0 || te.CheckedInToday != 0 || te.Role != domain.RoleOwner {
				t.Errorf("empty event = %+v", te)
			}
			continue
		}
		if te.Registered != 3 || te.Confirmed != 1 || te.Waitlisted != 1 || te.CheckedInToday != 1 {
			t.Errorf("workshop counts = registered %d, confirmed %d, waitlisted %d, checked in today %d; want 3, 1, 1, 1",
				te.Registered, te.Confirmed, te.Waitlisted, te.CheckedInToday)
		}
	}
	// Door staff see their one event, as door staff.
	list, err = r.st.TeamEvents(r.ctx, door.ID)
	if err != nil || len(list) != 1 || list[0].Role != domain.RoleDoor {
		t.Errorf("door's TeamEvents = %+v, %v", list, err)
	}
	// The next day nobody is checked in yet.
	r.now = r.now.Add(24 * time.Hour)
	list, _ = r.st.TeamEvents(r.ctx, door.ID)
	if list[0].CheckedInToday != 0 {
		t.Errorf("checked in on day two = %d, want 0", list[0].CheckedInToday)
	}
}

package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// TestTheAuditLogRecordsEveryActionOnPersonalData runs every organizer
// action that changes or reveals personal data, or changes the event or
// its team, and reads the log back.
func TestTheAuditLogRecordsEveryActionOnPersonalData(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 1)
	ctx, slug := r.ctx, r.ev.Slug
	held := r.register(r.ev, attendeeSpec{first: "Rustam", last: "Kasimov", email: "rustam@example.uz", country: "UZ", role: "expert", confirmed: true})
	waiting := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert"})
	colleague := r.organizer("aigerim@astanahub.example")

	steps := []struct {
		name string
		do   func() error
	}{
		{"check in", func() error {
			_, _, err := r.st.CheckIn(ctx, r.org.ID, slug, store.CheckinRequest{RegistrationID: held.ID, Day: workshopDay1})
			return err
		}},
		{"check in again (no change)", func() error {
			_, _, err := r.st.CheckIn(ctx, r.org.ID, slug, store.CheckinRequest{RegistrationID: held.ID, Day: workshopDay1})
			return err
		}},
		{"undo the check-in", func() error { return r.st.UndoCheckIn(ctx, r.org.ID, slug, held.ID, workshopDay1.String()) }},
		{"cancel", func() error { _, err := r.st.CancelRegistration(ctx, r.org.ID, slug, held.ID, "Sorry"); return err }},
		{"cancel again (no change)", func() error { _, err := r.st.CancelRegistration(ctx, r.org.ID, slug, held.ID, ""); return err }},
		{"promote", func() error { _, err := r.st.PromoteRegistration(ctx, r.org.ID, slug, waiting.ID); return err }},
		{"export", func() error {
			return r.st.RecordExport(ctx, r.org.ID, r.ev.ID, domain.AuditDetail{Format: "xlsx", Country: "EE", Search: true})
		}},
		{"walk-in", func() error {
			reg, err := r.rules.NewRegistration(person("walkin@example.kz"), r.ev, r.now)
			if err != nil {
				return err
			}
			_, err = r.st.RegisterWalkIn(ctx, r.ev, reg, r.org.ID, nil)
			return err
		}},
		{"erase", func() error { return r.st.EraseRegistration(ctx, r.org.ID, slug, waiting.ID) }},
		{"change the event", func() error {
			_, err := r.st.UpdateEvent(ctx, r.org.ID, slug, func(ev *domain.Event) error {
				return r.rules.ApplyPatch(ev, domain.EventInput{Capacity: domain.Some(80), Title: domain.Some(ev.Title)})
			})
			return err
		}},
		{"add a member", func() error { r.addMember(colleague.Email, domain.RoleOrganizer); return nil }},
		{"change their role", func() error { r.addMember(colleague.Email, domain.RoleDoor); return nil }},
		{"add them again (no change)", func() error { r.addMember(colleague.Email, domain.RoleDoor); return nil }},
		{"remove them", func() error { return r.st.RemoveMember(ctx, r.org.ID, r.ev, colleague.Email) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}

	page, err := r.st.AuditLog(ctx, r.ev.ID, store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range slices.Backward(page.Entries) {
		line := string(e.Action)
		if e.RegistrationID != nil {
			line += " " + map[string]string{held.ID: "held", waiting.ID: "waiting"}[*e.RegistrationID]
		}
		if e.Day != nil {
			line += " " + e.Day.String()
		}
		if e.Member != nil {
			line += " " + *e.Member
		}
		if e.Actor == nil || *e.Actor != r.org.Email {
			t.Errorf("%s: actor %v, want %s", e.Action, e.Actor, r.org.Email)
		}
		got = append(got, strings.TrimSpace(line))
	}
	want := []string{
		"event.create",
		"checkin.create held 2019-05-30",
		"checkin.delete held 2019-05-30",
		"registration.cancel held",
		"registration.promote waiting",
		"registrations.export",
		"registration.walk_in",
		"registration.erase waiting",
		"event.update",
		"member.add aigerim@astanahub.example",
		"member.role aigerim@astanahub.example",
		"member.remove aigerim@astanahub.example",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit log, oldest first:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, e := range page.Entries {
		switch e.Action {
		case domain.AuditEventUpdate:
			if !slices.Equal(e.Detail.Fields, []string{"capacity"}) {
				t.Errorf("event.update fields = %v, want [capacity] (the title did not change)", e.Detail.Fields)
			}
		case domain.AuditExport:
			if e.Detail.Format != "xlsx" || e.Detail.Country != "EE" || !e.Detail.Search {
				t.Errorf("export detail = %+v", e.Detail)
			}
		case domain.AuditMemberRole:
			if e.Detail.Role != domain.RoleDoor {
				t.Errorf("member.role detail = %+v", e.Detail)
			}
		}
	}

	// The log names participants by registration id only, so it holds
	// nothing that erasure would have to rewrite.
	b, err := json.Marshal(page.Entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{"Rustam", "Kasimov", "rustam@", "Kadri", "kadri@", "walkin@", "Dilnoza", "Sorry"} {
		if strings.Contains(string(b), personal) {
			t.Errorf("the audit log holds %q: %s", personal, b)
		}
	}
}

func TestTheAuditLogReadsPageByPageAndByAction(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	for i := range 5 {
		if err := r.st.RecordExport(r.ctx, r.org.ID, r.ev.ID, domain.AuditDetail{Format: []string{"csv", "xlsx"}[i%2]}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	f := store.AuditFilter{Limit: 2}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("the cursor does not advance")
		}
		page, err := r.st.AuditLog(r.ctx, r.ev.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Entries {
			ids = append(ids, e.ID)
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if len(ids) != 6 || !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) {
		t.Errorf("ids over the pages = %v, want 6 (5 exports and the creation), newest first", ids)
	}
	page, err := r.st.AuditLog(r.ctx, r.ev.ID, store.AuditFilter{Action: string(domain.AuditEventCreate)})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Action != domain.AuditEventCreate {
		t.Errorf("filtered by action = %+v, %v", page.Entries, err)
	}
	for _, bad := range []string{"x", "-3", "0"} {
		_, err := r.st.AuditLog(r.ctx, r.ev.ID, store.AuditFilter{Cursor: bad})
		wantDomainError(t, err, domain.EInvalid)
	}
	// Ids are bigint: a cursor past 32 bits is a page like any other.
	for _, big := range []string{"2147483648", "9223372036854775807"} {
		if page, err := r.st.AuditLog(r.ctx, r.ev.ID, store.AuditFilter{Cursor: big, Limit: 100}); err != nil || len(page.Entries) != 6 {
			t.Errorf("cursor %s: %d entries, %v; want the 6, older than it", big, len(page.Entries), err)
		}
	}
}

func TestAnActionOfNobodyInParticularIsLoggedWithoutActor(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg, err := r.rules.NewRegistration(person("walkin@example.kz"), r.ev, r.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.RegisterWalkIn(r.ctx, r.ev, reg, 0, nil); err != nil {
		t.Fatalf("a walk-in registered by a tool (organizer 0): %v", err)
	}
	page, err := r.st.AuditLog(r.ctx, r.ev.ID, store.AuditFilter{Action: string(domain.AuditRegistrationWalkIn)})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Actor != nil {
		t.Errorf("walk-in entries = %+v, %v; want one without actor", page.Entries, err)
	}
}

// TestTheDatabaseTakesEveryAuditAction keeps the audit_actions table, which
// the audit log refers to, in step with domain.AuditActions: an action the
// database refuses would fail the organizer's change that logs it.
func TestTheDatabaseTakesEveryAuditAction(t *testing.T) {
	t.Parallel()
	r := newStoreRig(t)
	ev := r.newEvent(0)
	for _, a := range domain.AuditActions {
		if _, err := r.db.ExecContext(r.ctx, `
			INSERT INTO audit_log (event_id, actor_id, action, detail, at) VALUES ($1, $2, $3, '{}', now())`,
			ev.ID, r.org.ID, string(a)); err != nil {
			t.Errorf("the audit log refuses %q: %v", a, err)
		}
	}
	if _, err := r.db.ExecContext(r.ctx, `
		INSERT INTO audit_log (event_id, actor_id, action, detail, at) VALUES ($1, $2, 'no.such', '{}', now())`,
		ev.ID, r.org.ID); err == nil {
		t.Error("the audit log takes an action domain does not know")
	}
	var extra []string
	if err := r.db.SelectContext(r.ctx, &extra, `SELECT action FROM audit_actions WHERE NOT action = ANY($1)`,
		pq.StringArray(auditActionStrings())); err != nil {
		t.Fatal(err)
	}
	if len(extra) > 0 {
		t.Errorf("the database knows actions domain does not: %v", extra)
	}
}

func auditActionStrings() []string {
	out := make([]string, len(domain.AuditActions))
	for i, a := range domain.AuditActions {
		out[i] = string(a)
	}
	return out
}

package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func TestEraseRegistration(t *testing.T) {
	t.Run("anonymizes the person everywhere but keeps the counts by country", func(t *testing.T) {
		r := newStoreRig(t)
		ev := r.newEvent(2)
		start := time.Now().Add(-time.Hour)
		regs := r.signUpMany(ev, 3, start) // two hold seats, one waits
		r.confirm(regs[2].ID)              // verify the waiting one's address
		token := r.linkToken(regs[0].ID)
		before := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND country = 'UZ'`, ev.ID)

		if err := r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, regs[0].ID); err != nil {
			t.Fatalf("erase: %v", err)
		}

		var row struct {
			First, Last, Email, Phone, Org, Country, Status string
			Erased                                          bool
		}
		if err := r.db.QueryRowx(`SELECT first_name, last_name, email, phone, organization, country, status,
			erased_at IS NOT NULL FROM registrations WHERE id = $1`, regs[0].ID).
			Scan(&row.First, &row.Last, &row.Email, &row.Phone, &row.Org, &row.Country, &row.Status, &row.Erased); err != nil {
			t.Fatal(err)
		}
		if row.First != "" || row.Last != "" || row.Phone != "" || row.Org != "" || !strings.HasSuffix(row.Email, "@erased.invalid") {
			t.Errorf("personal data left after erasure: %+v", row)
		}
		if !row.Erased || row.Country != "UZ" || row.Status != string(domain.StatusCancelled) {
			t.Errorf("erased row = %+v, want erased, country kept, cancelled (event still to come)", row)
		}
		if got := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND country = 'UZ'`, ev.ID); got != before {
			t.Errorf("registrations from UZ = %d after erasure, want %d (counts kept)", got, before)
		}
		if n := count(t, r.db, `SELECT count(*) FROM emails WHERE registration_id = $1 AND (recipient <> 'erased@erased.invalid' OR recipient_name <> '' OR payload <> '{}')`, regs[0].ID); n != 0 {
			t.Errorf("%d email rows still name the person", n)
		}
		if n := count(t, r.db, `SELECT count(*) FROM emails WHERE registration_id = $1 AND status IN ('queued', 'sending')`, regs[0].ID); n != 0 {
			t.Errorf("%d emails to the erased person still queued", n)
		}
		if _, err := r.st.LinkByToken(r.ctx, domain.HashToken(token)); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("link after erasure: %v, want not found", err)
		}
		if got := r.state(regs[2].ID).Status; got != domain.StatusConfirmed {
			t.Errorf("freed seat: waitlisted person is %s, want promoted to confirmed", got)
		}
		if held := r.seatsHeld(ev.ID); held != 2 {
			t.Errorf("seats held = %d, want 2", held)
		}
	})

	t.Run("by email from the command line, for a past event keeps the status", func(t *testing.T) {
		r := newStoreRig(t)
		ev := r.newEvent(0)
		reg := r.signUp(ev, time.Now().Add(-time.Hour))
		r.confirm(reg.ID)
		r.st.Now = func() time.Time { return ev.EndsAt().Add(48 * time.Hour) }
		if err := r.st.EraseByEmail(r.ctx, ev.Slug, strings.ToUpper(reg.Email)); err != nil {
			t.Fatalf("erase by email: %v", err)
		}
		if got := r.state(reg.ID).Status; got != domain.StatusConfirmed {
			t.Errorf("status after erasing a past participant = %s, want confirmed (statistics keep attendance)", got)
		}
		if err := r.st.EraseByEmail(r.ctx, ev.Slug, "nobody@example.org"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("erase unknown email: %v, want not found", err)
		}
	})

	t.Run("another organizer cannot erase", func(t *testing.T) {
		r := newStoreRig(t)
		ev := r.newEvent(0)
		reg := r.signUp(ev, time.Now().Add(-time.Hour))
		other := r.f.organizer(t, "other@example.org")
		if err := r.st.EraseRegistration(r.ctx, other.ID, ev.Slug, reg.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("erase by another organizer: %v, want not found", err)
		}
		if got := count(t, r.db, `SELECT count(*) FROM registrations WHERE id = $1 AND erased_at IS NULL`, reg.ID); got != 1 {
			t.Error("registration was erased by another organizer")
		}
	})
}

func TestEraseExpiredAppliesRetention(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0, func(in *domain.EventInput) { in.RetentionDays = domain.Some(30) })
	regs := r.signUpMany(ev, 3, time.Now().Add(-time.Hour))

	r.st.Now = func() time.Time { return ev.EndsAt().Add(29 * 24 * time.Hour) }
	if erased, err := r.st.EraseExpired(r.ctx); err != nil || len(erased) != 0 {
		t.Fatalf("within retention: erased %v, %v; want nothing", erased, err)
	}
	r.st.Now = func() time.Time { return ev.EndsAt().Add(32 * 24 * time.Hour) }
	erased, err := r.st.EraseExpired(r.ctx)
	if want := []store.EventCount{{Slug: ev.Slug, Count: len(regs)}}; err != nil || !slices.Equal(erased, want) {
		t.Fatalf("past retention: erased %v, %v; want %v", erased, err, want)
	}
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND (erased_at IS NULL OR first_name <> '')`, ev.ID); n != 0 {
		t.Errorf("%d registrations keep personal data past retention", n)
	}
	if erased, err := r.st.EraseExpired(r.ctx); err != nil || len(erased) != 0 {
		t.Errorf("second run erased %v, %v; want nothing", erased, err)
	}
}

func TestEraseExpiredLeavesAnExemptEventAlone(t *testing.T) {
	r := newStoreRig(t)
	exempt := r.newEvent(0, func(in *domain.EventInput) { in.RetentionDays = domain.Some(1) })
	other := r.newEvent(0, func(in *domain.EventInput) { in.RetentionDays = domain.Some(1) })
	r.signUpMany(exempt, 2, time.Now().Add(-time.Hour))
	r.signUpMany(other, 3, time.Now().Add(-time.Hour))
	if err := r.st.ExemptFromRetention(r.ctx, exempt.ID); err != nil {
		t.Fatal(err)
	}

	r.st.Now = func() time.Time { return exempt.EndsAt().Add(20 * 365 * 24 * time.Hour) }
	erased, err := r.st.EraseExpired(r.ctx)
	if want := []store.EventCount{{Slug: other.Slug, Count: 3}}; err != nil || !slices.Equal(erased, want) {
		t.Fatalf("erased %v, %v; want only %v", erased, err, want)
	}
	if n := count(t, r.db, `SELECT count(*) FROM registrations WHERE event_id = $1 AND erased_at IS NULL AND first_name <> ''`, exempt.ID); n != 2 {
		t.Errorf("the exempt event keeps %d of its 2 participants, want both", n)
	}
	if err := r.st.ExemptFromRetention(r.ctx, -1); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("exempting an unknown event: %v, want not found", err)
	}
}

func TestPersonalDataByTokenOnlyReads(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	reg := r.signUp(ev, time.Now().Add(-time.Hour))
	token := r.linkToken(reg.ID)
	before := r.snapshot()
	data, err := r.st.PersonalDataByToken(r.ctx, domain.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	if data.Registration.Email != reg.Email || data.Event.Slug != ev.Slug || len(data.Emails) != 1 {
		t.Errorf("personal data = %+v", data)
	}
	if after := r.snapshot(); after != before {
		t.Error("downloading personal data changed the database")
	}
}

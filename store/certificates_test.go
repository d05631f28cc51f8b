package store_test

import (
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// TestQueueCertificateEmailsOncePerQualifyingPerson: once an event that
// offers certificates has ended, everyone who meets its rule is emailed
// once, whatever their status now; nobody else, no event without settings,
// and no event whose links have already expired.
func TestQueueCertificateEmailsOncePerQualifyingPerson(t *testing.T) {
	r := newStoreRig(t)
	attend := func(ev *domain.Event, reg *domain.Registration, days ...domain.Date) {
		t.Helper()
		for _, d := range days {
			if _, _, err := r.st.CheckIn(r.ctx, r.org.ID, ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: d}); err != nil {
				t.Fatalf("check-in: %v", err)
			}
		}
	}
	person := func(ev *domain.Event, days ...domain.Date) *domain.Registration {
		t.Helper()
		reg := r.signUp(ev, time.Now())
		r.confirm(reg.ID)
		attend(ev, reg, days...)
		return reg
	}
	settings := func(ev *domain.Event, rule domain.CertificateRule) {
		t.Helper()
		if err := r.st.SetCertificateSettings(r.ctx, ev.ID, domain.CertificateSettings{Rule: rule, SignatoryName: "A. Karimov"}); err != nil {
			t.Fatal(err)
		}
	}

	everyDay := r.newEvent(0) // two days, 30 days from now, ending at 18:00 in Tashkent
	d1, d2 := everyDay.StartsOn, everyDay.EndsOn
	settings(everyDay, domain.CertificateRule{Kind: domain.RuleEveryDay})
	both := person(everyDay, d1, d2)
	oneDay := person(everyDay, d1)
	never := person(everyDay)
	leftLater := person(everyDay, d1, d2)
	r.cancel(leftLater.ID) // attended, then cancelled: attended all the same

	anyDay := r.newEvent(0)
	settings(anyDay, domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 1})
	once := person(anyDay, anyDay.EndsOn)

	noSettings := r.newEvent(0)
	unoffered := person(noSettings, noSettings.StartsOn, noSettings.EndsOn)

	queue := func(now time.Time) int {
		t.Helper()
		r.st.Now = func() time.Time { return now }
		n, err := r.st.QueueCertificateEmails(r.ctx)
		if err != nil {
			t.Fatalf("QueueCertificateEmails: %v", err)
		}
		return n
	}
	if n := queue(tashkentTime(t, d2, 17, 59)); n != 0 {
		t.Errorf("queued %d before the last day ended, want 0", n)
	}
	if n := queue(tashkentTime(t, d2, 18, 1)); n != 3 {
		t.Errorf("queued %d after the end, want 3", n)
	}
	if n := queue(tashkentTime(t, d2, 19, 0)); n != 0 {
		t.Errorf("queued %d again, want 0", n)
	}
	for reg, want := range map[*domain.Registration]int{both: 1, leftLater: 1, once: 1, oneDay: 0, never: 0, unoffered: 0} {
		if got := r.emailCount(reg.ID, domain.EmailCertificate); got != want {
			t.Errorf("%s: %d certificate emails, want %d", reg.Email, got, want)
		}
	}

	// Settings given long after the event: the links would be dead.
	late := r.newEvent(0)
	attendedLate := person(late, late.StartsOn, late.EndsOn)
	settings(late, domain.CertificateRule{Kind: domain.RuleEveryDay})
	if n := queue(tashkentTime(t, late.EndsOn.AddDays(8), 12, 0)); n != 0 || r.emailCount(attendedLate.ID, domain.EmailCertificate) != 0 {
		t.Errorf("queued %d for an event that ended 8 days ago, want 0", n)
	}
}

// TestCertificateSettingsAreWrittenWithTheirEvent: settings given with an
// event change are stored in that change's transaction, so a change that
// fails leaves no settings behind, and one that succeeds has them.
func TestCertificateSettingsAreWrittenWithTheirEvent(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	cs := domain.CertificateSettings{Rule: domain.CertificateRule{Kind: domain.RuleEveryDay}, SignatoryName: "A. Karimov"}
	stored := func() bool {
		t.Helper()
		_, ok, err := r.st.CertificateSettings(r.ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	var cert store.CertificateChange
	_, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(e *domain.Event) error {
		cert = store.CertificateChange{Settings: &cs}
		return domain.Errorf(domain.EInvalid, "the change is refused")
	}, &cert)
	if domain.ErrorCode(err) != domain.EInvalid || stored() {
		t.Fatalf("a refused change: %v, settings stored %v; want the error and no settings", err, stored())
	}
	if _, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(e *domain.Event) error {
		cert = store.CertificateChange{Settings: &cs}
		return nil
	}, &cert); err != nil || !stored() {
		t.Fatalf("an accepted change: %v, settings stored %v", err, stored())
	}
	if _, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(e *domain.Event) error {
		cert = store.CertificateChange{Remove: true}
		return nil
	}, &cert); err != nil || stored() {
		t.Fatalf("a removal: %v, settings stored %v", err, stored())
	}

	// A second event with the same slug is refused, and with it its settings.
	dup := *ev
	dup.ID = 0
	err = r.st.CreateEvent(r.ctx, r.org.ID, &dup, store.CertificateChange{Settings: &cs})
	if domain.ErrorCode(err) != domain.EConflict {
		t.Fatalf("duplicate slug: %v, want a conflict", err)
	}
	var n int
	if err := r.db.Get(&n, `SELECT count(*) FROM event_certificates`); err != nil || n != 0 {
		t.Errorf("%d certificate settings stored after a refused event, %v", n, err)
	}
}

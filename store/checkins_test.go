package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/store"
)

// attendanceRig is a fresh database with an organizer and the two-day
// Tashkent workshop (30–31 May 2019), its clock at 10:00 on the first day.
type attendanceRig struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	rules *domain.Rules
	org   *domain.Organizer
	ev    *domain.Event
	now   time.Time
}

var attendanceTZ = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		panic(err)
	}
	return loc
}()

var (
	workshopDay1 = domain.NewDate(2019, time.May, 30)
	workshopDay2 = domain.NewDate(2019, time.May, 31)
)

func newAttendanceRig(t *testing.T, capacity int) *attendanceRig {
	t.Helper()
	return newAttendanceRigOn(t, pgtest.NewDB(t), capacity)
}

// newAttendanceRigOn is newAttendanceRig on a given database.
func newAttendanceRigOn(t *testing.T, db *sqlx.DB, capacity int) *attendanceRig {
	t.Helper()
	st := store.New(db)
	sealer, err := seal.New([]byte("a-store-attendance-test-secret-of-32-chars"))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	r := &attendanceRig{t: t, ctx: context.Background(), st: st, rules: domain.NewRules(),
		now: time.Date(2019, time.May, 30, 10, 0, 0, 0, attendanceTZ)}
	st.Now = func() time.Time { return r.now }
	r.org = r.organizer("desk@example.org")
	r.ev = r.event(r.org, "egov-tashkent-2019", capacity)
	return r
}

func (r *attendanceRig) organizer(email string) *domain.Organizer {
	r.t.Helper()
	o, err := domain.NewOrganizer(email, "Organizer "+email)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.CreateOrganizer(r.ctx, o); err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *attendanceRig) event(org *domain.Organizer, slug string, capacity int) *domain.Event {
	r.t.Helper()
	in := domain.EventInput{
		Slug: domain.Some(slug), Title: domain.Some("International workshop on e-government development"),
		Country: domain.Some("UZ"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
		Languages: domain.Some([]string{"en", "ru", "uz"}),
	}
	if capacity > 0 {
		in.Capacity = domain.Some(capacity)
	}
	ev, err := r.rules.NewEvent(in)
	if e, ok := domain.AsError(err); ok {
		r.t.Fatalf("event: %v %+v", err, e.Fields)
	} else if err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.CreateEvent(r.ctx, org.ID, ev); err != nil {
		r.t.Fatal(err)
	}
	return ev
}

// attendeeSpec describes a participant for register.
type attendeeSpec struct {
	first, last, email, country, role string
	confirmed                         bool
	at                                time.Time // registration time; zero: the rig's clock
}

func (r *attendanceRig) register(ev *domain.Event, a attendeeSpec) *domain.Registration {
	r.t.Helper()
	consent := true
	at := a.at
	if at.IsZero() {
		at = r.now
	}
	reg, err := r.rules.NewRegistration(domain.RegistrationInput{
		FirstName: a.first, LastName: a.last, Email: a.email, Country: a.country,
		Organization: "Ministry of Digital Technologies", Role: a.role, Consent: &consent,
	}, ev, at)
	if err != nil {
		r.t.Fatal(err)
	}
	register := r.st.Register
	if a.confirmed {
		register = r.st.ImportRegistration
	}
	res, err := register(r.ctx, ev, reg)
	if err != nil || !res.Created {
		r.t.Fatalf("register %s: created %v, %v", a.email, res.Created, err)
	}
	return res.Registration
}

func (r *attendanceRig) checkIn(reg *domain.Registration, day domain.Date) *store.Checkin {
	r.t.Helper()
	ci, _, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: day})
	if err != nil {
		r.t.Fatalf("check in %s on %s: %v", reg.Email, day, err)
	}
	return ci
}

func (r *attendanceRig) cancel(reg *domain.Registration) {
	r.t.Helper()
	if _, err := r.st.CancelRegistration(r.ctx, r.org.ID, r.ev.Slug, reg.ID, ""); err != nil {
		r.t.Fatal(err)
	}
}

func (r *attendanceRig) status(reg *domain.Registration) domain.Status {
	r.t.Helper()
	got, err := r.st.Registration(r.ctx, r.ev.ID, reg.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return got.Status
}

// wantDomainError checks err's domain code and returns the error.
func wantDomainError(t *testing.T, err error, code domain.Code) *domain.Error {
	t.Helper()
	e, ok := domain.AsError(err)
	if !ok || domain.ErrorCode(err) != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	return e
}

func TestCheckInIsIdempotentPerDay(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true})

	first, created, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{Code: reg.CheckinCode})
	if err != nil || !created {
		t.Fatalf("first check-in: created %v, %v", created, err)
	}
	if first.Day != workshopDay1 || first.RegistrationID != reg.ID || first.Code != reg.CheckinCode ||
		first.FirstName != "Kadri" || first.Country != "EE" || first.Status != domain.StatusConfirmed {
		t.Errorf("first check-in = %+v", first)
	}
	if first.CheckedInBy == nil || *first.CheckedInBy != r.org.ID || !first.CheckedInAt.Equal(r.now) {
		t.Errorf("checked in by %v at %v, want organizer %d at %v", first.CheckedInBy, first.CheckedInAt, r.org.ID, r.now)
	}

	r.now = r.now.Add(time.Hour)
	again, created, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{Code: reg.CheckinCode})
	if err != nil || created {
		t.Fatalf("second check-in: created %v, %v", created, err)
	}
	if !again.CheckedInAt.Equal(first.CheckedInAt) {
		t.Errorf("second check-in answered %v, want the first record's time %v", again.CheckedInAt, first.CheckedInAt)
	}

	next, created, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{Code: reg.CheckinCode, Day: workshopDay2})
	if err != nil || !created || next.Day != workshopDay2 {
		t.Errorf("check-in on the second day: %+v, created %v, %v", next, created, err)
	}
}

func TestConcurrentCheckInsOfOnePersonMakeOneRecord(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", role: "expert"})
	const desks = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		errs    []error
	)
	for range desks {
		wg.Go(func() {
			_, c, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{Code: reg.CheckinCode})
			mu.Lock()
			defer mu.Unlock()
			if c {
				created++
			}
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 || created != 1 {
		t.Errorf("%d desks checked in the same pending person: %d created, errors %v; want exactly 1 created", desks, created, errs)
	}
	if got := r.status(reg); got != domain.StatusConfirmed {
		t.Errorf("status = %s, want confirmed", got)
	}
}

func TestCheckInFindsTypedCodes(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Armen", last: "Petrosyan", email: "armen@example.am", country: "AM", role: "expert", confirmed: true})
	code := reg.CheckinCode
	for _, typed := range []string{
		code,
		strings.ToLower(code),
		strings.ToLower(code[:4]) + " " + code[4:],
		code[:4] + "-" + strings.ToLower(code[4:]),
	} {
		t.Run(typed+" is found", func(t *testing.T) {
			ci, _, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{Code: typed})
			if err != nil || ci.RegistrationID != reg.ID {
				t.Errorf("CheckIn(%q) = %+v, %v", typed, ci, err)
			}
		})
	}
}

func TestCheckInConfirmsAPendingRegistration(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Leyla", last: "Mammadova", email: "leyla@example.az", country: "AZ", role: "expert"})
	if reg.Status != domain.StatusPending {
		t.Fatalf("status = %s, want pending", reg.Status)
	}
	ci, created, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{RegistrationID: reg.ID})
	if err != nil || !created || ci.Status != domain.StatusConfirmed {
		t.Fatalf("check-in = %+v, created %v, %v; want a new check-in of a confirmed registration", ci, created, err)
	}
	got, err := r.st.Registration(r.ctx, r.ev.ID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusConfirmed || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(r.now) {
		t.Errorf("registration is %s, confirmed at %v; want confirmed at %v", got.Status, got.ConfirmedAt, r.now)
	}
}

func TestCheckInRefuses(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 3)
	confirmed := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true})
	cancelled := r.register(r.ev, attendeeSpec{first: "Claire", last: "Dubois", email: "claire@example.org", country: "FR", role: "expert", confirmed: true})
	r.cancel(cancelled)
	r.register(r.ev, attendeeSpec{first: "Oʻktam", last: "Ergashev", email: "oktam@example.uz", country: "UZ", role: "practitioner", confirmed: true})
	expired := r.register(r.ev, attendeeSpec{first: "Malika", last: "Rahimova", email: "malika@example.uz", country: "UZ", role: "student"})
	waitlisted := r.register(r.ev, attendeeSpec{first: "Бакыт", last: "Асанов", email: "bakyt@example.kg", country: "KG", role: "expert"})
	if waitlisted.Status != domain.StatusWaitlisted {
		t.Fatalf("status = %s, want waitlisted", waitlisted.Status)
	}
	other := r.event(r.organizer("other@example.org"), "another-workshop", 0)
	stranger := r.register(other, attendeeSpec{first: "Gʻayrat", last: "Toʻxtayev", email: "gayrat@example.uz", country: "UZ", role: "student", confirmed: true})
	r.setExpired(expired)

	tests := []struct {
		name  string
		slug  string
		req   store.CheckinRequest
		code  domain.Code
		field string // for validation errors: the field and its code
		fcode string
	}{
		{"a day before the event", r.ev.Slug, store.CheckinRequest{Code: confirmed.CheckinCode, Day: workshopDay1.AddDays(-1)}, domain.EInvalid, "day", "day"},
		{"a day after the event", r.ev.Slug, store.CheckinRequest{Code: confirmed.CheckinCode, Day: workshopDay2.AddDays(1)}, domain.EInvalid, "day", "day"},
		{"a cancelled registration", r.ev.Slug, store.CheckinRequest{Code: cancelled.CheckinCode}, domain.EInvalid, "code", "status"},
		{"a waitlisted registration", r.ev.Slug, store.CheckinRequest{RegistrationID: waitlisted.ID}, domain.EInvalid, "registration_id", "status"},
		{"an expired registration", r.ev.Slug, store.CheckinRequest{Code: expired.CheckinCode}, domain.EInvalid, "code", "status"},
		{"an unknown code", r.ev.Slug, store.CheckinRequest{Code: "ZZZZ9999"}, domain.ENotFound, "", ""},
		{"another event's code", r.ev.Slug, store.CheckinRequest{Code: stranger.CheckinCode}, domain.ENotFound, "", ""},
		{"another event's registration id", r.ev.Slug, store.CheckinRequest{RegistrationID: stranger.ID}, domain.ENotFound, "", ""},
		{"another organizer's event", other.Slug, store.CheckinRequest{Code: stranger.CheckinCode}, domain.ENotFound, "", ""},
		{"an event that does not exist", "no-such-event", store.CheckinRequest{Code: confirmed.CheckinCode}, domain.ENotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, _, err := r.st.CheckIn(r.ctx, r.org.ID, tt.slug, tt.req)
			e := wantDomainError(t, err, tt.code)
			if tt.field == "" {
				return
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != tt.field || e.Fields[0].Code != tt.fcode {
				t.Errorf("fields = %+v, want %s: %s", e.Fields, tt.field, tt.fcode)
			}
		})
	}
	var n int
	if err := r.st.DB().Get(&n, `SELECT count(*) FROM checkins`); err != nil || n != 0 {
		t.Errorf("%d check-ins stored (%v), want none", n, err)
	}
}

// setExpired expires a pending registration the way the periodic job does.
func (r *attendanceRig) setExpired(reg *domain.Registration) {
	r.t.Helper()
	saved := r.now
	r.now = r.now.Add(time.Duration(r.ev.ConfirmWithinHours+1) * time.Hour)
	defer func() { r.now = saved }()
	if _, err := r.st.ExpireUnconfirmed(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	if got := r.status(reg); got != domain.StatusExpired {
		r.t.Fatalf("status = %s, want expired", got)
	}
}

func TestUndoCheckIn(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true})
	r.checkIn(reg, workshopDay1)
	r.checkIn(reg, workshopDay2)
	other := r.organizer("other@example.org")

	t.Run("another organizer cannot undo it", func(t *testing.T) {
		err := r.st.UndoCheckIn(r.ctx, other.ID, r.ev.Slug, reg.ID, "2019-05-30")
		wantDomainError(t, err, domain.ENotFound)
	})
	t.Run("malformed ids and days are not found", func(t *testing.T) {
		for _, args := range [][2]string{{"not-a-uuid", "2019-05-30"}, {reg.ID, "30.05.2019"}} {
			wantDomainError(t, r.st.UndoCheckIn(r.ctx, r.org.ID, r.ev.Slug, args[0], args[1]), domain.ENotFound)
		}
	})
	t.Run("the organizer undoes one day", func(t *testing.T) {
		if err := r.st.UndoCheckIn(r.ctx, r.org.ID, r.ev.Slug, reg.ID, "2019-05-30"); err != nil {
			t.Fatal(err)
		}
		err := r.st.UndoCheckIn(r.ctx, r.org.ID, r.ev.Slug, reg.ID, "2019-05-30")
		wantDomainError(t, err, domain.ENotFound)
		var days []string
		if err := r.st.DB().Select(&days, `SELECT day::text FROM checkins WHERE registration_id = $1`, reg.ID); err != nil {
			t.Fatal(err)
		}
		if len(days) != 1 || days[0] != "2019-05-31" {
			t.Errorf("days left = %v, want only 2019-05-31", days)
		}
	})
	t.Run("checking in again after an undo is a new record", func(t *testing.T) {
		_, created, err := r.st.CheckIn(r.ctx, r.org.ID, r.ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: workshopDay1})
		if err != nil || !created {
			t.Errorf("check-in after undo: created %v, %v", created, err)
		}
	})
}

func TestCheckinsFollowTheirRegistration(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true})
	r.checkIn(reg, workshopDay1)
	other := r.event(r.org, "another-workshop", 0)
	t.Run("a check-in cannot name another event than its registration's", func(t *testing.T) {
		_, err := r.st.DB().Exec(`INSERT INTO checkins (registration_id, event_id, day) VALUES ($1, $2, '2019-05-31')`, reg.ID, other.ID)
		if err == nil {
			t.Error("the database accepted a check-in for another event's registration")
		}
	})
	t.Run("the database refuses a second check-in on the same day", func(t *testing.T) {
		_, err := r.st.DB().Exec(`INSERT INTO checkins (registration_id, event_id, day) VALUES ($1, $2, '2019-05-30')`, reg.ID, r.ev.ID)
		if err == nil {
			t.Error("the database accepted a duplicate check-in")
		}
	})
	t.Run("deleting the registration deletes its check-ins", func(t *testing.T) {
		if _, err := r.st.DB().Exec(`DELETE FROM registrations WHERE id = $1`, reg.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := r.st.DB().Get(&n, `SELECT count(*) FROM checkins`); err != nil || n != 0 {
			t.Errorf("%d check-ins left (%v), want 0", n, err)
		}
	})
}

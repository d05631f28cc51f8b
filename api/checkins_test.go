package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

// deskAPI is the real server on a fresh database with the two-day Tashkent
// workshop (30–31 May 2019) and its organizer; the clock of both server and
// store reads deskAPI.now, 10:00 on the first day in Tashkent.
type deskAPI struct {
	t          *testing.T
	ctx        context.Context
	st         *store.Store
	srv        *server.Server
	rules      *domain.Rules
	org        *domain.Organizer
	token      string
	otherToken string // an organizer of another event
	ev         *domain.Event
	other      *domain.Event // the other organizer's event

	mu  sync.Mutex
	now time.Time
}

var deskTZ = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		panic(err)
	}
	return loc
}()

const deskSecret = "a-desk-api-test-secret-of-at-least-32-chars"

func newDeskAPI(t *testing.T) *deskAPI {
	t.Helper()
	st := store.New(pgtest.NewDB(t))
	sealer, err := seal.New([]byte(deskSecret))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	env := map[string]string{
		"DATABASE_URL": "postgres://attend@127.0.0.1:5432/attend?sslmode=disable", "SECRET_KEY": deskSecret,
		"REGISTER_RATE_LIMIT": "1000000",
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.Need{SecretKey: true})
	if err != nil {
		t.Fatal(err)
	}
	d := &deskAPI{t: t, ctx: context.Background(), st: st, rules: domain.NewRules(),
		now: time.Date(2019, time.May, 30, 10, 0, 0, 0, deskTZ)}
	st.Now = d.clock
	d.srv = servertest.Handler(t, server.Deps{Config: cfg, Store: st, Rules: d.rules, Now: d.clock,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	d.org, d.token = d.organizer("desk@example.org")
	var otherOrg *domain.Organizer
	otherOrg, d.otherToken = d.organizer("other@example.org")
	d.ev = d.event(d.org, "egov-tashkent-2019", nil)
	d.other = d.event(otherOrg, "another-workshop", nil)
	return d
}

func (d *deskAPI) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *deskAPI) setClock(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = t
}

func (d *deskAPI) organizer(email string) (*domain.Organizer, string) {
	d.t.Helper()
	o, err := domain.NewOrganizer(email, "Organizer "+email)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.st.CreateOrganizer(d.ctx, o); err != nil {
		d.t.Fatal(err)
	}
	plain, hash, err := domain.NewToken()
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.st.CreateAPIToken(d.ctx, o.ID, hash); err != nil {
		d.t.Fatal(err)
	}
	return o, plain
}

func (d *deskAPI) event(org *domain.Organizer, slug string, change func(*domain.EventInput)) *domain.Event {
	d.t.Helper()
	in := domain.EventInput{
		Slug: domain.Some(slug), Title: domain.Some("International workshop on e-government development"),
		Country: domain.Some("UZ"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
		Languages: domain.Some([]string{"en", "ru", "uz"}),
	}
	if change != nil {
		change(&in)
	}
	ev, err := d.rules.NewEvent(in)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.st.CreateEvent(d.ctx, org.ID, ev); err != nil {
		d.t.Fatal(err)
	}
	return ev
}

// deskPerson is a participant registered straight through the store.
type deskPerson struct {
	first, last, email, country, role, org, position, phone string
	confirmed                                               bool
	at                                                      time.Time // zero: the clock
}

func (d *deskAPI) register(ev *domain.Event, p deskPerson) *domain.Registration {
	d.t.Helper()
	consent := true
	if p.org == "" {
		p.org = "Ministry of Digital Technologies"
	}
	if p.role == "" {
		p.role = "expert"
	}
	at := p.at
	if at.IsZero() {
		at = d.clock()
	}
	reg, err := d.rules.NewRegistration(domain.RegistrationInput{
		FirstName: p.first, LastName: p.last, Email: p.email, Country: p.country, Organization: p.org,
		Position: p.position, Role: p.role, Phone: p.phone, Consent: &consent,
	}, ev, at)
	if err != nil {
		d.t.Fatal(err)
	}
	register := d.st.Register
	if p.confirmed {
		register = d.st.ImportRegistration
	}
	res, err := register(d.ctx, ev, reg)
	if err != nil || !res.Created {
		d.t.Fatalf("register %s: created %v, %v", p.email, res.Created, err)
	}
	return res.Registration
}

// call sends a request with an optional JSON body and Bearer token.
func (d *deskAPI) call(method, path, token string, body any) *httptest.ResponseRecorder {
	d.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			d.t.Fatal(err)
		}
		r = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

func (d *deskAPI) checkIn(token string, body any) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.call(http.MethodPost, "/api/v1/events/"+d.ev.Slug+"/checkins", token, body)
}

// deskProblem is the part of a problem body these tests read.
type deskProblem struct {
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []domain.FieldError `json:"errors"`
	Extra  string              `json:"registration_status"`
}

// wantProblem checks a problem+json answer and returns its field codes.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) (deskProblem, map[string]string) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	p := servertest.Decode[deskProblem](t, rec, status)
	fields := map[string]string{}
	for _, f := range p.Errors {
		fields[f.Field] = f.Code
	}
	return p, fields
}

// checkinJSON is the check-in a POST answers with.
type checkinJSON struct {
	RegistrationID string        `json:"registration_id"`
	Code           string        `json:"code"`
	FirstName      string        `json:"first_name"`
	LastName       string        `json:"last_name"`
	Country        string        `json:"country"`
	Day            string        `json:"day"`
	CheckedInAt    time.Time     `json:"checked_in_at"`
	CheckedInBy    *int64        `json:"checked_in_by"`
	Status         domain.Status `json:"status"`
}

func TestCheckinAnswersCreatedThenTheFirstRecord(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	reg := d.register(d.ev, deskPerson{first: "Айгерим", last: "Сейтказиева", email: "aigerim@example.kz", country: "KZ", confirmed: true})

	first := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode}), http.StatusCreated)
	want := checkinJSON{RegistrationID: reg.ID, Code: reg.CheckinCode, FirstName: "Айгерим", LastName: "Сейтказиева",
		Country: "KZ", Day: "2019-05-30", CheckedInBy: &d.org.ID, Status: domain.StatusConfirmed}
	if first.RegistrationID != want.RegistrationID || first.Code != want.Code || first.FirstName != want.FirstName ||
		first.LastName != want.LastName || first.Country != want.Country || first.Day != want.Day ||
		first.CheckedInBy == nil || *first.CheckedInBy != d.org.ID || first.Status != want.Status {
		t.Errorf("check-in = %+v, want %+v", first, want)
	}
	if !first.CheckedInAt.Equal(d.clock()) {
		t.Errorf("checked in at %v, want %v", first.CheckedInAt, d.clock())
	}
	if _, offset := first.CheckedInAt.Zone(); offset != 5*3600 {
		t.Errorf("checked_in_at %v is not in the event's time zone", first.CheckedInAt)
	}

	d.setClock(d.clock().Add(20 * time.Minute))
	again := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"registration_id": reg.ID}), http.StatusOK)
	if !again.CheckedInAt.Equal(first.CheckedInAt) || again.Day != first.Day {
		t.Errorf("repeat answered %+v, want the first record %+v", again, first)
	}
}

func TestCheckinAcceptsCodesAsTyped(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	reg := d.register(d.ev, deskPerson{first: "Oʻktam", last: "Ergashev", email: "oktam@example.uz", country: "UZ", confirmed: true})
	code := reg.CheckinCode
	typed := []string{
		strings.ToLower(code),
		" " + code[:4] + " " + code[4:] + " ",
		strings.ToLower(code[:4]) + "-" + code[4:],
	}
	for i, s := range typed {
		t.Run("the code typed as "+s+" is found", func(t *testing.T) {
			status := http.StatusOK
			if i == 0 {
				status = http.StatusCreated
			}
			got := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": s}), status)
			if got.RegistrationID != reg.ID {
				t.Errorf("checked in %s, want %s", got.RegistrationID, reg.ID)
			}
		})
	}
}

func TestCheckinDays(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	reg := d.register(d.ev, deskPerson{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", confirmed: true})
	t.Run("an explicit day of the event is used", func(t *testing.T) {
		got := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode, "day": "2019-05-31"}), http.StatusCreated)
		if got.Day != "2019-05-31" {
			t.Errorf("day = %s, want 2019-05-31", got.Day)
		}
	})
	t.Run("the default day is today in the event's time zone", func(t *testing.T) {
		other := d.register(d.ev, deskPerson{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", confirmed: true})
		// 23:30 UTC on the 30th is already the 31st in Tashkent.
		d.setClock(time.Date(2019, time.May, 30, 23, 30, 0, 0, time.UTC))
		defer d.setClock(time.Date(2019, time.May, 30, 10, 0, 0, 0, deskTZ))
		got := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": other.CheckinCode}), http.StatusCreated)
		if got.Day != "2019-05-31" {
			t.Errorf("day = %s, want 2019-05-31", got.Day)
		}
	})
	for _, day := range []string{"2019-05-29", "2019-06-01"} {
		t.Run("the day "+day+" outside the event is refused", func(t *testing.T) {
			_, fields := wantProblem(t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode, "day": day}), http.StatusUnprocessableEntity)
			if fields["day"] != "day" {
				t.Errorf("field errors %v, want day: day", fields)
			}
		})
	}
	t.Run("today outside the event is refused", func(t *testing.T) {
		d.setClock(time.Date(2019, time.June, 3, 10, 0, 0, 0, deskTZ))
		defer d.setClock(time.Date(2019, time.May, 30, 10, 0, 0, 0, deskTZ))
		_, fields := wantProblem(t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode}), http.StatusUnprocessableEntity)
		if fields["day"] != "day" {
			t.Errorf("field errors %v, want day: day", fields)
		}
	})
	t.Run("a malformed day is refused", func(t *testing.T) {
		_, fields := wantProblem(t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode, "day": "31.05.2019"}), http.StatusUnprocessableEntity)
		if fields["day"] != "date" {
			t.Errorf("field errors %v, want day: date", fields)
		}
	})
}

func TestCheckinRefusals(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	confirmed := d.register(d.ev, deskPerson{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", confirmed: true})
	cancelled := d.register(d.ev, deskPerson{first: "Claire", last: "Dubois", email: "claire@example.org", country: "FR", confirmed: true})
	if _, err := d.st.CancelRegistration(d.ctx, d.org.ID, d.ev.Slug, cancelled.ID, ""); err != nil {
		t.Fatal(err)
	}
	stranger := d.register(d.other, deskPerson{first: "Бакыт", last: "Асанов", email: "bakyt@example.kg", country: "KG", confirmed: true})

	validation := []struct {
		name   string
		body   any
		fields map[string]string
	}{
		{"neither code nor registration id", map[string]any{"day": "2019-05-30"},
			map[string]string{"code": "required_without", "registration_id": "required_without"}},
		{"an empty code", map[string]any{"code": "  "}, map[string]string{"code": "required_without", "registration_id": "required_without"}},
		{"both code and registration id", map[string]any{"code": confirmed.CheckinCode, "registration_id": confirmed.ID},
			map[string]string{"code": "excluded_with", "registration_id": "excluded_with"}},
		{"a registration id that is no UUID", map[string]any{"registration_id": "42"}, map[string]string{"registration_id": "uuid"}},
		{"a cancelled registration", map[string]any{"code": cancelled.CheckinCode}, map[string]string{"code": "status"}},
		{"a code of the wrong type", map[string]any{"code": 12345678}, map[string]string{"code": "type"}},
	}
	for _, tt := range validation {
		t.Run(tt.name+" is 422", func(t *testing.T) {
			_, fields := wantProblem(t, d.checkIn(d.token, tt.body), http.StatusUnprocessableEntity)
			if len(fields) != len(tt.fields) {
				t.Errorf("field errors %v, want %v", fields, tt.fields)
			}
			for f, code := range tt.fields {
				if fields[f] != code {
					t.Errorf("field errors %v, want %v", fields, tt.fields)
				}
			}
		})
	}
	t.Run("the cancelled problem says why", func(t *testing.T) {
		p, _ := wantProblem(t, d.checkIn(d.token, map[string]any{"code": cancelled.CheckinCode}), http.StatusUnprocessableEntity)
		if p.Extra != "cancelled" || !strings.Contains(p.Detail, "cancelled") {
			t.Errorf("problem = %+v, want it to name the cancelled status", p)
		}
	})

	notFound := []struct {
		name  string
		path  string
		token string
		body  any
	}{
		{"an unknown code", "/api/v1/events/" + d.ev.Slug + "/checkins", d.token, map[string]any{"code": "ZZZZ9999"}},
		{"another event's code", "/api/v1/events/" + d.ev.Slug + "/checkins", d.token, map[string]any{"code": stranger.CheckinCode}},
		{"another organizer's event", "/api/v1/events/" + d.other.Slug + "/checkins", d.token, map[string]any{"code": stranger.CheckinCode}},
		{"our event for another organizer", "/api/v1/events/" + d.ev.Slug + "/checkins", d.otherToken, map[string]any{"code": confirmed.CheckinCode}},
		{"an event that does not exist", "/api/v1/events/no-such-event/checkins", d.token, map[string]any{"code": confirmed.CheckinCode}},
	}
	for _, tt := range notFound {
		t.Run(tt.name+" is 404", func(t *testing.T) {
			wantProblem(t, d.call(http.MethodPost, tt.path, tt.token, tt.body), http.StatusNotFound)
		})
	}

	t.Run("no token is 401", func(t *testing.T) {
		wantProblem(t, d.checkIn("", map[string]any{"code": confirmed.CheckinCode}), http.StatusUnauthorized)
	})
	t.Run("a wrong token is 401", func(t *testing.T) {
		wantProblem(t, d.checkIn(strings.Repeat("x", len(d.token)), map[string]any{"code": confirmed.CheckinCode}), http.StatusUnauthorized)
	})
	t.Run("nothing was checked in", func(t *testing.T) {
		var n int
		if err := d.st.DB().Get(&n, `SELECT count(*) FROM checkins`); err != nil || n != 0 {
			t.Errorf("%d check-ins (%v), want 0", n, err)
		}
	})
}

func TestCheckinOfAPendingRegistrationConfirmsIt(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	reg := d.register(d.ev, deskPerson{first: "Leyla", last: "Mammadova", email: "leyla@example.az", country: "AZ"})
	got := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode}), http.StatusCreated)
	if got.Status != domain.StatusConfirmed {
		t.Errorf("status after check-in = %s, want confirmed", got.Status)
	}
	after := servertest.Decode[domain.Registration](t, d.call(http.MethodGet, "/api/v1/events/"+d.ev.Slug+"/registrations/"+reg.ID, d.token, nil), http.StatusOK)
	if after.Status != domain.StatusConfirmed || after.ConfirmedAt == nil {
		t.Errorf("registration is %s (confirmed at %v), want confirmed", after.Status, after.ConfirmedAt)
	}
}

func TestDeleteCheckinUndoesIt(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	reg := d.register(d.ev, deskPerson{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", confirmed: true})
	servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"code": reg.CheckinCode}), http.StatusCreated)
	path := "/api/v1/events/" + d.ev.Slug + "/checkins/" + reg.ID + "/2019-05-30"

	t.Run("another organizer gets 404", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodDelete, path, d.otherToken, nil), http.StatusNotFound)
	})
	t.Run("without a token it is 401", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodDelete, path, "", nil), http.StatusUnauthorized)
	})
	t.Run("the organizer deletes it with 204", func(t *testing.T) {
		rec := d.call(http.MethodDelete, path, d.token, nil)
		if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Fatalf("DELETE = %d %s, want 204 without a body", rec.Code, rec.Body)
		}
	})
	t.Run("a second delete is 404", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodDelete, path, d.token, nil), http.StatusNotFound)
	})
	t.Run("deleting a check-in of a day without one is 404", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodDelete, "/api/v1/events/"+d.ev.Slug+"/checkins/"+reg.ID+"/2019-05-31", d.token, nil), http.StatusNotFound)
	})
	malformed := []struct {
		path   string
		fields map[string]string
	}{
		{"not-a-uuid/2019-05-30", map[string]string{"registration_id": "uuid"}},
		{reg.ID + "/yesterday", map[string]string{"day": "date"}},
		{"not-a-uuid/yesterday", map[string]string{"registration_id": "uuid", "day": "date"}},
	}
	for _, tt := range malformed {
		t.Run("deleting "+tt.path+" is 422 naming what is malformed", func(t *testing.T) {
			_, fields := wantProblem(t, d.call(http.MethodDelete, "/api/v1/events/"+d.ev.Slug+"/checkins/"+tt.path, d.token, nil),
				http.StatusUnprocessableEntity)
			if !mapsEqual(fields, tt.fields) {
				t.Errorf("fields = %v, want %v", fields, tt.fields)
			}
		})
	}
	t.Run("the person can be checked in again", func(t *testing.T) {
		servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"registration_id": reg.ID}), http.StatusCreated)
	})
}

// walkInJSON is a walk-in's answer: the registration and its check-in.
type walkInJSON struct {
	domain.Registration
	Checkin *checkinJSON `json:"checkin"`
}

func walkIn(email string, change func(map[string]any)) map[string]any {
	b := map[string]any{
		"first_name": "Gʻayrat", "last_name": "Toʻxtayev", "email": email, "country": "UZ",
		"organization": "Academy of Public Administration", "role": "student", "consent": true,
	}
	if change != nil {
		change(b)
	}
	return b
}

func TestWalkIns(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	register := func(slug, token string, body any) *httptest.ResponseRecorder {
		return d.call(http.MethodPost, "/api/v1/events/"+slug+"/registrations", token, body)
	}
	emails := func(regID string, kind domain.EmailKind) int {
		var n int
		if err := d.st.DB().Get(&n, `SELECT count(*) FROM emails WHERE registration_id = $1 AND kind = $2`, regID, kind); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("an organizer's walk-in is confirmed at once and answered in full", func(t *testing.T) {
		rec := register(d.ev.Slug, d.token, walkIn("walkin1@example.uz", nil))
		got := servertest.Decode[walkInJSON](t, rec, http.StatusCreated)
		if got.Status != domain.StatusConfirmed || got.Email != "walkin1@example.uz" || got.ID == "" ||
			len(got.CheckinCode) != domain.CheckinCodeLength || got.ConfirmedAt == nil || got.Checkin != nil {
			t.Errorf("walk-in = %+v", got)
		}
		if loc := rec.Header().Get("Location"); loc != "/api/v1/events/"+d.ev.Slug+"/registrations/"+got.ID {
			t.Errorf("Location = %q", loc)
		}
		if n := emails(got.ID, domain.EmailConfirmed); n != 1 {
			t.Errorf("%d confirmation emails queued, want 1", n)
		}
	})
	t.Run("with check_in the walk-in is also checked in today", func(t *testing.T) {
		got := servertest.Decode[walkInJSON](t, register(d.ev.Slug, d.token, walkIn("walkin2@example.uz", func(b map[string]any) {
			b["check_in"] = true
		})), http.StatusCreated)
		if got.Checkin == nil || got.Checkin.Day != "2019-05-30" || got.Checkin.RegistrationID != got.ID ||
			got.Checkin.CheckedInBy == nil || *got.Checkin.CheckedInBy != d.org.ID {
			t.Fatalf("check-in = %+v", got.Checkin)
		}
		again := servertest.Decode[checkinJSON](t, d.checkIn(d.token, map[string]any{"registration_id": got.ID}), http.StatusOK)
		if !again.CheckedInAt.Equal(got.Checkin.CheckedInAt) {
			t.Errorf("the desk sees %v, want the walk-in's check-in at %v", again.CheckedInAt, got.Checkin.CheckedInAt)
		}
	})
	t.Run("with check_in and a day the walk-in is checked in that day", func(t *testing.T) {
		got := servertest.Decode[walkInJSON](t, register(d.ev.Slug, d.token, walkIn("walkin3@example.uz", func(b map[string]any) {
			b["check_in"], b["day"] = true, "2019-05-31"
		})), http.StatusCreated)
		if got.Checkin == nil || got.Checkin.Day != "2019-05-31" {
			t.Errorf("check-in = %+v, want 2019-05-31", got.Checkin)
		}
	})
	t.Run("a check-in day outside the event is refused before anything is stored", func(t *testing.T) {
		_, fields := wantProblem(t, register(d.ev.Slug, d.token, walkIn("walkin4@example.uz", func(b map[string]any) {
			b["check_in"], b["day"] = true, "2019-06-01"
		})), http.StatusUnprocessableEntity)
		if fields["day"] != "day" {
			t.Errorf("field errors %v, want day: day", fields)
		}
		var n int
		if err := d.st.DB().Get(&n, `SELECT count(*) FROM registrations WHERE email = 'walkin4@example.uz'`); err != nil || n != 0 {
			t.Errorf("%d registrations stored (%v), want 0", n, err)
		}
	})
	t.Run("consent is still required", func(t *testing.T) {
		_, fields := wantProblem(t, register(d.ev.Slug, d.token, walkIn("walkin5@example.uz", func(b map[string]any) {
			delete(b, "consent")
		})), http.StatusUnprocessableEntity)
		if fields["consent"] == "" {
			t.Errorf("field errors %v, want consent", fields)
		}
	})
	t.Run("a walk-in ignores a closed registration window", func(t *testing.T) {
		closed := d.event(d.org, "closed-workshop", func(in *domain.EventInput) {
			in.RegistrationClosesAt = domain.Some("2019-05-01T00:00:00+05:00")
		})
		servertest.Decode[walkInJSON](t, register(closed.Slug, d.token, walkIn("walkin6@example.uz", nil)), http.StatusCreated)
		// The public is turned away from the same event.
		wantProblem(t, register(closed.Slug, "", walkIn("public6@example.uz", nil)), http.StatusConflict)
	})
	t.Run("an email registered already answers 200 with that registration, checked in", func(t *testing.T) {
		pending := d.register(d.ev, deskPerson{first: "Malika", last: "Rahimova", email: "malika@example.uz", country: "UZ"})
		got := servertest.Decode[walkInJSON](t, register(d.ev.Slug, d.token, walkIn("MALIKA@example.uz", func(b map[string]any) {
			b["check_in"] = true
		})), http.StatusOK)
		if got.ID != pending.ID || got.Status != domain.StatusConfirmed || got.Checkin == nil {
			t.Errorf("walk-in = %+v (check-in %+v), want the existing registration, now confirmed and checked in", got.Registration, got.Checkin)
		}
	})
	t.Run("a walk-in to a full event waits and is not checked in", func(t *testing.T) {
		full := d.event(d.org, "full-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
		d.register(full, deskPerson{first: "Armen", last: "Petrosyan", email: "armen@example.am", country: "AM", confirmed: true})
		got := servertest.Decode[walkInJSON](t, register(full.Slug, d.token, walkIn("walkin7@example.uz", func(b map[string]any) {
			b["check_in"] = true
		})), http.StatusCreated)
		if got.Status != domain.StatusWaitlisted || got.Checkin != nil {
			t.Errorf("walk-in = %s with check-in %+v, want waitlisted without one", got.Status, got.Checkin)
		}
	})
	t.Run("another organizer's event is 404", func(t *testing.T) {
		wantProblem(t, register(d.other.Slug, d.token, walkIn("walkin8@example.uz", nil)), http.StatusNotFound)
	})
	t.Run("a wrong token is 401, not the public flow", func(t *testing.T) {
		wantProblem(t, register(d.ev.Slug, strings.Repeat("x", len(d.token)), walkIn("walkin9@example.uz", nil)), http.StatusUnauthorized)
	})
	t.Run("without a token it stays the public flow", func(t *testing.T) {
		body := servertest.Decode[map[string]any](t, register(d.ev.Slug, "", walkIn("public10@example.uz", func(b map[string]any) {
			b["check_in"] = true
		})), http.StatusAccepted)
		if body["status"] != "pending" || body["id"] != nil || body["checkin_code"] != nil {
			t.Errorf("public answer = %v, want only a pending status and a message", body)
		}
	})
}

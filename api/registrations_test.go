package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

func TestRegisterAnswersAccepted(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	rec := a.Register("egov", servertest.Participant("dilnoza@example.uz", func(b map[string]any) {
		b["first_name"], b["last_name"] = "Дилноза", "Юсупова"
		b["phone"] = "+998 (71) 123-45-67"
	}))
	body := servertest.Decode[map[string]any](t, rec, http.StatusAccepted)
	if body["status"] != "pending" {
		t.Errorf("status = %v, want pending", body["status"])
	}
	if msg, _ := body["message"].(string); msg == "" {
		t.Error("no message")
	}
	if len(body) != 2 {
		t.Errorf("body = %v, want only status and message (nothing about the registration)", body)
	}
	var stored struct {
		FirstName string `db:"first_name"`
		Phone     string `db:"phone"`
		Status    string `db:"status"`
	}
	if err := a.DB.Get(&stored, `SELECT first_name, phone, status FROM registrations`); err != nil {
		t.Fatal(err)
	}
	if stored.FirstName != "Дилноза" || stored.Phone != "+998711234567" || stored.Status != "pending" {
		t.Errorf("stored %+v", stored)
	}
}

func TestRegisterTheSameEmailAgainAnswersIdentically(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	first := a.Register("egov", servertest.Participant("dilnoza@example.uz", nil))
	second := a.Register("egov", servertest.Participant("DILNOZA@Example.UZ", func(b map[string]any) { b["first_name"] = "Other" }))
	if first.Code != http.StatusAccepted || second.Code != first.Code {
		t.Fatalf("statuses %d and %d, want 202 twice", first.Code, second.Code)
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
		t.Errorf("bodies differ, which tells who is registered:\n%s\n%s", first.Body, second.Body)
	}
	if first.Header().Get("Content-Type") != second.Header().Get("Content-Type") {
		t.Error("content types differ")
	}
	var n int
	if err := a.DB.Get(&n, `SELECT count(*) FROM registrations`); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d registrations, want 1", n)
	}
}

func TestRegisterOnAFullEventAnswersWaitlisted(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["capacity"] = 1 })
	servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("first@example.org", nil)), http.StatusAccepted)
	body := servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("second@example.org", nil)), http.StatusAccepted)
	if body["status"] != "waitlisted" || body["message"] == "" {
		t.Errorf("body = %v, want waitlisted with a message", body)
	}
}

func TestRegisterReportsEveryInvalidField(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	rec := a.Register("egov", map[string]any{
		"email": "not-an-email", "country": "xx", "role": "boss", "phone": "12",
		"language": "de", "days": []string{"1999-01-01"}, "consent": false,
		"last_name": "Yusupova\r\nBcc: x@example.org",
	})
	p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
	if !strings.HasSuffix(p.Type, "/problems/validation-error") {
		t.Errorf("type = %q", p.Type)
	}
	want := map[string]string{
		"first_name": "required", "last_name": "nocontrol", "email": "email", "country": "iso3166",
		"organization": "required", "role": "oneof", "phone": "e164", "language": "oneof",
		"days[0]": "day", "consent": "accepted",
	}
	if got := servertest.FieldCodes(p); !mapsEqual(got, want) {
		t.Errorf("fields = %v\nwant     %v", got, want)
	}
	for _, f := range p.Errors {
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
	}
}

func TestRegisterWithEveryFieldMissing(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	p := servertest.Problem(t, a.Register("egov", `{}`), http.StatusUnprocessableEntity)
	want := map[string]string{
		"first_name": "required", "last_name": "required", "email": "required", "country": "required",
		"organization": "required", "role": "required", "consent": "required",
	}
	if got := servertest.FieldCodes(p); !mapsEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestRegisterRefusesMalformedRequests(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	valid := servertest.JSONText(t, servertest.Participant("dilnoza@example.uz", nil))
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		typeSuffix  string
	}{
		{"truncated JSON", `{"first_name": "Dilnoza",`, "", http.StatusBadRequest, "/problems/malformed-json"},
		{"not JSON at all", `first_name=Dilnoza`, "", http.StatusBadRequest, "/problems/malformed-json"},
		{"two JSON values", valid + valid, "", http.StatusBadRequest, "/problems/malformed-json"},
		{"a JSON array", `[` + valid + `]`, "", http.StatusBadRequest, "/problems/malformed-json"},
		{"text/plain", valid, "text/plain", http.StatusBadRequest, "/problems/unsupported-content-type"},
		{"a form", "first_name=Dilnoza&email=d%40example.uz", "application/x-www-form-urlencoded", http.StatusBadRequest, "/problems/unsupported-content-type"},
		{"multipart", valid, "multipart/form-data; boundary=x", http.StatusBadRequest, "/problems/unsupported-content-type"},
		{"a broken content type", valid, "application/", http.StatusBadRequest, "/problems/unsupported-content-type"},
		{"JSON with a charset", valid, "application/json; charset=utf-8", http.StatusAccepted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+fmt.Sprintf(" gets %d", tt.status), func(t *testing.T) {
			rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations", Body: tt.body, ContentType: tt.contentType})
			if tt.status == http.StatusAccepted {
				if rec.Code != tt.status {
					t.Errorf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
				}
				return
			}
			p := servertest.Problem(t, rec, tt.status)
			if !strings.HasSuffix(p.Type, tt.typeSuffix) {
				t.Errorf("type = %q, want it to end with %s", p.Type, tt.typeSuffix)
			}
			// The detail speaks of JSON, never of the server's Go types.
			if strings.Contains(p.Detail, "Go value") || strings.Contains(p.Detail, "api.") || strings.Contains(p.Detail, "domain.") {
				t.Errorf("detail %q names the server's types", p.Detail)
			}
		})
	}
	t.Run("an empty body gets 400", func(t *testing.T) {
		h := http.Header{"Content-Type": {"application/json"}}
		rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations", Header: h})
		servertest.Problem(t, rec, http.StatusBadRequest)
	})
	t.Run("no content type gets 400", func(t *testing.T) {
		rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations", Body: valid, ContentType: " "})
		servertest.Problem(t, rec, http.StatusBadRequest)
	})
}

func TestRegisterRefusesABodyOver64KiB(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	big := servertest.JSONText(t, servertest.Participant("dilnoza@example.uz", func(b map[string]any) {
		b["position"] = strings.Repeat("x", 64<<10)
	}))
	p := servertest.Problem(t, a.Register("egov", big), http.StatusRequestEntityTooLarge)
	if !strings.HasSuffix(p.Type, "/problems/payload-too-large") {
		t.Errorf("type = %q", p.Type)
	}
	var n int
	if err := a.DB.Get(&n, `SELECT count(*) FROM registrations`); err != nil || n != 0 {
		t.Errorf("%d registrations stored (%v), want none", n, err)
	}
}

func TestRegisterNamesAFieldOfTheWrongType(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	tests := []struct {
		name, field string
		value       any
	}{
		{"consent as a string", "consent", "yes"},
		{"a first name as a number", "first_name", 5},
		{"days as a string", "days", "2030-01-01"},
		{"an email as an object", "email", map[string]string{"address": "d@example.uz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is 422 with code type", func(t *testing.T) {
			body := servertest.Participant("dilnoza@example.uz", func(b map[string]any) { b[tt.field] = tt.value })
			p := servertest.Problem(t, a.Register("egov", body), http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field || p.Errors[0].Code != "type" || p.Errors[0].Message == "" {
				t.Errorf("errors = %+v, want one on %s with code type", p.Errors, tt.field)
			}
		})
	}
}

func TestRegisterForAnUnknownEventIs404(t *testing.T) {
	a := servertest.New(t)
	servertest.Problem(t, a.Register("no-such-event", servertest.Participant("dilnoza@example.uz", nil)), http.StatusNotFound)
}

func TestRegisterOutsideTheWindowIsClosed(t *testing.T) {
	a := servertest.New(t)
	now := time.Now().UTC()
	a.Event(a.Token, "not-yet", func(b map[string]any) {
		b["registration_opens_at"] = now.Add(24 * time.Hour).Format(time.RFC3339)
	})
	a.Event(a.Token, "closed", func(b map[string]any) {
		b["registration_closes_at"] = now.Add(-time.Hour).Format(time.RFC3339)
	})
	a.Event(a.Token, "past", func(b map[string]any) {
		b["starts_on"], b["ends_on"] = "2019-05-30", "2019-05-31"
	})
	tests := []struct{ slug, reason string }{
		{"not-yet", "not_yet_open"},
		{"closed", "closed"},
		{"past", "past"},
	}
	for _, tt := range tests {
		t.Run("registration for a "+tt.slug+" event is 409 registration-closed", func(t *testing.T) {
			p := servertest.Problem(t, a.Register(tt.slug, servertest.Participant("dilnoza@example.uz", nil)), http.StatusConflict)
			if !strings.HasSuffix(p.Type, "/problems/registration-closed") {
				t.Errorf("type = %q", p.Type)
			}
			if p.Reason != tt.reason || p.Detail == "" {
				t.Errorf("reason %q, detail %q; want %s and an explanation", p.Reason, p.Detail, tt.reason)
			}
			ev := servertest.Decode[map[string]any](t, a.Get("/api/v1/events/"+tt.slug, ""), http.StatusOK)
			if ev["registration_open"] != false || ev["registration_state"] != tt.reason {
				t.Errorf("event shows open=%v state=%v", ev["registration_open"], ev["registration_state"])
			}
		})
	}
	var n int
	if err := a.DB.Get(&n, `SELECT count(*) FROM registrations`); err != nil || n != 0 {
		t.Errorf("%d registrations stored (%v), want none", n, err)
	}
}

// seed stores n registrations for slug directly through the store, ten per
// timestamp, with every fourth person from Kazakhstan.
func seed(a *servertest.Server, slug string, n int) {
	a.T.Helper()
	ctx := context.Background()
	ev, err := a.Store.ManagedEvent(ctx, a.Org.ID, slug)
	if err != nil {
		a.T.Fatal(err)
	}
	base := time.Date(2030, time.January, 1, 9, 0, 0, 0, time.UTC)
	yes := true
	for i := range n {
		country := "UZ"
		if i%4 == 0 {
			country = "KZ"
		}
		reg, err := a.Rules.NewRegistration(domain.RegistrationInput{
			FirstName: "Person", LastName: fmt.Sprintf("Number %03d", i), Email: fmt.Sprintf("p%03d@example.org", i),
			Country: country, Organization: "Ministry", Role: "expert", Consent: &yes,
		}, ev, base.Add(time.Duration(i/10)*time.Second))
		if err != nil {
			a.T.Fatal(err)
		}
		if _, err := a.Store.Register(ctx, ev, reg); err != nil {
			a.T.Fatal(err)
		}
	}
}

type registrationList struct {
	Registrations []struct {
		ID      string `json:"id"`
		Email   string `json:"email"`
		Country string `json:"country"`
		Status  string `json:"status"`
	} `json:"registrations"`
	NextCursor *string `json:"next_cursor"`
}

func TestListRegistrationsPages(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	seed(a, "egov", 120)

	var sizes []int
	seen := map[string]bool{}
	var order []string
	path := "/api/v1/events/egov/registrations?limit=50"
	for range 5 {
		page := servertest.Decode[registrationList](t, a.Get(path, a.Token), http.StatusOK)
		sizes = append(sizes, len(page.Registrations))
		for _, r := range page.Registrations {
			if seen[r.ID] {
				t.Errorf("%s appears twice", r.Email)
			}
			seen[r.ID] = true
			order = append(order, r.Email)
		}
		if page.NextCursor == nil {
			break
		}
		path = "/api/v1/events/egov/registrations?limit=50&cursor=" + url.QueryEscape(*page.NextCursor)
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("page sizes = %v, want [50 50 20]", sizes)
	}
	if len(seen) != 120 {
		t.Errorf("%d distinct registrations, want 120", len(seen))
	}
	// Each group of ten shares a timestamp, so the groups come in order.
	for i, email := range order {
		group := 0
		fmt.Sscanf(strings.TrimPrefix(email, "p"), "%d", &group)
		if group/10 != i/10 {
			t.Errorf("position %d holds %s, out of registration order", i, email)
			break
		}
	}

	t.Run("the default page is 50", func(t *testing.T) {
		page := servertest.Decode[registrationList](t, a.Get("/api/v1/events/egov/registrations", a.Token), http.StatusOK)
		if len(page.Registrations) != 50 || page.NextCursor == nil {
			t.Errorf("%d registrations, next %v; want 50 and a cursor", len(page.Registrations), page.NextCursor)
		}
	})
	t.Run("the raw JSON has next_cursor null on the last page", func(t *testing.T) {
		rec := a.Get("/api/v1/events/egov/registrations?limit=200", a.Token)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"next_cursor":null`) {
			t.Errorf("status %d; body lacks next_cursor null", rec.Code)
		}
	})
}

func TestListRegistrationsFilters(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["capacity"] = 10 })
	seed(a, "egov", 12)
	tests := []struct {
		name, query string
		want        int
		check       func(country, status, email string) bool
	}{
		{"by status", "status=waitlisted", 2, func(_, s, _ string) bool { return s == "waitlisted" }},
		{"by country, in any case", "country=kz", 3, func(c, _, _ string) bool { return c == "KZ" }},
		{"by text in the email", "q=P011%40EXAMPLE", 1, func(_, _, e string) bool { return e == "p011@example.org" }},
		{"by text in the last name", "q=number+00", 10, func(_, _, e string) bool { return strings.HasPrefix(e, "p00") }},
		{"a literal percent matches nobody", "q=%25", 0, nil},
		{"filters combine", "country=UZ&status=pending", 7, func(c, s, _ string) bool { return c == "UZ" && s == "pending" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := servertest.Decode[registrationList](t, a.Get("/api/v1/events/egov/registrations?"+tt.query, a.Token), http.StatusOK)
			if len(page.Registrations) != tt.want {
				t.Errorf("%d registrations, want %d", len(page.Registrations), tt.want)
			}
			for _, r := range page.Registrations {
				if tt.check != nil && !tt.check(r.Country, r.Status, r.Email) {
					t.Errorf("%s (%s, %s) does not match the filter", r.Email, r.Country, r.Status)
				}
			}
		})
	}
}

func TestListRegistrationsRefusesBadParameters(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	tests := []struct {
		name, query string
		want        map[string]string
	}{
		{"a limit of zero", "limit=0", map[string]string{"limit": "range"}},
		{"a limit over 200", "limit=201", map[string]string{"limit": "range"}},
		{"a limit in words", "limit=ten", map[string]string{"limit": "range"}},
		{"a negative limit", "limit=-1", map[string]string{"limit": "range"}},
		{"an unknown status", "status=deleted", map[string]string{"status": "oneof"}},
		{"an unknown country", "country=XX", map[string]string{"country": "iso3166"}},
		{"a cursor that was never issued", "cursor=garbage", map[string]string{"cursor": "invalid"}},
		{"a search with a line break", "q=a%0Ab", map[string]string{"q": "max"}},
		{"a search over 200 characters", "q=" + strings.Repeat("a", 201), map[string]string{"q": "max"}},
		{"all of them at once", "limit=0&status=deleted&country=XX&cursor=garbage",
			map[string]string{"limit": "range", "status": "oneof", "country": "iso3166", "cursor": "invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is 422 naming the parameter", func(t *testing.T) {
			p := servertest.Problem(t, a.Get("/api/v1/events/egov/registrations?"+tt.query, a.Token), http.StatusUnprocessableEntity)
			if got := servertest.FieldCodes(p); !mapsEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListRegistrationsIsForTheEventsOrganizersOnly(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	seed(a, "egov", 3)
	_, otherToken := a.Organizer("other@example.org")
	t.Run("another organizer gets 404", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/events/egov/registrations", otherToken), http.StatusNotFound)
	})
	t.Run("another organizer gets 404 even with bad parameters", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/events/egov/registrations?limit=0", otherToken), http.StatusNotFound)
	})
	t.Run("no token gets 401", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/events/egov/registrations", ""), http.StatusUnauthorized)
	})
	t.Run("the organizer reads one registration", func(t *testing.T) {
		page := servertest.Decode[registrationList](t, a.Get("/api/v1/events/egov/registrations", a.Token), http.StatusOK)
		id := page.Registrations[0].ID
		reg := servertest.Decode[map[string]any](t, a.Get("/api/v1/events/egov/registrations/"+id, a.Token), http.StatusOK)
		if reg["id"] != id || reg["email"] != page.Registrations[0].Email {
			t.Errorf("registration = %v", reg)
		}
		servertest.Problem(t, a.Get("/api/v1/events/egov/registrations/"+id, otherToken), http.StatusNotFound)
	})
	t.Run("a malformed id is 422 naming the id, for every registration route", func(t *testing.T) {
		const bad = "/api/v1/events/egov/registrations/not-a-uuid"
		for _, rec := range []*httptest.ResponseRecorder{
			a.Get(bad, a.Token),
			a.Post(bad+"/cancel", a.Token, `{}`),
			a.Post(bad+"/promote", a.Token, `{}`),
			a.Do(servertest.Request{Method: http.MethodDelete, Path: bad + "?erase=true", Token: a.Token}),
		} {
			p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
			if got := servertest.FieldCodes(p); !mapsEqual(got, map[string]string{"id": "uuid"}) {
				t.Errorf("fields = %v, want id/uuid", got)
			}
		}
	})
}

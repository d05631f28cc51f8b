package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// fillRoute turns a route pattern into a path: slug egov, a day of the
// event, and a well-formed id that names nothing.
func fillRoute(pattern string) string {
	return servertest.RouteParam.ReplaceAllStringFunc(pattern, func(p string) string {
		switch p[1:] {
		case "slug":
			return "egov"
		case "day":
			return "2026-01-01"
		case "token":
			return strings.Repeat("A", 43)
		}
		return "00000000-0000-4000-8000-000000000000"
	})
}

// Organizer answers and participants' own data must not stay in a browser
// or proxy cache. The route table is walked, so a route added later is
// covered too: every /api/v1 route called with an organizer's token, and
// every route of a participant's link, answers Cache-Control: no-store,
// whatever its status.
func TestOrganizerAndPersonalDataAnswersAreNeverStored(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	linkRoutes := map[string]bool{
		"POST /api/v1/registrations/confirm": true,
		"POST /api/v1/registrations/cancel":  true,
		"GET /r/:token/data":                 true,
	}
	checked := 0
	for _, r := range a.Srv.Routes() {
		key := r.Method + " " + r.Path
		if !strings.HasPrefix(r.Path, "/api/v1/") && !linkRoutes[key] {
			continue
		}
		if r.Path == "/api/v1/openapi.yaml" {
			continue
		}
		body := ""
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			body = `{}`
		}
		token := a.Token
		if linkRoutes[key] {
			token = "" // a participant has no organizer token
			if body != "" {
				body = `{"token": "` + strings.Repeat("A", 43) + `"}`
			}
		}
		rec := a.Do(servertest.Request{Method: r.Method, Path: fillRoute(r.Path), Body: body, Token: token})
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s answered %d with Cache-Control %q, want no-store", key, rec.Code, got)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d routes checked; is the route table complete?", checked)
	}
	t.Run("so does a refused token", func(t *testing.T) {
		rec := a.Get("/api/v1/events/egov/registrations", "")
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
		}
	})
}

// Every response turns off the browser features attend does not use. The
// camera stays allowed for this site on the door page, where check-in
// codes are to be scanned.
func TestEveryResponseCarriesAPermissionsPolicy(t *testing.T) {
	d := servertest.NewDashboard(t)
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	denied := []string{"geolocation=()", "microphone=()", "payment=()", "usb=()", "serial=()", "hid=()",
		"display-capture=()", "midi=()"}
	tests := []struct {
		name, method, path, cookie string
		camera                     string
	}{
		{"the home page", http.MethodGet, "/", "", "camera=()"},
		{"an API answer", http.MethodGet, "/api/v1/events", "", "camera=()"},
		{"an unknown API path", http.MethodGet, "/api/v1/nothing", "", "camera=()"},
		{"a health check", http.MethodGet, "/healthz", "", "camera=()"},
		{"the dashboard", http.MethodGet, "/admin", cookie, "camera=()"},
		{"the event dashboard", http.MethodGet, "/admin/events/egov-tashkent-2019", cookie, "camera=()"},
		{"the door page", http.MethodGet, "/admin/events/egov-tashkent-2019/checkin", cookie, "camera=(self)"},
		{"a check-in at the door", http.MethodPost, "/admin/events/egov-tashkent-2019/checkin", cookie, "camera=(self)"},
		{"a cross-site POST refused before routing", http.MethodPost, "/api/v1/events", "", "camera=()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.cookie != "" {
				h.Set("Cookie", tt.cookie)
			}
			if strings.HasPrefix(tt.name, "a cross-site") {
				h.Set("Sec-Fetch-Site", "cross-site")
			}
			rec := d.Do(servertest.Request{Method: tt.method, Path: tt.path, Header: h, Body: "code=ZZZZZZZZ",
				ContentType: "application/x-www-form-urlencoded"})
			policy := rec.Header().Get("Permissions-Policy")
			directives := map[string]bool{}
			for _, dir := range strings.Split(policy, ",") {
				directives[strings.TrimSpace(dir)] = true
			}
			for _, want := range append([]string{tt.camera}, denied...) {
				if !directives[want] {
					t.Errorf("status %d, Permissions-Policy %q lacks %s", rec.Code, policy, want)
				}
			}
		})
	}
}

// A cross-site request is refused before routing; its answer still has a
// request id, in the header and the problem body, like every other error.
func TestACrossSiteRefusalCarriesARequestID(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations",
		Body: servertest.JSONText(t, servertest.Participant("dilnoza@example.uz", nil)), Header: http.Header{"Sec-Fetch-Site": {"cross-site"}}})
	p := servertest.Problem(t, rec, http.StatusForbidden) // checks request_id == X-Request-Id
	if !strings.HasSuffix(p.Type, "/problems/cross-origin") {
		t.Errorf("type = %q", p.Type)
	}
	if !strings.Contains(a.Logs.String(), p.RequestID) {
		t.Errorf("the refusal is not logged with its request id %s", p.RequestID)
	}
}

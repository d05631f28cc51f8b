package admin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

func TestSignInSetsAHardenedSessionCookie(t *testing.T) {
	tests := []struct {
		name, baseURL, cookie string
		secure                bool
	}{
		{"over https the cookie is Secure and __Host- prefixed", "https://attend.example.org", "__Host-attend_session", true},
		{"over plain http the cookie has no prefix, which would need Secure", "http://localhost:8080", "attend_session", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := servertest.NewDashboard(t, func(deps *server.Deps) {
				u, err := url.Parse(tt.baseURL)
				if err != nil {
					t.Fatal(err)
				}
				deps.Config.BaseURL = u
			})
			rec, _ := d.Submit("/admin/login", url.Values{"email": {"LEAD@example.org"}, "password": {servertest.DashPassword},
				"next": {"/admin/events/egov-tashkent-2019?status=confirmed"}})
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/events/egov-tashkent-2019?status=confirmed" {
				t.Fatalf("sign in: %d to %q, want 303 to the page asked for", rec.Code, rec.Header().Get("Location"))
			}
			ck := servertest.SessionCookie(rec)
			if ck == nil {
				t.Fatalf("no session cookie in %v", rec.Header()["Set-Cookie"])
			}
			raw := rec.Header().Get("Set-Cookie")
			if ck.Name != tt.cookie || ck.Secure != tt.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode ||
				ck.Path != "/" || ck.Domain != "" || ck.MaxAge != int((12*time.Hour).Seconds()) {
				t.Errorf("cookie %s", raw)
			}
			if !domain.ValidTokenSyntax(ck.Value) {
				t.Errorf("cookie value %q is not a 256-bit token", ck.Value)
			}
			var stored int
			if err := d.DB.Get(&stored, `SELECT count(*) FROM sessions WHERE token_hash = $1 AND organizer_id = $2`,
				domain.HashToken(ck.Value), d.Org.ID); err != nil || stored != 1 {
				t.Errorf("sessions holding the token's hash: %d, %v", stored, err)
			}
			var plain int
			if err := d.DB.Get(&plain, `SELECT count(*) FROM sessions WHERE encode(token_hash, 'escape') = $1`, ck.Value); err != nil || plain != 0 {
				t.Errorf("the plain token is stored: %d, %v", plain, err)
			}
			_, page := d.Open("/admin", ck.Name+"="+ck.Value)
			if got := page.Text(); !strings.Contains(got, "Signed in as lead@example.org") {
				t.Errorf("the dashboard does not say who is signed in: %s", got)
			}
		})
	}
}

// normalizedLogin is a sign-in answer with the email typed removed, since
// the form rightly shows it again.
func normalizedLogin(body, email string) string {
	return strings.ReplaceAll(body, email, "EMAIL")
}

func TestWrongPasswordAndUnknownEmailGetTheSameAnswer(t *testing.T) {
	d := servertest.NewDashboard(t)
	noPassword, _ := d.Organizer("no-password@example.org")
	attempts := []struct{ name, email, password string }{
		{"a wrong password", "lead@example.org", "not the password at all"},
		{"an unknown email", "nobody@example.org", "not the password at all"},
		{"an account without a password", noPassword.Email, ""},
		{"an empty form", "", ""},
	}
	var first string
	for _, at := range attempts {
		t.Run(at.name, func(t *testing.T) {
			rec, page := d.Submit("/admin/login", url.Values{"email": {at.email}, "password": {at.password}})
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", rec.Code)
			}
			if ck := servertest.SessionCookie(rec); ck != nil {
				t.Errorf("a failed sign-in set %s", ck.Name)
			}
			if got := servertest.TextOf(page.ByID("login-error")); got != "Email or password is incorrect." {
				t.Errorf("error %q", got)
			}
			if at.email != "" && servertest.Attr(page.ByID("email"), "value") != at.email {
				t.Errorf("the email typed is not kept")
			}
			if at.email == "" {
				return // nothing typed: the form comes back empty
			}
			body := normalizedLogin(rec.Body.String(), at.email)
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("the answer differs from a wrong password's:\n%s\n---\n%s", body, first)
			}
		})
	}

	// The time an answer takes is the Argon2id check, so an unknown email
	// must cost one check, as a wrong password does: counted, not timed.
	t.Run("an unknown email costs as much hashing as a wrong password", func(t *testing.T) {
		var checks atomic.Int32
		counted := servertest.NewDashboard(t, func(deps *server.Deps) {
			deps.CheckPassword = func(password, hash string) bool {
				checks.Add(1)
				return domain.CheckPassword(password, hash)
			}
		})
		noPassword, _ := counted.Organizer("no-password@example.org")
		for _, email := range []string{"lead@example.org", "nobody@example.org", noPassword.Email} {
			before := checks.Load()
			counted.Submit("/admin/login", url.Values{"email": {email}, "password": {"not the password at all"}})
			if n := checks.Load() - before; n != 1 {
				t.Errorf("signing in as %s ran %d password checks, want 1 like every other failed sign-in", email, n)
			}
		}
	})
}

func TestSignOutRevokesTheSession(t *testing.T) {
	d := servertest.NewDashboard(t)
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	if rec, _ := d.Open("/admin", cookie); rec.Code != http.StatusOK {
		t.Fatalf("dashboard: %d", rec.Code)
	}
	rec := d.Send("/admin/logout", cookie, url.Values{})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/login?done=signed_out" {
		t.Fatalf("sign out: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if ck := servertest.SessionCookie(rec); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
		t.Errorf("the cookie is not cleared: %v", rec.Header()["Set-Cookie"])
	}
	if _, page := d.Open("/admin/login?done=signed_out", ""); !strings.Contains(page.Text(), "You have signed out.") {
		t.Error("the sign-in page does not confirm the sign-out")
	}
	rec, _ = d.Open("/admin", cookie)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login") {
		t.Errorf("the old cookie still opens the dashboard: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM sessions`); n != 0 {
		t.Errorf("%d sessions left", n)
	}
}

func TestSessionsEnd(t *testing.T) {
	redirected := func(t *testing.T, d *servertest.Dashboard, cookie string) {
		t.Helper()
		rec, _ := d.Open("/admin", cookie)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/admin/login?next=") {
			t.Fatalf("status %d to %q, want 303 to the sign-in page", rec.Code, rec.Header().Get("Location"))
		}
		if ck := servertest.SessionCookie(rec); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("the dead cookie is not cleared: %v", rec.Header()["Set-Cookie"])
		}
	}
	t.Run("a password change signs out every session", func(t *testing.T) {
		d := servertest.NewDashboard(t)
		phone, laptop := d.SignIn("lead@example.org", servertest.DashPassword), d.SignIn("lead@example.org", servertest.DashPassword)
		d.SetPassword(d.Org, "a brand new passphrase")
		redirected(t, d, phone)
		redirected(t, d, laptop)
		d.SignIn("lead@example.org", "a brand new passphrase")
	})
	t.Run("a session expires after twelve hours", func(t *testing.T) {
		d := servertest.NewDashboard(t)
		cookie := d.SignIn("lead@example.org", servertest.DashPassword)
		d.SetClock(d.Clock().Add(11*time.Hour + 59*time.Minute))
		if rec, _ := d.Open("/admin", cookie); rec.Code != http.StatusOK {
			t.Fatalf("before expiry: %d", rec.Code)
		}
		d.SetClock(d.Clock().Add(2 * time.Minute))
		redirected(t, d, cookie)
	})
	t.Run("a forged or malformed cookie is no session", func(t *testing.T) {
		d := servertest.NewDashboard(t)
		plain, _, err := domain.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		redirected(t, d, "attend_session="+plain)
		redirected(t, d, "attend_session=not-a-token")
	})
}

func TestDashboardSendsStrangersToSignIn(t *testing.T) {
	d := servertest.NewDashboard(t)
	tests := []struct{ method, path, next string }{
		{http.MethodGet, "/admin", "/admin"},
		{http.MethodGet, "/admin/events/egov-tashkent-2019?status=confirmed", "/admin/events/egov-tashkent-2019?status=confirmed"},
		{http.MethodGet, "/admin/events/egov-tashkent-2019/checkin", "/admin/events/egov-tashkent-2019/checkin"},
		{http.MethodGet, "/admin/events/egov-tashkent-2019/export?format=csv", "/admin/events/egov-tashkent-2019/export?format=csv"},
		{http.MethodPost, "/admin/events/egov-tashkent-2019/checkin", "/admin/events/egov-tashkent-2019"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var rec *httptest.ResponseRecorder
			if tt.method == http.MethodGet {
				rec, _ = d.Page(tt.path)
			} else {
				rec, _ = d.Submit(tt.path, url.Values{"code": {"ABCDEFGH"}})
			}
			want := "/admin/login?" + url.Values{"next": {tt.next}}.Encode()
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != want {
				t.Errorf("%d to %q, want 303 to %q", rec.Code, rec.Header().Get("Location"), want)
			}
		})
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM checkins`); n != 0 {
		t.Errorf("%d check-ins made without a session", n)
	}

	t.Run("the sign-in page asks to sign in and keeps where to go", func(t *testing.T) {
		rec, page := d.Page("/admin/login?next=%2Fadmin%2Fevents%2Fegov-tashkent-2019")
		if rec.Code != http.StatusOK || !strings.Contains(page.Text(), "Please sign in to continue.") {
			t.Fatalf("%d %s", rec.Code, page.Text())
		}
		next := page.Walk(func(n *html.Node) bool { return servertest.Attr(n, "name") == "next" })
		if next == nil || servertest.Attr(next, "value") != "/admin/events/egov-tashkent-2019" {
			t.Errorf("next field %v", next)
		}
		if servertest.Attr(page.ByID("password"), "type") != "password" || servertest.Attr(page.ByID("password"), "autocomplete") != "current-password" {
			t.Error("the password field is not a current-password field")
		}
	})

	t.Run("only dashboard paths of this site are followed after signing in", func(t *testing.T) {
		for next, want := range map[string]string{
			"/admin/events/egov-tashkent-2019/checkin?day=2019-05-31": "/admin/events/egov-tashkent-2019/checkin?day=2019-05-31",
			"//evil.example/admin":               "/admin",
			"/\\evil.example":                    "/admin",
			"https://evil.example/admin":         "/admin",
			"javascript:alert(1)":                "/admin",
			"/events/egov-tashkent-2019":         "/admin",
			"/admin/../r/token":                  "/admin",
			"":                                   "/admin",
			"/admin\r\nSet-Cookie: x=1":          "/admin",
			"/administrator-of-something-else/x": "/admin",
		} {
			rec, _ := d.Submit("/admin/login", url.Values{"email": {"lead@example.org"}, "password": {servertest.DashPassword}, "next": {next}})
			if got := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || got != want {
				t.Errorf("next %q: %d to %q, want %q", next, rec.Code, got, want)
			}
		}
	})

	t.Run("a signed-in organizer skips the form", func(t *testing.T) {
		cookie := d.SignIn("lead@example.org", servertest.DashPassword)
		rec, _ := d.Open("/admin/login?next=%2Fadmin%2Fevents%2Fegov-tashkent-2019", cookie)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/events/egov-tashkent-2019" {
			t.Errorf("%d to %q", rec.Code, rec.Header().Get("Location"))
		}
	})
}

func TestAnotherOrganizersEventIsNotFoundOnEveryDashboardRoute(t *testing.T) {
	d := servertest.NewDashboard(t)
	other, _ := d.Organizer("other@example.org")
	d.SetPassword(other, servertest.DashPassword)
	mine := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true, Notify: true})
	if _, err := d.DB.Exec(`UPDATE emails SET status = 'failed'`); err != nil {
		t.Fatal(err)
	}
	var emailID string
	if err := d.DB.Get(&emailID, `SELECT id::text FROM emails LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	cookie := d.SignIn("other@example.org", servertest.DashPassword)
	before := servertest.CountRows(t, d.Server, `SELECT (SELECT count(*) FROM checkins) + (SELECT count(*) FROM emails WHERE status = 'failed')
		+ (SELECT count(*) FROM registrations WHERE status = 'confirmed')`)

	param := regexp.MustCompile(`:[a-z_]+`)
	checked := 0
	for _, r := range d.Srv.Routes() {
		if !strings.HasPrefix(r.Path, "/admin/events/:slug") {
			continue
		}
		path := param.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch {
			case p == ":slug":
				return d.Ev.Slug
			case strings.Contains(r.Path, "/emails/"):
				return emailID
			}
			return mine.ID
		})
		var rec *httptest.ResponseRecorder
		var page *servertest.Doc
		if r.Method == http.MethodGet {
			rec, page = d.Open(path+"?format=csv&day=2019-05-30&q=Tamm", cookie)
		} else {
			rec, page = d.Submit(path, url.Values{"code": {mine.CheckinCode}, "registration_id": {mine.ID}, "day": {"2019-05-30"}},
				"Cookie", cookie)
		}
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s as another organizer answered %d, want 404", r.Method, r.Path, rec.Code)
		} else if !strings.Contains(page.Text(), "Page not found") {
			t.Errorf("%s %s: the 404 is not the not-found page: %s", r.Method, r.Path, page.Text())
		}
		checked++
	}
	if checked < 7 {
		t.Fatalf("only %d dashboard routes of an event found; is the route table complete?", checked)
	}
	after := servertest.CountRows(t, d.Server, `SELECT (SELECT count(*) FROM checkins) + (SELECT count(*) FROM emails WHERE status = 'failed')
		+ (SELECT count(*) FROM registrations WHERE status = 'confirmed')`)
	if after != before {
		t.Errorf("another organizer's requests changed the event: %d before, %d after", before, after)
	}
	if _, page := d.Open("/admin", cookie); strings.Contains(page.Text(), d.Ev.Title) {
		t.Error("another organizer's event is listed")
	}
}

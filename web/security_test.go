package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	for _, path := range []string{"/", "/events/egov", "/events/nothing", "/privacy", "/static/style.css",
		"/api/v1/events", "/api/v1/nothing", "/healthz", "/r/not-a-token"} {
		rec := a.Get(path, "")
		for h, v := range want {
			if got := rec.Header().Get(h); got != v {
				t.Errorf("%s: %s = %q, want %q", path, h, got, v)
			}
		}
	}
	rec, _ := a.Submit("/events/egov/register", url.Values{}, "Sec-Fetch-Site", "cross-site")
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Error("a refused cross-site POST has no security headers")
	}
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	form := servertest.ValidForm("victim@example.org").Encode()
	body := servertest.JSONText(t, servertest.Participant("victim@example.org", nil))
	post := func(path, contentType, body string, header ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return a.Do(servertest.Request{Method: http.MethodPost, Path: path, Body: body, ContentType: contentType, Header: h}).Result()
	}
	const formType = "application/x-www-form-urlencoded"
	refused := []struct {
		name   string
		header []string
	}{
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"Sec-Fetch-Site same-site", []string{"Sec-Fetch-Site", "same-site"}},
		{"a foreign Origin", []string{"Origin", "https://evil.example"}},
	}
	for _, tt := range refused {
		t.Run("the form refuses "+tt.name, func(t *testing.T) {
			res := post("/events/egov/register", formType, form, tt.header...)
			if res.StatusCode != http.StatusForbidden || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
		})
		t.Run("the API refuses "+tt.name, func(t *testing.T) {
			res := post("/api/v1/events/egov/registrations", "application/json", body, tt.header...)
			if res.StatusCode != http.StatusForbidden || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
			}
		})
	}
	t.Run("the refusal page is translated", func(t *testing.T) {
		rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/events/egov/register", Body: form, ContentType: formType,
			Header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Accept-Language": {"ru"}}})
		if !strings.Contains(rec.Body.String(), "Запрос отклонён") {
			t.Errorf("body: %s", rec.Body)
		}
	})
	if n := len(a.Registrations()); n != 0 {
		t.Fatalf("%d registrations stored by refused requests", n)
	}
	accepted := []struct {
		name   string
		header []string
	}{
		{"same-origin Sec-Fetch-Site", []string{"Sec-Fetch-Site", "same-origin"}},
		{"an Origin of this host", []string{"Origin", "http://example.com"}},
		{"no Origin at all, like curl", nil},
	}
	for i, tt := range accepted {
		t.Run("the form accepts "+tt.name, func(t *testing.T) {
			f := servertest.ValidForm("form" + string(rune('a'+i)) + "@example.org").Encode()
			if res := post("/events/egov/register", formType, f, tt.header...); res.StatusCode != http.StatusSeeOther {
				t.Errorf("status %d", res.StatusCode)
			}
		})
		t.Run("the API accepts "+tt.name, func(t *testing.T) {
			b := servertest.JSONText(t, servertest.Participant("api"+string(rune('a'+i))+"@example.org", nil))
			if res := post("/api/v1/events/egov/registrations", "application/json", b, tt.header...); res.StatusCode != http.StatusAccepted {
				t.Errorf("status %d", res.StatusCode)
			}
		})
	}
	t.Run("an organizer script with a token and no Origin still works", func(t *testing.T) {
		rec := a.Post("/api/v1/events", a.Token, servertest.EventBody("scripted", nil))
		if rec.Code != http.StatusCreated {
			t.Errorf("status %d", rec.Code)
		}
	})
}

func TestRegistrationsAreRateLimitedPerClient(t *testing.T) {
	small := func(d *server.Deps) { d.Config.RegisterRateLimit = 2 }
	t.Run("the form and the API share the limit and answer 429 with Retry-After", func(t *testing.T) {
		a := servertest.New(t, small)
		a.Event(a.Token, "egov", nil)
		if rec, _ := a.Submit("/events/egov/register", servertest.ValidForm("one@example.org")); rec.Code != http.StatusSeeOther {
			t.Fatalf("first: %d", rec.Code)
		}
		if rec := a.Register("egov", servertest.Participant("two@example.org", nil)); rec.Code != http.StatusAccepted {
			t.Fatalf("second: %d", rec.Code)
		}
		rec, d := a.Submit("/events/egov/register?lang=ru", servertest.ValidForm("three@example.org"))
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Errorf("form: status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		if !strings.Contains(d.Text(), "Слишком много попыток") {
			t.Errorf("form: %s", d.Text())
		}
		rec = a.Register("egov", servertest.Participant("four@example.org", nil))
		p := servertest.Problem(t, rec, http.StatusTooManyRequests)
		if rec.Header().Get("Retry-After") == "" || !strings.HasSuffix(p.Type, "/problems/rate-limited") {
			t.Errorf("API: Retry-After %q, problem %+v", rec.Header().Get("Retry-After"), p)
		}
		if n := len(a.Registrations()); n != 2 {
			t.Errorf("%d registrations stored, want 2", n)
		}
		if rec := a.Get("/events/egov", ""); rec.Code != http.StatusOK {
			t.Errorf("reading pages is not limited, got %d", rec.Code)
		}
	})
	t.Run("X-Forwarded-For from an untrusted peer does not make a new client", func(t *testing.T) {
		a := servertest.New(t, small)
		a.Event(a.Token, "egov", nil)
		codes := []int{}
		for i, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
			rec, _ := a.Submit("/events/egov/register", servertest.ValidForm("spoof"+string(rune('a'+i))+"@example.org"), "X-Forwarded-For", ip)
			codes = append(codes, rec.Code)
		}
		if codes[2] != http.StatusTooManyRequests {
			t.Errorf("statuses %v: a forged X-Forwarded-For escaped the limit", codes)
		}
	})
	t.Run("behind a trusted proxy each forwarded client has its own limit", func(t *testing.T) {
		a := servertest.New(t, small, func(d *server.Deps) { d.Config.TrustedProxies = []string{"192.0.2.0/24"} })
		a.Event(a.Token, "egov", nil)
		for i, ip := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
			rec, _ := a.Submit("/events/egov/register", servertest.ValidForm("fwd"+string(rune('a'+i))+"@example.org"), "X-Forwarded-For", ip)
			if rec.Code != http.StatusSeeOther {
				t.Errorf("client %s: status %d", ip, rec.Code)
			}
		}
	})
}

func TestOversizedFormIsA413Page(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	form := servertest.ValidForm("big@example.org")
	form.Set("organization", strings.Repeat("x", 70<<10))
	rec, d := a.Submit("/events/egov/register?lang=en", form)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(d.Text(), "Too much data") {
		t.Errorf("status %d: %s", rec.Code, d.Text())
	}
}

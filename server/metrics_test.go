package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/attend/attend/internal/metricstest"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/server"
)

// TestRegistrationRequestsAreCountedByOutcome sends registration requests
// through the API and the web form, one for each way a request can end,
// and reads attend_registrations_total from the metrics handler.
func TestRegistrationRequestsAreCountedByOutcome(t *testing.T) {
	m := metrics.New(nil)
	const limit = 11 // the requests before the last one below
	a := servertest.New(t, func(d *server.Deps) {
		d.Metrics = m
		d.Config.RegisterRateLimit = limit
		d.Config.RegisterRateWindow = time.Hour
	})
	a.Event(a.Token, "open", func(b map[string]any) { b["capacity"] = 1 })
	a.Event(a.Token, "later", func(b map[string]any) {
		b["registration_opens_at"] = time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	})
	api := func(slug, email string) func() *httptest.ResponseRecorder {
		return func() *httptest.ResponseRecorder { return a.Register(slug, servertest.Participant(email, nil)) }
	}
	web := func(slug, email, website string) func() *httptest.ResponseRecorder {
		f := servertest.ValidForm(email)
		if website != "" {
			f.Set("website", website) // the hidden field only bots fill in
		}
		return func() *httptest.ResponseRecorder {
			rec, _ := a.Submit("/events/"+slug+"/register", f)
			return rec
		}
	}
	steps := []struct {
		what string
		send func() *httptest.ResponseRecorder
		code int
	}{
		{"a new address", api("open", "first@example.org"), http.StatusAccepted},
		{"the same address again", api("open", "first@example.org"), http.StatusAccepted},
		{"a second address for the one seat", api("open", "second@example.org"), http.StatusAccepted},
		{"a body that is not JSON", func() *httptest.ResponseRecorder {
			return a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/open/registrations", Body: "{"})
		}, http.StatusBadRequest},
		{"an invalid address", api("open", "not an address"), http.StatusUnprocessableEntity},
		{"no such event", api("nope", "third@example.org"), http.StatusNotFound},
		{"an event not open yet", api("later", "third@example.org"), http.StatusConflict},
		{"the form with its hidden field filled in", web("open", "bot@example.org", "spam"), http.StatusSeeOther},
		{"the form of an event not open yet", web("later", "third@example.org", ""), http.StatusConflict},
		{"the form without an address", web("open", "", ""), http.StatusUnprocessableEntity},
		{"the form with a new address", web("open", "third@example.org", ""), http.StatusSeeOther},
		{"one request past the limit", api("open", "fourth@example.org"), http.StatusTooManyRequests},
	}
	if len(steps) != limit+1 {
		t.Fatalf("%d steps; the rate limit is set for %d", len(steps), limit+1)
	}
	for _, s := range steps {
		if rec := s.send(); rec.Code != s.code {
			t.Fatalf("%s: %d, want %d\n%s", s.what, rec.Code, s.code, rec.Body)
		}
	}

	fams := metricstest.ScrapeHandler(t, m.Handler())
	got := map[string]float64{}
	for _, s := range fams["attend_registrations_total"].GetMetric() {
		for _, l := range s.GetLabel() {
			if l.GetName() == "outcome" {
				got[l.GetValue()] = s.GetCounter().GetValue()
			}
		}
	}
	want := map[string]float64{"registered": 1, "already_registered": 1, "waitlisted": 2, "invalid": 3,
		"not_found": 1, "closed": 2, "honeypot": 1, "rate_limited": 1}
	for outcome, n := range want {
		if got[outcome] != n {
			t.Errorf("attend_registrations_total{outcome=%q} = %v, want %v", outcome, got[outcome], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("outcomes %v, want only %v", got, want)
	}
}

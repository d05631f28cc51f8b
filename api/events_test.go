package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

func TestCreateEvent(t *testing.T) {
	a := servertest.New(t)
	rec := a.Post("/api/v1/events", a.Token, servertest.EventBody("egov-followup", func(b map[string]any) {
		b["capacity"] = 40
		b["registration_closes_at"] = "2099-01-01T18:00:00+05:00"
	}))
	ev := servertest.Decode[map[string]any](t, rec, http.StatusCreated)
	if loc := rec.Header().Get("Location"); loc != "/api/v1/events/egov-followup" {
		t.Errorf("Location = %q, want /api/v1/events/egov-followup", loc)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"slug", ev["slug"], "egov-followup"},
		{"country", ev["country"], "UZ"},
		{"timezone", ev["timezone"], "Asia/Tashkent"},
		{"capacity", ev["capacity"], float64(40)},
		{"seats_left", ev["seats_left"], float64(40)},
		{"seats_held", ev["seats_held"], float64(0)},
		{"published", ev["published"], true},
		{"registration_open", ev["registration_open"], true},
		{"registration_state", ev["registration_state"], "open"},
		{"day_starts_at", ev["day_starts_at"], "09:00"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if days, _ := ev["days"].([]any); len(days) != 2 {
		t.Errorf("days = %v, want the two dates", ev["days"])
	}
	if _, leaked := ev["id"]; leaked {
		t.Error("the internal id is shown")
	}
	got := servertest.Decode[map[string]any](t, a.Get("/api/v1/events/egov-followup", ""), http.StatusOK)
	if got["title"] != ev["title"] || got["starts_on"] != ev["starts_on"] {
		t.Errorf("GET after POST = %v, want the created event", got)
	}
}

func TestCreateEventRefusesBadInput(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "taken", nil)
	tests := []struct {
		name   string
		body   string
		status int
		fields map[string]string
	}{
		{"an empty object names every required field", `{}`, http.StatusUnprocessableEntity, map[string]string{
			"slug": "required", "title": "required", "country": "required", "timezone": "required",
			"starts_on": "required", "ends_on": "required"}},
		{"a bad slug and time zone are named together",
			servertest.JSONText(t, servertest.EventBody("Bad Slug", func(b map[string]any) { b["timezone"] = "Mars/Base" })),
			http.StatusUnprocessableEntity, map[string]string{"slug": "slug", "timezone": "iana_tz"}},
		{"a capacity of zero", servertest.JSONText(t, servertest.EventBody("cap", func(b map[string]any) { b["capacity"] = 0 })),
			http.StatusUnprocessableEntity, map[string]string{"capacity": "min"}},
		{"an opening time that is not RFC 3339",
			servertest.JSONText(t, servertest.EventBody("rfc", func(b map[string]any) { b["registration_opens_at"] = "tomorrow at nine" })),
			http.StatusUnprocessableEntity, map[string]string{"registration_opens_at": "datetime"}},
		{"a title of the wrong JSON type", servertest.JSONText(t, servertest.EventBody("typed", func(b map[string]any) { b["title"] = 5 })),
			http.StatusUnprocessableEntity, map[string]string{"title": "type"}},
		{"a taken slug", servertest.JSONText(t, servertest.EventBody("taken", nil)), http.StatusConflict, map[string]string{"slug": "unique"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events", Token: a.Token, Body: tt.body})
			p := servertest.Problem(t, rec, tt.status)
			if got := servertest.FieldCodes(p); !mapsEqual(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestUpdateEvent(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["capacity"] = 10 })
	_, otherToken := a.Organizer("other@example.org")

	t.Run("the organizer changes only what was sent", func(t *testing.T) {
		rec := a.Patch("/api/v1/events/egov", a.Token, `{"title":"Renamed","capacity":null}`)
		ev := servertest.Decode[map[string]any](t, rec, http.StatusOK)
		if ev["title"] != "Renamed" || ev["capacity"] != nil || ev["country"] != "UZ" || ev["seats_left"] != nil {
			t.Errorf("after PATCH: %v", ev)
		}
	})

	t.Run("another organizer gets 404, as if the event did not exist", func(t *testing.T) {
		rec := a.Patch("/api/v1/events/egov", otherToken, `{"title":"Hijacked"}`)
		servertest.Problem(t, rec, http.StatusNotFound)
		ev := servertest.Decode[map[string]any](t, a.Get("/api/v1/events/egov", ""), http.StatusOK)
		if ev["title"] == "Hijacked" {
			t.Error("another organizer changed the event")
		}
	})

	t.Run("an unknown event is 404", func(t *testing.T) {
		servertest.Problem(t, a.Patch("/api/v1/events/nope", a.Token, `{"title":"x"}`), http.StatusNotFound)
	})

	t.Run("the slug is read-only", func(t *testing.T) {
		p := servertest.Problem(t, a.Patch("/api/v1/events/egov", a.Token, `{"slug":"renamed"}`), http.StatusUnprocessableEntity)
		if got := servertest.FieldCodes(p); got["slug"] != "readonly" {
			t.Errorf("fields = %v, want slug readonly", got)
		}
	})

	t.Run("a capacity below the seats held is 409 with seats_held", func(t *testing.T) {
		for _, email := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			if rec := a.Register("egov", servertest.Participant(email, nil)); rec.Code != http.StatusAccepted {
				t.Fatalf("register %s: %d %s", email, rec.Code, rec.Body)
			}
		}
		p := servertest.Problem(t, a.Patch("/api/v1/events/egov", a.Token, `{"capacity":2}`), http.StatusConflict)
		if p.SeatsHeld == nil || *p.SeatsHeld != 3 {
			t.Errorf("seats_held = %v, want 3", p.SeatsHeld)
		}
	})
}

func TestEventVisibility(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "public", nil)
	a.Event(a.Token, "draft", func(b map[string]any) { b["published"] = false })
	_, otherToken := a.Organizer("other@example.org")

	slugsOf := func(t *testing.T, token string) []string {
		t.Helper()
		body := servertest.Decode[struct {
			Events []struct {
				Slug string `json:"slug"`
			} `json:"events"`
		}](t, a.Get("/api/v1/events", token), http.StatusOK)
		var out []string
		for _, e := range body.Events {
			out = append(out, e.Slug)
		}
		slices.Sort(out)
		return out
	}

	t.Run("the public list hides unpublished events", func(t *testing.T) {
		if got := slugsOf(t, ""); !slices.Equal(got, []string{"public"}) {
			t.Errorf("public list = %v, want [public]", got)
		}
	})
	t.Run("the organizer's list includes their drafts", func(t *testing.T) {
		if got := slugsOf(t, a.Token); !slices.Equal(got, []string{"draft", "public"}) {
			t.Errorf("organizer list = %v, want [draft public]", got)
		}
	})
	t.Run("another organizer's list has none of them", func(t *testing.T) {
		if got := slugsOf(t, otherToken); len(got) != 0 {
			t.Errorf("other organizer's list = %v, want none", got)
		}
	})
	t.Run("an unpublished event is 404 for the public", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/events/draft", ""), http.StatusNotFound)
	})
	t.Run("an unpublished event is 404 for another organizer", func(t *testing.T) {
		servertest.Problem(t, a.Get("/api/v1/events/draft", otherToken), http.StatusNotFound)
	})
	t.Run("an unpublished event is 200 for its organizer", func(t *testing.T) {
		ev := servertest.Decode[map[string]any](t, a.Get("/api/v1/events/draft", a.Token), http.StatusOK)
		if ev["slug"] != "draft" || ev["published"] != false {
			t.Errorf("event = %v", ev)
		}
	})
	t.Run("registration for an unpublished event is 404", func(t *testing.T) {
		servertest.Problem(t, a.Register("draft", servertest.Participant("dilnoza@example.uz", nil)), http.StatusNotFound)
	})
	t.Run("an unknown slug is 404 with the not-found type", func(t *testing.T) {
		p := servertest.Problem(t, a.Get("/api/v1/events/nope", ""), http.StatusNotFound)
		if !strings.HasSuffix(p.Type, "/problems/not-found") {
			t.Errorf("type = %q", p.Type)
		}
	})
}

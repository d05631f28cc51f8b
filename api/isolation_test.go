package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// TestAnotherOrganizerGetsNotFoundEverywhere walks every organizer route of
// the API with organizer B's token against organizer A's event: each must
// answer 404, as if the event did not exist, and change nothing.
func TestAnotherOrganizerGetsNotFoundEverywhere(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov-private", func(b map[string]any) { b["published"] = false })
	rec := a.Register("egov-private", servertest.Participant("someone@example.org", nil))
	if rec.Code != http.StatusNotFound {
		// Unpublished: the public cannot register either.
		t.Fatalf("public registration for an unpublished event: %d, want 404", rec.Code)
	}
	_, otherToken := a.Organizer("other@example.org")
	before := servertest.CountRows(t, a, `SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM checkins) + (SELECT count(*) FROM emails)`)
	checked := 0
	for _, r := range a.Srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/events/:slug") {
			continue
		}
		path := servertest.RouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch p[1:] {
			case "slug":
				return "egov-private"
			case "day":
				return "2026-01-01"
			case "id":
				if strings.Contains(r.Path, "/emails/") {
					return "1"
				}
			}
			return "00000000-0000-4000-8000-000000000000"
		})
		body := `{}`
		if strings.HasSuffix(r.Path, "/checkins") {
			body = `{"code": "ABCDEFGH"}`
		}
		if strings.HasSuffix(r.Path, "/registrations") && r.Method == http.MethodPost {
			body = servertest.JSONText(t, servertest.Participant("walkin@example.org", nil))
		}
		rec := a.Do(servertest.Request{Method: r.Method, Path: path + "?erase=true&format=csv", Body: body, Token: otherToken})
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s with another organizer's token answered %d, want 404", r.Method, r.Path, rec.Code)
		}
		checked++
	}
	if checked < 12 {
		t.Fatalf("only %d event routes walked; is the route table complete?", checked)
	}
	if after := servertest.CountRows(t, a, `SELECT (SELECT count(*) FROM registrations) + (SELECT count(*) FROM checkins) + (SELECT count(*) FROM emails)`); after != before {
		t.Errorf("another organizer's requests changed the database")
	}
	list := a.Get("/api/v1/events", otherToken)
	if strings.Contains(list.Body.String(), "egov-private") {
		t.Error("another organizer's event list shows the event")
	}
	t.Logf("%d event routes answer 404 to another organizer", checked)
}

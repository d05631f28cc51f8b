package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

func TestWebhookEndpointsBelongToTheirOrganizerAndTheEventsTheyRun(t *testing.T) {
	a := servertest.New(t, func(d *server.Deps) { d.Config.WebhookMaxEndpoints = 2 })
	a.Event(a.Token, "egov", nil)
	door, doorToken := a.Organizer("door@example.org")
	servertest.Decode[map[string]any](t, a.Post("/api/v1/events/egov/members", a.Token,
		map[string]any{"email": door.Email, "role": "door"}), http.StatusCreated)
	_, otherToken := a.Organizer("other@example.org")
	a.Event(otherToken, "other", nil)
	url := "https://crm.example.org/hooks"

	t.Run("door staff cannot subscribe to an event", func(t *testing.T) {
		servertest.Problem(t, a.Post("/api/v1/webhooks", doorToken, map[string]any{"url": url, "event": "egov"}), http.StatusForbidden)
	})
	t.Run("another organizer's event is a field error", func(t *testing.T) {
		p := servertest.Problem(t, a.Post("/api/v1/webhooks", a.Token, map[string]any{"url": url, "event": "other"}), http.StatusUnprocessableEntity)
		if servertest.FieldCodes(p)["event"] != "unknown" {
			t.Errorf("errors %v", p.Errors)
		}
	})
	t.Run("bad input is a field error and stores nothing", func(t *testing.T) {
		for _, body := range []string{
			`{"url": "https://crm.example.org/", "event_types": []}`,
			`{"url": "https://crm.example.org/", "event_types": ["registration.eaten"]}`,
			`{"url": "https://crm.example.org/", "active": false}`,
			`{"url": "https://crm.example.org/` + strings.Repeat("a", 2000) + `"}`,
			`{"url": "https://crm.example.org/\u0000"}`,
			`{"url": ["https://crm.example.org/"]}`,
			`{"url": "https://crm.example.org/", "include_personal_data": "yes"}`,
			`{}`,
		} {
			servertest.Problem(t, a.Post("/api/v1/webhooks", a.Token, body), http.StatusUnprocessableEntity)
		}
		if n := servertest.CountRows(t, a, `SELECT count(*) FROM webhook_endpoints`); n != 0 {
			t.Errorf("%d endpoints stored", n)
		}
	})

	var first struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	t.Run("the secret is shown once", func(t *testing.T) {
		first = servertest.Decode[struct {
			ID     int64  `json:"id"`
			Secret string `json:"secret"`
		}](t, a.Post("/api/v1/webhooks", a.Token, map[string]any{"url": url, "event": "egov"}), http.StatusCreated)
		for _, path := range []string{"/api/v1/webhooks", fmt.Sprintf("/api/v1/webhooks/%d", first.ID)} {
			rec := a.Get(path, a.Token)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), first.Secret) || strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
			}
		}
		var sealed string
		if err := a.DB.Get(&sealed, `SELECT secret_sealed FROM webhook_endpoints WHERE id = $1`, first.ID); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, strings.TrimPrefix(first.Secret, "whsec_")) {
			t.Error("the secret is stored in the clear")
		}
	})
	t.Run("another organizer sees none of it", func(t *testing.T) {
		one := fmt.Sprintf("/api/v1/webhooks/%d", first.ID)
		servertest.Problem(t, a.Get(one, otherToken), http.StatusNotFound)
		servertest.Problem(t, a.Patch(one, otherToken, map[string]any{"active": false}), http.StatusNotFound)
		servertest.Problem(t, a.Get(one+"/deliveries", otherToken), http.StatusNotFound)
		servertest.Problem(t, a.Do(servertest.Request{Method: http.MethodDelete, Path: one, Token: otherToken}), http.StatusNotFound)
		list := servertest.Decode[struct {
			Webhooks []map[string]any `json:"webhooks"`
		}](t, a.Get("/api/v1/webhooks", otherToken), http.StatusOK)
		if len(list.Webhooks) != 0 {
			t.Errorf("another organizer lists %v", list.Webhooks)
		}
	})
	t.Run("an organizer has at most WEBHOOK_MAX_ENDPOINTS", func(t *testing.T) {
		servertest.Decode[map[string]any](t, a.Post("/api/v1/webhooks", a.Token, map[string]any{"url": url}), http.StatusCreated)
		servertest.Problem(t, a.Post("/api/v1/webhooks", a.Token, map[string]any{"url": url}), http.StatusConflict)
	})
}

package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// registrationID finds a registration of the event by address.
func (m *mailAPI) registrationID(address string) string {
	m.T.Helper()
	var id string
	if err := m.DB.Get(&id, `SELECT id FROM registrations WHERE lower(email) = lower($1)`, address); err != nil {
		m.T.Fatalf("registration of %s: %v", address, err)
	}
	return id
}

func (m *mailAPI) statusOf(address string) domain.Status {
	m.T.Helper()
	var s domain.Status
	if err := m.DB.Get(&s, `SELECT status FROM registrations WHERE lower(email) = lower($1)`, address); err != nil {
		m.T.Fatalf("registration of %s: %v", address, err)
	}
	return s
}

func TestCapacityChangesAndOrganizerDecisions(t *testing.T) {
	m := newMailAPI(t)
	m.Event(m.Token, "egov", func(b map[string]any) { b["capacity"] = 3 })
	people := []string{"p1@example.uz", "p2@example.uz", "p3@example.uz", "w1@example.uz", "w2@example.uz"}
	for i, p := range people {
		want := "pending"
		if i >= 3 {
			want = "waitlisted"
		}
		v := servertest.Decode[map[string]any](t, m.Register("egov", servertest.Participant(p, nil)), http.StatusAccepted)
		if v["status"] != want {
			t.Fatalf("%s answered %v, want %s", p, v["status"], want)
		}
	}
	const w1, w2 = "w1@example.uz", "w2@example.uz"
	manage := func(address, action string, body any) *httptest.ResponseRecorder {
		return m.Post("/api/v1/events/egov/registrations/"+m.registrationID(address)+"/"+action, m.Token, body)
	}

	t.Run("a capacity below the seats held is refused with the count", func(t *testing.T) {
		p := servertest.Problem(t, m.Patch("/api/v1/events/egov", m.Token, map[string]any{"capacity": 2}), http.StatusConflict)
		if p.SeatsHeld == nil || *p.SeatsHeld != 3 {
			t.Errorf("problem seats_held %v, want 3", p.SeatsHeld)
		}
	})
	t.Run("a raised capacity goes to the verified waitlisted", func(t *testing.T) {
		v := servertest.Decode[map[string]any](t, m.linkAction("confirm", m.outboxToken(w2)), http.StatusOK)
		if v["status"] != "waitlisted" {
			t.Fatalf("w2 confirming while waitlisted answered %v", v["status"])
		}
		ev := servertest.Decode[map[string]any](t, m.Patch("/api/v1/events/egov", m.Token, map[string]any{"capacity": 4}), http.StatusOK)
		if ev["seats_held"] != float64(4) || ev["seats_left"] != float64(0) {
			t.Errorf("event after the change: seats_held %v, seats_left %v; want 4 and 0", ev["seats_held"], ev["seats_left"])
		}
		if got := m.statusOf(w2); got != domain.StatusConfirmed {
			t.Errorf("verified w2 is %s, want confirmed", got)
		}
		if got := m.statusOf(w1); got != domain.StatusWaitlisted {
			t.Errorf("unverified w1 is %s, want waitlisted", got)
		}
	})
	t.Run("an organizer's cancellation carries the message and frees the seat for the list", func(t *testing.T) {
		servertest.Decode[map[string]any](t, m.linkAction("confirm", m.outboxToken(w1)), http.StatusOK)
		const message = "The hall is smaller than planned. Извините!"
		v := servertest.Decode[map[string]any](t, manage("p1@example.uz", "cancel", map[string]string{"message": message}), http.StatusOK)
		if v["status"] != "cancelled" {
			t.Errorf("cancel answered %v", v["status"])
		}
		var got string
		if err := m.DB.Get(&got, `SELECT payload->>'message' FROM emails WHERE kind = 'cancelled' AND registration_id = $1`,
			m.registrationID("p1@example.uz")); err != nil {
			t.Fatal(err)
		}
		if got != message {
			t.Errorf("cancellation email message %q, want %q", got, message)
		}
		if got := m.statusOf(w1); got != domain.StatusConfirmed {
			t.Errorf("verified w1 is %s, want confirmed", got)
		}
	})
	t.Run("promoting by hand beyond capacity is a conflict", func(t *testing.T) {
		servertest.Decode[map[string]any](t, m.Register("egov", servertest.Participant("w3@example.uz", nil)), http.StatusAccepted)
		p := servertest.Problem(t, manage("w3@example.uz", "promote", ""), http.StatusConflict)
		if p.SeatsHeld == nil || *p.SeatsHeld != 4 {
			t.Errorf("problem seats_held %v, want 4", p.SeatsHeld)
		}
		if got := m.statusOf("w3@example.uz"); got != domain.StatusWaitlisted {
			t.Errorf("w3 is %s, want still waitlisted", got)
		}
	})
	t.Run("promoting someone who is not waitlisted is a conflict", func(t *testing.T) {
		servertest.Problem(t, manage("p2@example.uz", "promote", ""), http.StatusConflict)
	})
	t.Run("promoting by hand once a seat is free confirms and emails", func(t *testing.T) {
		servertest.Decode[map[string]any](t, manage("p2@example.uz", "cancel", ""), http.StatusOK)
		v := servertest.Decode[map[string]any](t, manage("w3@example.uz", "promote", ""), http.StatusOK)
		if v["status"] != "confirmed" {
			t.Errorf("promote answered %v", v["status"])
		}
		var n int
		if err := m.DB.Get(&n, `SELECT count(*) FROM emails WHERE kind = 'promoted' AND registration_id = $1`,
			m.registrationID("w3@example.uz")); err != nil || n != 1 {
			t.Errorf("%d promoted emails (%v), want 1", n, err)
		}
	})
}

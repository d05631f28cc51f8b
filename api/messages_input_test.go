package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// A message's values that do not parse, or that contradict each other or
// the event, are 422s naming the field with a reason people can act on.
func TestMessageValuesThatCannotBeRightAreFieldErrors(t *testing.T) {
	a := servertest.New(t)
	ev := a.Event(a.Token, "egov", nil)
	endsOn, err := time.Parse(time.DateOnly, ev["ends_on"].(string))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]any{"en": map[string]any{"subject": "Slides", "body": "The slides"}}
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	cases := []struct {
		name        string
		body        map[string]any
		field, code string
	}{
		{"a send_at that is not a timestamp", map[string]any{"texts": texts, "send_at": "tomorrow"}, "send_at", "datetime"},
		{"an attended day that is not YYYY-MM-DD", map[string]any{"texts": texts,
			"filter": map[string]any{"attended": []string{ev["starts_on"].(string), "2027-1-5"}}}, "filter.attended[1]", "date"},
		{"send with a future send_at", map[string]any{"texts": texts, "send": true, "send_at": at(time.Now().Add(time.Hour))}, "send_at", "excluded_with"},
		{"a send_at in the past", map[string]any{"texts": texts, "send_at": at(time.Now().Add(-time.Hour))}, "send_at", "future"},
		{"a send_at long after the event", map[string]any{"texts": texts, "send_at": at(endsOn.AddDate(0, 0, 40))}, "send_at", "max"},
	}
	for _, c := range cases {
		t.Run(c.name+" is "+c.field+"/"+c.code, func(t *testing.T) {
			for _, path := range []string{"/api/v1/events/egov/messages", "/api/v1/events/egov/messages/preview"} {
				p := servertest.Problem(t, a.Post(path, a.Token, c.body), http.StatusUnprocessableEntity)
				if got := servertest.FieldCodes(p)[c.field]; got != c.code || p.Errors[0].Message == "" {
					t.Errorf("%s: errors %+v, want %s/%s", path, p.Errors, c.field, c.code)
				}
			}
		})
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages stored", n)
	}
	// Within 30 days of the event's end a message may still be scheduled.
	servertest.Decode[map[string]any](t, a.Post("/api/v1/events/egov/messages", a.Token,
		map[string]any{"texts": texts, "send_at": at(endsOn.AddDate(0, 0, 20))}), http.StatusCreated)
}

// People over the per-address limit are counted as held back by the
// preview, the send's answer and the message's page, and the message
// stays sending for the periodic loop to finish.
func TestMessagesSayWhomThePerAddressLimitHoldsBack(t *testing.T) {
	a := servertest.New(t, func(d *server.Deps) { d.Store.MessagesPerAddressHour = 1 })
	a.Event(a.Token, "egov", nil)
	if rec := a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)); rec.Code != http.StatusAccepted {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	type counts struct {
		State    string `json:"state"`
		Added    int    `json:"added"`
		HeldBack int    `json:"held_back"`
	}
	msgs := "/api/v1/events/egov/messages"
	body := map[string]any{"texts": map[string]any{"en": map[string]any{"subject": "Slides", "body": "The slides"}}, "send": true}
	if got := servertest.Decode[counts](t, a.Post(msgs, a.Token, body), http.StatusCreated); got != (counts{"sent", 1, 0}) {
		t.Errorf("the first message: %+v", got)
	}
	rec := a.Post(msgs, a.Token, body)
	second := servertest.Decode[counts](t, rec, http.StatusCreated)
	if second != (counts{"sending", 0, 1}) {
		t.Errorf("the second message within the hour: %+v, want sending, 0 added, 1 held back", second)
	}
	if got := servertest.Decode[counts](t, a.Get(rec.Header().Get("Location"), a.Token), http.StatusOK); got.HeldBack != 1 || got.State != "sending" {
		t.Errorf("the second message's page: %+v", got)
	}
	preview := servertest.Decode[struct {
		Recipients int `json:"recipients"`
		HeldBack   int `json:"held_back"`
	}](t, a.Post(msgs+"/preview", a.Token, body), http.StatusOK)
	if preview.Recipients != 0 || preview.HeldBack != 1 {
		t.Errorf("a preview within the hour: %+v", preview)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// canonicalJSON re-encodes JSON text with sorted keys, for comparisons.
func canonicalJSON(t *testing.T, text []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStatsCountByCountryRoleAndDay(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	ev := d.event(d.org, "stats-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(3) })
	a := d.register(ev, deskPerson{first: "Rustam", last: "Kasimov", email: "a@example.uz", country: "UZ", role: "expert", confirmed: true})
	b := d.register(ev, deskPerson{first: "Malika", last: "Rahimova", email: "b@example.uz", country: "UZ", role: "student"})
	c := d.register(ev, deskPerson{first: "Айгерим", last: "Сейтказиева", email: "c@example.kz", country: "KZ", role: "expert", confirmed: true})
	servertest.Decode[map[string]any](t, d.call(http.MethodPost, "/api/v1/events/"+ev.Slug+"/registrations/"+c.ID+"/cancel", d.token, nil), http.StatusOK)
	dd := d.register(ev, deskPerson{first: "Alikhan", last: "Baimenov", email: "d@example.kz", country: "KZ", role: "speaker", confirmed: true})
	if e := d.register(ev, deskPerson{first: "Armen", last: "Petrosyan", email: "e@example.am", country: "AM", role: "expert"}); e.Status != domain.StatusWaitlisted {
		t.Fatalf("e is %s, want waitlisted", e.Status)
	}
	checkIn := func(code, day string) {
		rec := d.call(http.MethodPost, "/api/v1/events/"+ev.Slug+"/checkins", d.token, map[string]any{"code": code, "day": day})
		servertest.Decode[checkinJSON](t, rec, http.StatusCreated)
	}
	checkIn(a.CheckinCode, "2019-05-30")
	checkIn(a.CheckinCode, "2019-05-31")
	checkIn(b.CheckinCode, "2019-05-31") // pending until the door
	checkIn(dd.CheckinCode, "2019-05-30")

	rec := d.call(http.MethodGet, "/api/v1/events/"+ev.Slug+"/stats", d.token, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("stats: %d %s", rec.Code, rec.Body)
	}
	want := `{
		"event": "stats-workshop",
		"days": ["2019-05-30", "2019-05-31"],
		"total": {"registered": 4, "confirmed": 3, "pending": 0, "waitlisted": 1, "cancelled": 1, "expired": 0, "awaiting_approval": 0, "rejected": 0,
			"attended_by_day": {"2019-05-30": 2, "2019-05-31": 2}, "attended": 3},
		"by_country": [
			{"country": "AM", "name": "Armenia", "registered": 1, "confirmed": 0, "pending": 0, "waitlisted": 1,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 0, "2019-05-31": 0}, "attended": 0},
			{"country": "KZ", "name": "Kazakhstan", "registered": 1, "confirmed": 1, "pending": 0, "waitlisted": 0,
				"cancelled": 1, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 0}, "attended": 1},
			{"country": "UZ", "name": "Uzbekistan", "registered": 2, "confirmed": 2, "pending": 0, "waitlisted": 0,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 2}, "attended": 2}
		],
		"by_role": [
			{"role": "expert", "registered": 2, "confirmed": 1, "pending": 0, "waitlisted": 1,
				"cancelled": 1, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 1}, "attended": 1},
			{"role": "student", "registered": 1, "confirmed": 1, "pending": 0, "waitlisted": 0,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 0, "2019-05-31": 1}, "attended": 1},
			{"role": "speaker", "registered": 1, "confirmed": 1, "pending": 0, "waitlisted": 0,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 0}, "attended": 1}
		],
		"by_delegation": [
			{"delegation": "AM", "name": "Armenia", "registered": 1, "confirmed": 0, "pending": 0, "waitlisted": 1,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 0, "2019-05-31": 0}, "attended": 0},
			{"delegation": "KZ", "name": "Kazakhstan", "registered": 1, "confirmed": 1, "pending": 0, "waitlisted": 0,
				"cancelled": 1, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 0}, "attended": 1},
			{"delegation": "UZ", "name": "Uzbekistan", "registered": 2, "confirmed": 2, "pending": 0, "waitlisted": 0,
				"cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0, "attended_by_day": {"2019-05-30": 1, "2019-05-31": 2}, "attended": 2}
		],
		"answers": []
	}`
	if got, want := canonicalJSON(t, rec.Body.Bytes()), canonicalJSON(t, []byte(want)); got != want {
		t.Errorf("stats\n got %s\nwant %s", got, want)
	}
}

func TestStatsAreTheOrganizersOnly(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	path := "/api/v1/events/" + d.ev.Slug + "/stats"
	t.Run("another organizer gets 404", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodGet, path, d.otherToken, nil), http.StatusNotFound)
	})
	t.Run("without a token it is 401", func(t *testing.T) {
		wantProblem(t, d.call(http.MethodGet, path, "", nil), http.StatusUnauthorized)
	})
	t.Run("an event without registrations has zero counts", func(t *testing.T) {
		rec := d.call(http.MethodGet, path, d.token, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("stats: %d %s", rec.Code, rec.Body)
		}
		want := `{"event": "egov-tashkent-2019", "days": ["2019-05-30", "2019-05-31"],
			"total": {"registered": 0, "confirmed": 0, "pending": 0, "waitlisted": 0, "cancelled": 0, "expired": 0, "awaiting_approval": 0, "rejected": 0,
				"attended_by_day": {"2019-05-30": 0, "2019-05-31": 0}, "attended": 0},
			"by_country": [], "by_role": [], "by_delegation": [], "answers": []}`
		if got, want := canonicalJSON(t, rec.Body.Bytes()), canonicalJSON(t, []byte(want)); got != want {
			t.Errorf("stats\n got %s\nwant %s", got, want)
		}
	})
}

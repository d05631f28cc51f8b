package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
	"github.com/attend/attend/webhook"
)

// received is one request an endpoint got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an organizer's endpoint: it records what it is sent and
// answers with the status answer gives for the n-th request (from 1).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, w http.ResponseWriter)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter)) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("receiver: %v", err)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body})
		n, answer := len(rc.got), rc.answer
		rc.mu.Unlock()
		if answer == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		answer(n, w)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// allowPrivate lets endpoints be registered on this machine's loopback, as
// WEBHOOK_ALLOW_PRIVATE=true does for local development.
func allowPrivate(d *server.Deps) { d.Config.WebhookAllowPrivate = true }

// newSender is a sender over a's store, as `attend worker` builds it.
func newSender(a *servertest.Server, allowPrivate bool) *webhook.Sender {
	return &webhook.Sender{
		Store: a.Store, Client: webhook.NewClient(5*time.Second, allowPrivate), Sealer: a.Store.Sealer,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Poll: 10 * time.Millisecond, Lease: time.Minute, Concurrency: 4, DisableAfter: 20,
		Backoff: domain.Backoff{Base: time.Minute, Max: time.Hour, MaxAttempts: 5},
	}
}

// endpoint registers url for the lead organizer and returns its id and
// secret.
func endpoint(t *testing.T, a *servertest.Server, body map[string]any) (int64, string) {
	t.Helper()
	v := servertest.Decode[struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}](t, a.Post("/api/v1/webhooks", a.Token, body), http.StatusCreated)
	if !strings.HasPrefix(v.Secret, "whsec_") {
		t.Fatalf("secret %q does not start with whsec_", v.Secret)
	}
	return v.ID, v.Secret
}

// verify checks a request's Standard Webhooks signature with an
// implementation of its own, and returns the body as JSON.
func verify(t *testing.T, secret string, r received) map[string]any {
	t.Helper()
	id, ts, sig := r.header.Get("webhook-id"), r.header.Get("webhook-timestamp"), r.header.Get("webhook-signature")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil || id == "" {
		t.Fatalf("webhook-id %q, webhook-timestamp %q: want an id and unix seconds", id, ts)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, r.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if sig != want {
		t.Errorf("webhook-signature = %q, want %q", sig, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	return v
}

func drain(t *testing.T, s *webhook.Sender) int {
	t.Helper()
	n, err := s.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func registrationID(t *testing.T, a *servertest.Server, email string) string {
	t.Helper()
	var id string
	if err := a.DB.Get(&id, `SELECT id FROM registrations WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestARegistrationIsPostedSignedWithIdsAndStatesOnly(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	rc := newReceiver(t, nil)
	hook, secret := endpoint(t, a, map[string]any{"url": rc.URL + "/attend"})

	servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)), http.StatusAccepted)
	if n := drain(t, newSender(a, true)); n != 1 {
		t.Fatalf("claimed %d deliveries, want 1", n)
	}
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("the endpoint got %d requests, want 1", len(got))
	}
	body := verify(t, secret, got[0])
	data, _ := body["data"].(map[string]any)
	if body["type"] != "registration.created" || data["registration_id"] != registrationID(t, a, "dilnoza@example.uz") ||
		data["event"] != "egov" || data["status"] != "pending" {
		t.Errorf("body = %s", got[0].body)
	}
	if _, ok := data["person"]; ok || strings.Contains(string(got[0].body), "dilnoza@example.uz") || strings.Contains(string(got[0].body), "Yusupova") {
		t.Errorf("personal data went to an endpoint that did not ask for it: %s", got[0].body)
	}

	list := servertest.Decode[struct {
		Deliveries []map[string]any `json:"deliveries"`
	}](t, a.Get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook), a.Token), http.StatusOK)
	if len(list.Deliveries) != 1 || list.Deliveries[0]["status"] != "delivered" ||
		list.Deliveries[0]["last_status_code"] != float64(204) || list.Deliveries[0]["id"] != got[0].header.Get("webhook-id") {
		t.Errorf("deliveries = %v", list.Deliveries)
	}
	if n := drain(t, newSender(a, true)); n != 0 || len(rc.requests()) != 1 {
		t.Errorf("a delivered webhook was claimed again (%d) or sent again (%d requests)", n, len(rc.requests()))
	}
}

func TestPersonalDataGoesOnlyWhereAskedAndCheckInsArePosted(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	plain, personal := newReceiver(t, nil), newReceiver(t, nil)
	_, plainSecret := endpoint(t, a, map[string]any{"url": plain.URL, "event": "egov",
		"event_types": []string{"registration.confirmed", "checkin.created"}})
	_, personalSecret := endpoint(t, a, map[string]any{"url": personal.URL, "include_personal_data": true,
		"event_types": []string{"checkin.created"}})

	// A walk-in, registered by an organizer, is confirmed at once.
	servertest.Decode[map[string]any](t, a.Post("/api/v1/events/egov/registrations", a.Token,
		servertest.Participant("walkin@example.uz", nil)), http.StatusCreated)
	id := registrationID(t, a, "walkin@example.uz")
	if _, err := a.DB.Exec(`INSERT INTO checkins (registration_id, event_id, day)
		SELECT id, event_id, days[1] FROM registrations WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	for drain(t, newSender(a, true)) > 0 {
	}

	var types []string
	for _, r := range plain.requests() {
		body := verify(t, plainSecret, r)
		types = append(types, body["type"].(string))
		if strings.Contains(string(r.body), "walkin@example.uz") {
			t.Errorf("personal data went to an endpoint that did not ask for it: %s", r.body)
		}
	}
	// Deliveries are posted concurrently: their order is not promised.
	slices.Sort(types)
	if strings.Join(types, " ") != "checkin.created registration.confirmed" {
		t.Errorf("the event's endpoint got %v, want registration.confirmed and checkin.created", types)
	}
	got := personal.requests()
	if len(got) != 1 {
		t.Fatalf("the personal endpoint got %d requests, want 1 (check-ins only)", len(got))
	}
	body := verify(t, personalSecret, got[0])
	data, _ := body["data"].(map[string]any)
	person, _ := data["person"].(map[string]any)
	if body["type"] != "checkin.created" || data["registration_id"] != id || data["day"] == nil ||
		person["email"] != "walkin@example.uz" || person["last_name"] != "Yusupova" || person["country"] != "UZ" {
		t.Errorf("body = %s", got[0].body)
	}
}

func TestAFailedDeliveryIsRetriedWithTheSameIdAndRedirectsAreNotFollowed(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	elsewhere := newReceiver(t, nil)
	rc := newReceiver(t, func(n int, w http.ResponseWriter) {
		switch n {
		case 1:
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		case 2:
			w.Header().Set("Location", elsewhere.URL)
			w.WriteHeader(http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	hook, secret := endpoint(t, a, map[string]any{"url": rc.URL, "event_types": []string{"registration.created"}})
	servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)), http.StatusAccepted)

	s := newSender(a, true)
	deliveries := func() []map[string]any {
		return servertest.Decode[struct {
			Deliveries []map[string]any `json:"deliveries"`
		}](t, a.Get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook), a.Token), http.StatusOK).Deliveries
	}
	want := []struct {
		status string
		code   float64
	}{{"queued", 500}, {"queued", 302}, {"delivered", 200}}
	for i, w := range want {
		// Each retry is due an hour later at most (the backoff's Max).
		later := time.Now().Add(time.Duration(i) * 2 * time.Hour)
		a.Store.Now = func() time.Time { return later }
		if n := drain(t, s); n != 1 {
			t.Fatalf("attempt %d: claimed %d, want 1", i+1, n)
		}
		d := deliveries()
		if len(d) != 1 || d[0]["status"] != w.status || d[0]["last_status_code"] != w.code || d[0]["attempts"] != float64(i+1) {
			t.Fatalf("after attempt %d: %v, want %s with %v", i+1, d, w.status, w.code)
		}
		if i == 0 && !strings.Contains(fmt.Sprint(d[0]["last_response"]), "down for maintenance") {
			t.Errorf("the endpoint's answer is not kept: %v", d[0])
		}
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for _, r := range got {
		verify(t, secret, r)
		if r.header.Get("webhook-id") != got[0].header.Get("webhook-id") {
			t.Errorf("webhook-id changed between attempts: %q, %q", got[0].header.Get("webhook-id"), r.header.Get("webhook-id"))
		}
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the redirect was followed (%d requests)", n)
	}
}

func TestWebhooksToThisServersNetworkAreRefusedByDefault(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	t.Run("when registered", func(t *testing.T) {
		for _, url := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "https://api.localhost/",
			"http://[::1]/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.1]/",
			"http://100.64.0.1/", "http://0.0.0.0/", "ftp://example.org/", "https://user:pw@example.org/", "example.org"} {
			p := servertest.Problem(t, a.Post("/api/v1/webhooks", a.Token, map[string]any{"url": url}), http.StatusUnprocessableEntity)
			if servertest.FieldCodes(p)["url"] == "" {
				t.Errorf("%s: %v, want a field error on url", url, p.Errors)
			}
		}
		if n := servertest.CountRows(t, a, `SELECT count(*) FROM webhook_endpoints`); n != 0 {
			t.Errorf("%d endpoints stored, want none", n)
		}
	})
	t.Run("when a name resolves to loopback at delivery", func(t *testing.T) {
		rc := newReceiver(t, nil)
		// Stored directly: a public name could resolve to loopback later
		// (DNS rebinding); "localhost" does so here.
		url := strings.Replace(rc.URL, "127.0.0.1", "localhost", 1)
		_, _, err := a.Store.CreateWebhook(context.Background(), a.Org.ID, nil, domain.WebhookChange{
			URL: &url, EventTypes: []string{"registration.created"}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)), http.StatusAccepted)
		if n := drain(t, newSender(a, false)); n != 1 {
			t.Fatalf("claimed %d, want 1", n)
		}
		if n := len(rc.requests()); n != 0 {
			t.Fatalf("the loopback endpoint got %d requests", n)
		}
		var lastError string
		if err := a.DB.Get(&lastError, `SELECT last_error FROM webhook_deliveries`); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(lastError, "refused to connect") {
			t.Errorf("last_error = %q", lastError)
		}
	})
}

func TestAnEndpointThatKeepsFailingIsDisabledAndItsOwnerEmailed(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) })
	hook, _ := endpoint(t, a, map[string]any{"url": rc.URL, "event_types": []string{"registration.created"}})
	s := newSender(a, true)
	s.DisableAfter = 3
	for i, email := range []string{"a@example.uz", "b@example.uz", "c@example.uz"} {
		servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant(email, nil)), http.StatusAccepted)
		later := time.Now().Add(time.Duration(i) * 2 * time.Hour)
		a.Store.Now = func() time.Time { return later }
		drain(t, s)
	}
	w := servertest.Decode[domain.Webhook](t, a.Get(fmt.Sprintf("/api/v1/webhooks/%d", hook), a.Token), http.StatusOK)
	if w.Active || w.DisabledAt == nil || w.ConsecutiveFailures < 3 {
		t.Fatalf("after 3 failures: %+v, want it disabled", w)
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM emails WHERE kind = 'webhook_disabled'
		AND recipient = 'lead@example.org' AND payload->>'webhook_url' = '`+rc.URL+`'`); n != 1 {
		t.Errorf("%d emails to the owner, want 1", n)
	}
	sent := len(rc.requests())
	servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("d@example.uz", nil)), http.StatusAccepted)
	a.Store.Now = func() time.Time { return time.Now().Add(24 * time.Hour) }
	if n := drain(t, s); n != 0 || len(rc.requests()) != sent {
		t.Errorf("a disabled endpoint was posted to (%d claimed)", n)
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM webhook_deliveries WHERE registration_id =
		(SELECT id FROM registrations WHERE email = 'd@example.uz')`); n != 0 {
		t.Errorf("%d deliveries queued for a disabled endpoint", n)
	}

	// Enabled again, it starts afresh and gets what waited in its queue:
	// the deliveries of a and b (c and d came while it was disabled).
	rc.mu.Lock()
	rc.answer = nil
	rc.mu.Unlock()
	w = servertest.Decode[domain.Webhook](t, a.Patch(fmt.Sprintf("/api/v1/webhooks/%d", hook), a.Token,
		map[string]any{"active": true}), http.StatusOK)
	if !w.Active || w.ConsecutiveFailures != 0 || w.DisabledAt != nil {
		t.Errorf("enabled: %+v", w)
	}
	for drain(t, s) > 0 {
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'`); n != 2 {
		t.Errorf("%d deliveries delivered after enabling, want the 2 that waited", n)
	}
}

func TestTwoSendersPostEachDeliveryOnce(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	rc := newReceiver(t, nil)
	endpoint(t, a, map[string]any{"url": rc.URL, "event_types": []string{"registration.created"}})
	const n = 40
	for i := range n {
		servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant(fmt.Sprintf("p%d@example.uz", i), nil)), http.StatusAccepted)
	}
	var wg sync.WaitGroup
	for range 2 {
		s := newSender(a, true)
		wg.Go(func() {
			for {
				m, err := s.Drain(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if m == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, r := range rc.requests() {
		seen[r.header.Get("webhook-id")]++
	}
	if len(seen) != n {
		t.Errorf("%d distinct deliveries, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("delivery %s posted %d times", id, c)
		}
	}
}

func TestARotatedSecretSignsWhatIsSentAfterIt(t *testing.T) {
	a := servertest.New(t, allowPrivate)
	a.Event(a.Token, "egov", nil)
	rc := newReceiver(t, nil)
	hook, old := endpoint(t, a, map[string]any{"url": rc.URL, "event_types": []string{"registration.created"}})
	servertest.Decode[map[string]any](t, a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)), http.StatusAccepted)
	rotated := servertest.Decode[struct {
		Secret string `json:"secret"`
	}](t, a.Post(fmt.Sprintf("/api/v1/webhooks/%d/secret", hook), a.Token, ""), http.StatusOK).Secret
	if rotated == old || !strings.HasPrefix(rotated, "whsec_") {
		t.Fatalf("rotated secret %q (old %q)", rotated, old)
	}
	drain(t, newSender(a, true))
	got := rc.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	verify(t, rotated, got[0])
}

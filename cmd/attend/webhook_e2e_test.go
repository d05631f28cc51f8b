package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/internal/smtptest"
)

// TestServePostsSignedWebhooksAndDisablesAFailingEndpoint runs the real
// `attend serve` (its worker posts webhooks) against a fresh database, a
// real SMTP server and two endpoints on this machine: one that answers,
// whose signature the test checks with its own HMAC, and one that fails,
// which is disabled after WEBHOOK_DISABLE_AFTER=1 failure with an email to
// its owner.
func TestServePostsSignedWebhooksAndDisablesAFailingEndpoint(t *testing.T) {
	type hit struct {
		header http.Header
		body   []byte
	}
	hits := make(chan hit, 10)
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits <- hit{r.Header.Clone(), body}
	}))
	defer good.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer bad.Close()

	c := newCLI(t)
	smtp := smtptest.Start(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	c.env["SMTP_URL"] = smtp.URL()
	c.env["MAIL_POLL_INTERVAL"] = "200ms"
	c.env["WEBHOOK_POLL_INTERVAL"] = "50ms"
	c.env["WEBHOOK_ALLOW_PRIVATE"] = "true"
	c.env["WEBHOOK_DISABLE_AFTER"] = "1"
	c.must("organizer", "add", "--email", "lead@example.org", "--name", "Lead")
	token := strings.TrimSpace(c.must("token", "create", "--email", "lead@example.org"))
	srv := c.serve(t)

	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path string, body any) map[string]any {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.base+path, strings.NewReader(servertest.JSONText(t, body)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode >= 300 {
			t.Fatalf("POST %s: %d %v %v", path, resp.StatusCode, v, err)
		}
		return v
	}
	post("/api/v1/events", servertest.EventBody("egov", nil))
	secret, _ := post("/api/v1/webhooks", map[string]any{"url": good.URL, "event_types": []string{"registration.confirmed"}})["secret"].(string)
	post("/api/v1/webhooks", map[string]any{"url": bad.URL + "/hook", "event": "egov"})
	// A walk-in: confirmed at once.
	reg := post("/api/v1/events/egov/registrations", servertest.Participant("walkin@example.uz", nil))

	var h hit
	select {
	case h = <-hits:
	case <-time.After(60 * time.Second):
		t.Fatalf("no webhook arrived\n%s", srv.logs)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.header.Get("webhook-id") + "." + h.header.Get("webhook-timestamp") + "."))
	mac.Write(h.body)
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); h.header.Get("webhook-signature") != want {
		t.Errorf("webhook-signature %q, want %q", h.header.Get("webhook-signature"), want)
	}
	var body struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(h.body, &body); err != nil || body.Type != "registration.confirmed" ||
		body.Data["registration_id"] != reg["id"] || body.Data["status"] != "confirmed" {
		t.Errorf("body %s (%v), want registration.confirmed of %v", h.body, err, reg["id"])
	}

	var disabled smtptest.Message
	for n := 1; disabled.From == ""; n++ {
		msgs := smtp.WaitFor(t, n, 60*time.Second)
		if m := msgs[n-1]; len(m.To) == 1 && m.To[0] == "lead@example.org" {
			disabled = m
		}
	}
	if text := plainText(t, disabled); !strings.Contains(text, bad.URL+"/hook") || !strings.Contains(text, "disabled") {
		t.Errorf("the owner's email does not name the disabled endpoint:\n%s", text)
	}
	if err := srv.stop(t); err != nil {
		t.Errorf("serve returned %v after cancellation\n%s", err, srv.logs)
	}
	if n := c.count(`SELECT count(*) FROM webhook_endpoints WHERE NOT active`); n != 1 {
		t.Errorf("%d endpoints disabled, want 1", n)
	}
}

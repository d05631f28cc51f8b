package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/smtptest"
)

// logWatcher is serve's standard error: it keeps the JSON log lines and
// reports the address from the "listening" line, which is how a test learns
// the port the server bound with HTTP_ADDR=127.0.0.1:0.
type logWatcher struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	all       bytes.Buffer
	listening chan string
}

func newLogWatcher() *logWatcher { return &logWatcher{listening: make(chan string, 1)} }

func (w *logWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadBytes('\n')
		if err != nil { // an incomplete line waits for the rest
			w.buf.Reset()
			w.buf.Write(line)
			return len(p), nil
		}
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &entry) == nil && entry.Msg == "listening" && entry.Addr != "" {
			select {
			case w.listening <- entry.Addr:
			default:
			}
		}
	}
}

func (w *logWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// TestServeEndToEnd runs the real `attend serve` on a free port against a
// fresh database and a real SMTP server, and drives it over HTTP the way the
// README's curl examples do.
func TestServeEndToEnd(t *testing.T) {
	c := newCLI(t)
	mail := smtptest.Start(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	c.env["SMTP_URL"] = mail.URL()
	c.env["MAIL_POLL_INTERVAL"] = "200ms"
	c.env["BASE_URL"] = "http://attend.test"

	c.must("organizer", "add", "--email", "lead@example.org", "--name", "Lead Organizer")
	token := strings.TrimSpace(c.must("token", "create", "--email", "lead@example.org"))

	srv := c.serve(t)
	base, logs := srv.base, srv.logs
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}

	if code, body := call(http.MethodGet, "/readyz", "", ""); code != http.StatusOK {
		t.Errorf("readyz: %d %s", code, body)
	}
	if code, body := call(http.MethodGet, "/api/v1/me", token, ""); code != http.StatusOK || !strings.Contains(body, "lead@example.org") {
		t.Errorf("the token from `token create` does not work: %d %s", code, body)
	}

	start := domain.DateOf(time.Now()).AddDays(30)
	code, body := call(http.MethodPost, "/api/v1/events", token, `{
		"slug": "egov-followup", "title": "E-government follow-up workshop",
		"country": "UZ", "timezone": "Asia/Tashkent",
		"starts_on": "`+start.String()+`", "ends_on": "`+start.AddDays(1).String()+`",
		"capacity": 40, "languages": ["en", "ru", "uz"]}`)
	if code != http.StatusCreated {
		t.Fatalf("create event: %d %s", code, body)
	}

	code, body = call(http.MethodPost, "/api/v1/events/egov-followup/registrations", "", `{
		"first_name": "Дилноза", "last_name": "Юсупова", "email": "dilnoza@example.uz",
		"country": "uz", "organization": "Centre for Economic Research and Reforms",
		"role": "researcher", "phone": "+998 (71) 123-45-67", "consent": true}`)
	if code != http.StatusAccepted || !strings.Contains(body, `"status":"pending"`) {
		t.Fatalf("register: %d %s", code, body)
	}

	code, body = call(http.MethodGet, "/api/v1/events/egov-followup/registrations", token, "")
	if code != http.StatusOK || !strings.Contains(body, "dilnoza@example.uz") || !strings.Contains(body, "+998711234567") {
		t.Errorf("list registrations: %d %s", code, body)
	}

	msgs := mail.WaitFor(t, 1, 60*time.Second)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "dilnoza@example.uz" {
		t.Errorf("the confirmation email went to %v, want dilnoza@example.uz", msgs[0].To)
	}

	if err := srv.stop(t); err != nil {
		t.Errorf("serve returned %v after cancellation, want nil (graceful shutdown)\n%s", err, logs)
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no stopped line in the log:\n%s", logs)
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the API token appears in the log")
	}
}

// serving is `attend serve` running in this process on a free port.
type serving struct {
	base string // http://127.0.0.1:port
	logs *logWatcher
	stop func(t *testing.T) error
}

// serve runs `attend serve` with the CLI's environment (HTTP_ADDR set to
// port 0 by the caller) and waits until it listens. stop cancels it, as
// SIGTERM would, and returns what run returned.
func (c *cli) serve(t *testing.T) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logs := newLogWatcher()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, c.getenv, strings.NewReader(""), io.Discard, logs) }()
	s := &serving{logs: logs, stop: func(t *testing.T) error {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(60 * time.Second):
			t.Fatalf("serve did not stop after cancellation\n%s", logs)
			return nil
		}
	}}
	select {
	case addr := <-logs.listening:
		s.base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v\n%s", err, logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start listening\n%s", logs)
	}
	return s
}

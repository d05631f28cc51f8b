package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/metricstest"
	"github.com/attend/attend/internal/smtptest"
)

// metricsAddr is the address from the "metrics listening" log line.
func metricsAddr(t *testing.T, logs string) string {
	t.Helper()
	for _, line := range strings.Split(logs, "\n") {
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "metrics listening" {
			return entry.Addr
		}
	}
	return ""
}

// scrapeUntil scrapes until ready accepts the scrape: what the worker
// counts after an email is sent lands a moment after the SMTP server has it.
func scrapeUntil(t *testing.T, addr string, ready func(metricstest.Families) bool) metricstest.Families {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		f := metricstest.Scrape(t, "http://"+addr+"/metrics")
		if ready(f) || time.Now().After(deadline) {
			return f
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeExposesMetricsOnItsOwnAddress runs the real `attend serve` with
// METRICS_ADDR, registers through the API and the page of the emailed
// link, lets the worker send the email through a real SMTP server, and
// reads /metrics with Prometheus's parser: every family is there with the
// labels an operator alerts on, the counts moved by what happened, and no
// label carries an address, a slug or a link token.
func TestServeExposesMetricsOnItsOwnAddress(t *testing.T) {
	c := newCLI(t)
	smtp := smtptest.Start(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	c.env["METRICS_ADDR"] = "127.0.0.1:0"
	c.env["SMTP_URL"] = smtp.URL()
	c.env["MAIL_POLL_INTERVAL"] = "200ms"
	c.env["BASE_URL"] = "http://attend.test"
	c.must("demo")
	srv := c.serve(t)
	addr := metricsAddr(t, srv.logs.String())
	if addr == "" {
		t.Fatalf("no metrics listening line in the log:\n%s", srv.logs)
	}

	call := func(method, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, srv.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := call(http.MethodGet, "/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics on the main listener: %d, want 404", code)
	}
	registrations := "/api/v1/events/" + demo.UpcomingSlug + "/registrations"
	const email = "metrics.person@example.uz"
	if code := call(http.MethodPost, registrations, `{"first_name": "Nodira", "last_name": "Karimova",
		"email": "`+email+`", "country": "UZ", "organization": "Ministry", "role": "researcher",
		"consent": true, "answers": {"diet": "none", "visa_letter": false}}`); code != http.StatusAccepted {
		t.Fatalf("register: %d, want 202", code)
	}
	if code := call(http.MethodPost, registrations, `{"first_name": "", "email": "not an address"}`); code != http.StatusUnprocessableEntity {
		t.Fatalf("an invalid registration: %d, want 422", code)
	}
	if code := call("PROPFIND", "/no/such/page", ""); code != http.StatusNotFound {
		t.Fatalf("an unknown method on an unknown path: %d, want 404", code)
	}
	msgs := smtp.WaitFor(t, 1, 60*time.Second)
	token := regexp.MustCompile(`http://attend\.test/r/([A-Za-z0-9_-]{43})`).FindStringSubmatch(plainText(t, msgs[0]))
	if token == nil {
		t.Fatal("no link in the email")
	}
	if code := call(http.MethodGet, "/r/"+token[1], ""); code != http.StatusOK {
		t.Fatalf("the link's page: %d, want 200", code)
	}

	f := scrapeUntil(t, addr, func(f metricstest.Families) bool {
		sent, _ := f.Value("attend_emails_total", map[string]string{"outcome": "sent"})
		jobs, _ := f.Value("attend_periodic_job_runs_total", map[string]string{"job": "expire_unconfirmed", "result": "ok"})
		return sent >= 1 && jobs >= 1
	})
	tests := []struct {
		name   string
		labels map[string]string
		atLeast,
		atMost float64
	}{
		{"attend_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/events/:slug/registrations", "status": "202"}, 1, 1},
		{"attend_http_requests_total", map[string]string{"method": "POST", "route": "/api/v1/events/:slug/registrations", "status": "422"}, 1, 1},
		{"attend_http_requests_total", map[string]string{"method": "GET", "route": "/r/:token", "status": "200"}, 1, 1},
		{"attend_http_requests_total", map[string]string{"method": "other", "route": "unmatched", "status": "404"}, 1, 1},
		{"attend_http_request_duration_seconds", map[string]string{"route": "/api/v1/events/:slug/registrations"}, 2, 2},
		{"attend_registrations_total", map[string]string{"outcome": "registered"}, 1, 1},
		{"attend_registrations_total", map[string]string{"outcome": "invalid"}, 1, 1},
		{"attend_registration_batch_size", nil, 1, 1},
		{"attend_registration_batch_wait_seconds", nil, 1, 1},
		{"attend_emails_total", map[string]string{"outcome": "sent"}, 1, 100},
		{"attend_smtp_send_duration_seconds", map[string]string{"result": "accepted"}, 1, 100},
		{"attend_outbox_emails", map[string]string{"state": "due"}, 0, 100},
		{"attend_outbox_emails", map[string]string{"state": "scheduled"}, 0, 0},
		{"attend_outbox_emails", map[string]string{"state": "sending"}, 0, 100},
		{"attend_outbox_oldest_due_age_seconds", nil, 0, 3600},
		{"attend_periodic_job_runs_total", map[string]string{"job": "expire_unconfirmed", "result": "ok"}, 1, 100},
		{"attend_periodic_job_duration_seconds", map[string]string{"job": "erase_expired"}, 1, 100},
		{"go_sql_open_connections", map[string]string{"db_name": "attend"}, 1, 1000},
		{"go_goroutines", nil, 1, 1e6},
		{"process_resident_memory_bytes", nil, 1, 1e12},
	}
	for _, tt := range tests {
		got, ok := f.Value(tt.name, tt.labels)
		switch {
		case !ok:
			t.Errorf("%s%v is missing from the scrape", tt.name, tt.labels)
		case got < tt.atLeast || got > tt.atMost:
			t.Errorf("%s%v = %v, want %v to %v", tt.name, tt.labels, got, tt.atLeast, tt.atMost)
		}
	}

	for _, v := range f.LabelValues() {
		for _, secret := range []string{email, "@", demo.UpcomingSlug, token[1], "/no/such/page"} {
			if strings.Contains(v, secret) {
				t.Errorf("the label value %q carries %q", v, secret)
			}
		}
	}

	if err := srv.stop(t); err != nil {
		t.Errorf("serve returned %v after cancellation, want nil\n%s", err, srv.logs)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after serve stopped")
	}
}

// TestServeWithoutMetricsAddrServesNoMetrics checks that metrics are off
// by default: no listener of their own, and /metrics is not a page.
func TestServeWithoutMetricsAddrServesNoMetrics(t *testing.T) {
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	c.env["WORKER"] = "false"
	srv := c.serve(t)
	resp, err := http.Get(srv.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the main listener: %d, want 404", resp.StatusCode)
	}
	if err := srv.stop(t); err != nil {
		t.Errorf("serve: %v", err)
	}
	if addr := metricsAddr(t, srv.logs.String()); addr != "" {
		t.Errorf("metrics listen on %s without METRICS_ADDR", addr)
	}
}

// TestWorkerExposesMetricsOnItsOwnAddress runs `attend worker` alone with
// METRICS_ADDR: it serves its periodic jobs, the outbox and its database
// pool, and stops its listener with it.
func TestWorkerExposesMetricsOnItsOwnAddress(t *testing.T) {
	c := newCLI(t)
	smtp := smtptest.Start(t)
	c.env["METRICS_ADDR"] = "127.0.0.1:0"
	c.env["SMTP_URL"] = smtp.URL()
	c.must("migrate")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newLogWatcher()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"worker"}, c.getenv, strings.NewReader(""), io.Discard, logs) }()
	var addr string
	for deadline := time.Now().Add(60 * time.Second); addr == "" && time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("worker stopped: %v\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
		addr = metricsAddr(t, logs.String())
	}
	if addr == "" {
		t.Fatalf("the worker logged no metrics address\n%s", logs)
	}

	f := scrapeUntil(t, addr, func(f metricstest.Families) bool {
		n, _ := f.Value("attend_periodic_job_runs_total", map[string]string{"job": "delete_expired_sessions"})
		return n >= 1
	})
	for _, name := range []string{"attend_periodic_job_runs_total", "attend_periodic_job_duration_seconds",
		"attend_outbox_emails", "attend_outbox_oldest_due_age_seconds", "go_sql_open_connections"} {
		if _, ok := f.Value(name, nil); !ok {
			t.Errorf("%s is missing from the worker's scrape", name)
		}
	}
	for _, name := range []string{"attend_http_requests_total", "attend_registration_batch_size"} {
		if _, ok := f.Value(name, nil); ok {
			t.Errorf("the worker reports %s; it serves no requests", name)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("worker returned %v after cancellation, want nil\n%s", err, logs)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after the worker stopped")
	}
}

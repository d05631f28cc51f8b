package main

import (
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// unusedDatabase is a DATABASE_URL whose server only counts the connections
// made to it (and drops them), so a test can tell whether a command tried
// to connect.
func unusedDatabase(t *testing.T) (url string, connections *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	connections = new(atomic.Int64)
	go func() {
		for {
			conn, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				connections.Add(1)
				conn.Close()
			}
		}
	}()
	return "postgres://attend@" + ln.Addr().String() + "/attend?sslmode=disable&connect_timeout=5", connections
}

// TestStartReportsEverySettingProblemBeforeConnecting: a start with bad
// settings names all of them in one line and never reaches the database.
// Before, serve connected first and only then found SMTP_URL missing or
// malformed, or HTTP_ADDR unusable, one problem per attempt.
func TestStartReportsEverySettingProblemBeforeConnecting(t *testing.T) {
	tests := []struct {
		name    string
		command string
		env     map[string]string
		want    []string // the variables the error must name
	}{
		{"serve without SMTP_URL", "serve", nil, []string{"SMTP_URL"}},
		{"serve with a malformed SMTP_URL", "serve", map[string]string{"SMTP_URL": "smtp//mail.example.org"}, []string{"SMTP_URL"}},
		{"serve with an SMTP_URL of another scheme", "serve", map[string]string{"SMTP_URL": "http://mail.example.org"}, []string{"SMTP_URL"}},
		{"serve with an HTTP_ADDR without a port", "serve", map[string]string{"SMTP_URL": "smtp://127.0.0.1:1025", "HTTP_ADDR": "8080"}, []string{"HTTP_ADDR"}},
		{"worker without SMTP_URL, though WORKER=false", "worker", map[string]string{"WORKER": "false"}, []string{"SMTP_URL"}},
		{"serve with five problems", "serve", map[string]string{
			"SECRET_KEY":      "short",
			"HTTP_ADDR":       "localhost",
			"MAIL_FROM":       "attend noreply",
			"TRUSTED_PROXIES": "proxy.internal",
		}, []string{"SECRET_KEY", "HTTP_ADDR", "MAIL_FROM", "TRUSTED_PROXIES", "SMTP_URL"}},
		{"demo with a malformed SMTP_URL", "demo", map[string]string{"SMTP_URL": "smtps://mail.example.org?starttls=required"}, []string{"SMTP_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is one error naming "+strings.Join(tt.want, ", "), func(t *testing.T) {
			dbURL, connections := unusedDatabase(t)
			c := &cli{t: t, env: map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": testSecret}}
			for k, v := range tt.env {
				c.env[k] = v
			}
			_, _, err := c.run(tt.command)
			if err == nil {
				t.Fatal("succeeded")
			}
			msg := err.Error()
			for _, name := range tt.want {
				if !strings.Contains(msg, name) {
					t.Errorf("error %q does not name %s", msg, name)
				}
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error %q spans lines", msg)
			}
			if n := connections.Load(); n != 0 {
				t.Errorf("%s connected to the database %d times before reporting its settings: %v", tt.command, n, err)
			}
		})
	}
}

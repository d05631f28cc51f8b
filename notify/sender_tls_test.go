package notify

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/smtptest"
)

// sendOne sends one email with the settings of rawURL, trusting srv's
// certificate, and returns the error for it.
func sendOne(t *testing.T, srv *smtptest.Server, rawURL string) error {
	t.Helper()
	cfg, err := ParseSMTPURL(rawURL)
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", rawURL, err)
	}
	s, err := NewSender(cfg, SenderOptions{
		From: "attend <noreply@attend.example.org>", DialTimeout: time.Second, CommandTimeout: time.Second,
		HELOName: "attend.test", RootCAs: srv.RootCAs(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.SendBatch(context.Background(), []Email{plainEmail("a@example.org")})[0]
}

func TestSMTPWithoutSTARTTLSGetsNoMailUnlessTurnedOffByName(t *testing.T) {
	tests := []struct {
		name string
		opts smtptest.Options
		url  func(addr string) string
	}{
		{"a default smtp:// URL", smtptest.Options{},
			func(addr string) string { return "smtp://" + addr }},
		{"a default smtp:// URL with a login, to a server that offers it in clear",
			smtptest.Options{Auth: []string{"CRAM-MD5", "PLAIN"}, AuthWithoutTLS: true, Username: "user", Password: "secret"},
			func(addr string) string { return "smtp://user:secret@" + addr }},
		{"starttls=required", smtptest.Options{},
			func(addr string) string { return "smtp://" + addr + "?starttls=required" }},
	}
	for _, tt := range tests {
		t.Run(tt.name+" refuses to send", func(t *testing.T) {
			srv := smtptest.StartWith(t, tt.opts)
			err := sendOne(t, srv, tt.url(srv.Addr()))
			if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
				t.Errorf("err = %v, want a refusal naming STARTTLS", err)
			}
			if IsPermanent(err) {
				t.Errorf("err = %v is permanent; a server may yet be fixed", err)
			}
			if got := srv.Messages(); len(got) != 0 {
				t.Errorf("the server got %d messages in clear", len(got))
			}
			if got := srv.AuthAttempts(); len(got) != 0 {
				t.Errorf("the client tried to log in with %v in clear", got)
			}
		})
	}

	t.Run("starttls=off sends in clear", func(t *testing.T) {
		srv := smtptest.Start(t)
		if err := sendOne(t, srv, "smtp://"+srv.Addr()+"?starttls=off"); err != nil {
			t.Fatal(err)
		}
		if got := srv.WaitFor(t, 1, time.Second); got[0].TLS {
			t.Errorf("the message came over TLS")
		}
	})
}

func TestSMTPLoginUsesOnlyTheNamedMechanism(t *testing.T) {
	all := []string{"PLAIN", "LOGIN", "CRAM-MD5"}
	tests := []struct {
		name    string
		offered []string
		query   string
		want    string // the mechanism used, or "" for no login and no mail
	}{
		{"no auth parameter means PLAIN", all, "", "PLAIN"},
		{"auth=plain", all, "?auth=plain", "PLAIN"},
		{"auth=login", all, "?auth=login", "LOGIN"},
		{"auth=cram-md5", all, "?auth=cram-md5", "CRAM-MD5"},
		{"PLAIN not offered: no fallback to CRAM-MD5", []string{"CRAM-MD5"}, "", ""},
		{"CRAM-MD5 not offered: no fallback to PLAIN", []string{"PLAIN", "LOGIN"}, "?auth=cram-md5", ""},
		{"SCRAM-SHA-256 not offered: no fallback at all", all, "?auth=scram-sha-256", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.StartWith(t, smtptest.Options{STARTTLS: true, Auth: tt.offered, Username: "user", Password: "s3cret"})
			err := sendOne(t, srv, srv.URL()+tt.query)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), "does not support SMTP AUTH") {
					t.Errorf("err = %v, want the named mechanism refused", err)
				}
				if got := srv.AuthAttempts(); len(got) != 0 {
					t.Errorf("the client tried %v", got)
				}
				if got := srv.Messages(); len(got) != 0 {
					t.Errorf("the server got %d messages after a login the settings did not name", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := srv.AuthAttempts(); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("login attempts %v, want only %s", got, tt.want)
			}
			m := srv.WaitFor(t, 1, time.Second)[0]
			if !m.TLS || m.Auth != tt.want {
				t.Errorf("message came with TLS %v, login %q; want TLS and %s", m.TLS, m.Auth, tt.want)
			}
		})
	}
}

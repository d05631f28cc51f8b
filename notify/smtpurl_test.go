package notify

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want SMTPConfig
	}{
		{"smtp defaults to port 587 and opportunistic STARTTLS", "smtp://mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSOpportunistic}},
		{"smtps defaults to port 465 with TLS from the start", "smtps://mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 465, ImplicitTLS: true, StartTLS: StartTLSOff}},
		{"an explicit port wins", "smtp://127.0.0.1:2525",
			SMTPConfig{Host: "127.0.0.1", Port: 2525, StartTLS: StartTLSOpportunistic}},
		{"user and password are URL-decoded", "smtp://no%2Dreply%40example.org:p%40ss%2Fw%3Ard@mail.example.org:587",
			SMTPConfig{Host: "mail.example.org", Port: 587, Username: "no-reply@example.org", Password: "p@ss/w:rd", StartTLS: StartTLSOpportunistic}},
		{"a user without a password", "smtps://apikey@mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 465, Username: "apikey", ImplicitTLS: true, StartTLS: StartTLSOff}},
		{"starttls=required", "smtp://mail.example.org?starttls=required",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSRequired}},
		{"starttls=off", "smtp://localhost:1025?starttls=off",
			SMTPConfig{Host: "localhost", Port: 1025, StartTLS: StartTLSOff}},
		{"starttls is case-insensitive", "smtp://mail.example.org?starttls=Opportunistic",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSOpportunistic}},
		{"an IPv6 host", "smtp://[::1]:25",
			SMTPConfig{Host: "::1", Port: 25, StartTLS: StartTLSOpportunistic}},
		{"a trailing slash is harmless", "smtp://mail.example.org/",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSOpportunistic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.raw)
			if err != nil {
				t.Fatalf("ParseSMTPURL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("ParseSMTPURL(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLRejectsBadValues(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"an unknown scheme", "http://mail.example.org", `SMTP_URL: unknown scheme "http"`},
		{"no scheme", "mail.example.org:587", "SMTP_URL: "},
		{"no host", "smtp://", "SMTP_URL: missing host"},
		{"no host but a port", "smtp://:587", "SMTP_URL: missing host"},
		{"a port that is not a number", "smtp://mail.example.org:abc", "SMTP_URL: not a valid URL"},
		{"a port out of range", "smtp://mail.example.org:70000", `SMTP_URL: invalid port "70000"`},
		{"port zero", "smtp://mail.example.org:0", `SMTP_URL: invalid port "0"`},
		{"an empty port", "smtp://mail.example.org:", "SMTP_URL: empty port"},
		{"an invalid starttls", "smtp://mail.example.org?starttls=always", `SMTP_URL: invalid starttls "always"`},
		{"starttls on smtps", "smtps://mail.example.org?starttls=required", "SMTP_URL: invalid starttls for smtps"},
		{"starttls twice", "smtp://mail.example.org?starttls=off&starttls=required", "SMTP_URL: starttls given 2 times"},
		{"an unknown parameter", "smtp://mail.example.org?insecure=true", `SMTP_URL: unknown parameter "insecure"`},
		{"a path", "smtp://mail.example.org/inbox", `SMTP_URL: unexpected path "/inbox"`},
		{"a password without a user", "smtp://:secret@mail.example.org", "SMTP_URL: password given without a user name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSMTPURL(tt.raw)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParseSMTPURL(%q) error = %v, want it to start with %q", tt.raw, err, tt.want)
			}
		})
	}
}

func TestParseSMTPURLErrorsDoNotLeakThePassword(t *testing.T) {
	_, err := ParseSMTPURL("smtp://user:hunter2@mail.example.org:99999")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error = %v; want an error without the password", err)
	}
}

func TestSMTPConfigStringRedactsThePassword(t *testing.T) {
	cfg, err := ParseSMTPURL("smtp://user:hunter2@mail.example.org?starttls=required")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.String()
	if strings.Contains(got, "hunter2") || got != "smtp://user:redacted@mail.example.org:587?starttls=required" {
		t.Errorf("String() = %q", got)
	}
}

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
		{"smtp defaults to port 587 and required STARTTLS", "smtp://mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSRequired}},
		{"smtps defaults to port 465 with TLS from the start", "smtps://mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 465, ImplicitTLS: true, StartTLS: StartTLSOff}},
		{"an explicit port wins", "smtp://127.0.0.1:2525",
			SMTPConfig{Host: "127.0.0.1", Port: 2525, StartTLS: StartTLSRequired}},
		{"user and password are URL-decoded, and log in with PLAIN", "smtp://no%2Dreply%40example.org:p%40ss%2Fw%3Ard@mail.example.org:587",
			SMTPConfig{Host: "mail.example.org", Port: 587, Username: "no-reply@example.org", Password: "p@ss/w:rd",
				Auth: AuthPlain, StartTLS: StartTLSRequired}},
		{"a user without a password", "smtps://apikey@mail.example.org",
			SMTPConfig{Host: "mail.example.org", Port: 465, Username: "apikey", Auth: AuthPlain, ImplicitTLS: true, StartTLS: StartTLSOff}},
		{"auth names the mechanism", "smtp://u:p@mail.example.org?auth=cram-md5",
			SMTPConfig{Host: "mail.example.org", Port: 587, Username: "u", Password: "p", Auth: AuthCRAMMD5, StartTLS: StartTLSRequired}},
		{"auth is case-insensitive, and goes with smtps", "smtps://u:p@mail.example.org?auth=SCRAM-SHA-256",
			SMTPConfig{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", Auth: AuthSCRAMSHA256, ImplicitTLS: true, StartTLS: StartTLSOff}},
		{"auth with an explicit starttls=required", "smtp://u:p@mail.example.org?starttls=required&auth=login",
			SMTPConfig{Host: "mail.example.org", Port: 587, Username: "u", Password: "p", Auth: AuthLogin, StartTLS: StartTLSRequired}},
		{"starttls=required", "smtp://mail.example.org?starttls=required",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSRequired}},
		{"starttls=off", "smtp://localhost:1025?starttls=off",
			SMTPConfig{Host: "localhost", Port: 1025, StartTLS: StartTLSOff}},
		{"starttls is case-insensitive", "smtp://mail.example.org?starttls=OFF",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSOff}},
		{"an IPv6 host", "smtp://[::1]:25",
			SMTPConfig{Host: "::1", Port: 25, StartTLS: StartTLSRequired}},
		{"a trailing slash is harmless", "smtp://mail.example.org/",
			SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSRequired}},
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
		{"opportunistic STARTTLS, which sends in clear when it is missing", "smtp://mail.example.org?starttls=opportunistic",
			"SMTP_URL: starttls=opportunistic is not supported"},
		{"a login with starttls=off", "smtp://user:secret@mail.example.org?starttls=off",
			"SMTP_URL: a user name with starttls=off would send the login in clear"},
		{"a login with starttls=off, whatever the mechanism", "smtp://user:secret@mail.example.org?starttls=off&auth=cram-md5",
			"SMTP_URL: a user name with starttls=off would send the login in clear"},
		{"an unknown auth", "smtp://user:secret@mail.example.org?auth=ntlm", `SMTP_URL: invalid auth "ntlm", want one of plain, login,`},
		{"auth without a user", "smtp://mail.example.org?auth=plain", "SMTP_URL: auth given without a user name"},
		{"auth twice", "smtp://u:p@mail.example.org?auth=plain&auth=login", "SMTP_URL: auth given 2 times"},
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
	if strings.Contains(got, "hunter2") || got != "smtp://user:redacted@mail.example.org:587?starttls=required&auth=plain" {
		t.Errorf("String() = %q", got)
	}
}

package main

import (
	"net/url"
	"testing"

	"github.com/attend/attend/config"
)

func TestMailHostIsTheSendersDomain(t *testing.T) {
	site := &url.URL{Scheme: "https", Host: "attend.example.org:8443"}
	tests := []struct {
		name, from, want string
	}{
		{"the domain of MAIL_FROM", "attend <noreply@attend.example.org>", "attend.example.org"},
		{"a bare address's domain", "noreply@mail.example.uz", "mail.example.uz"},
		{"BASE_URL's host when MAIL_FROM has no domain", "attend <noreply@>", "attend.example.org"},
		{"BASE_URL's host when MAIL_FROM is not an address", "attend", "attend.example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mailHost(config.Config{MailFrom: tt.from, BaseURL: site}); got != tt.want {
				t.Errorf("mailHost(%q) = %q, want %q", tt.from, got, tt.want)
			}
		})
	}
}

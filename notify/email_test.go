package notify

import (
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

func TestMessageIDIsUniqueAndWellFormed(t *testing.T) {
	form := regexp.MustCompile(`^<[a-z2-7]{26}@example\.org>$`)
	seen := make(map[string]bool)
	for range 1000 {
		id := MessageID("example.org")
		if !form.MatchString(id) {
			t.Fatalf("MessageID = %q, want <26 base32 characters@example.org>", id)
		}
		if seen[id] {
			t.Fatalf("MessageID repeated %q", id)
		}
		seen[id] = true
	}
}

func TestMessageIDCleansTheHost(t *testing.T) {
	tests := map[string]string{
		"Example.ORG":            "@example.org>",
		"evil.org>\r\nBcc: x@y":  "@evil.orgbccxy>",
		"":                       "@localhost>",
		"..":                     "@localhost>",
		"mail.example.org:25":    "@mail.example.org25>",
		"attend.example.org\n\n": "@attend.example.org>",
	}
	for host, suffix := range tests {
		if id := MessageID(host); !strings.HasSuffix(id, suffix) {
			t.Errorf("MessageID(%q) = %q, want suffix %q", host, id, suffix)
		}
	}
}

func TestBuildPacksARenderedEmail(t *testing.T) {
	r := newTestRenderer(t)
	to := mail.Address{Name: "Рустам Касимов", Address: "rustam@example.uz"}
	id := MessageID("attend.example.org")
	e, err := r.Build(KindConfirmed, "ru", tashkentWorkshop(), id, to)
	if err != nil {
		t.Fatal(err)
	}
	if e.MessageID != id || e.To != to || e.Lang != "ru" || e.Subject == "" || e.Text == "" || e.HTML == "" {
		t.Errorf("Build = %+v", e)
	}
	if len(e.Inline) != 1 || len(e.Attachments) != 1 {
		t.Errorf("want the QR image and the .ics file, got %d inline, %d attachments", len(e.Inline), len(e.Attachments))
	}
	if _, err := r.Build(KindConfirmed, "ru", tashkentWorkshop(), "", to); err == nil {
		t.Errorf("Build without a Message-ID should fail")
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds() {
		if got, err := ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseKind("newsletter"); err == nil {
		t.Errorf("ParseKind accepted an unknown kind")
	}
}

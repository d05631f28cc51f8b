package notify

import (
	"bytes"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
)

// FuzzHeaders builds messages whose recipient name and subject are arbitrary
// bytes: whatever they hold, the message must keep exactly the headers attend
// sets — no name or subject may add one (no Bcc, no second To).
func FuzzHeaders(f *testing.F) {
	f.Add("Рустам Касимов", "Подтвердите регистрацию")
	f.Add("Oʻktam Ergashev", "Roʻyxatdan oʻtishni tasdiqlang")
	f.Add("Evil\r\nBcc: victim@example.org", "Hi\r\n\r\nbody")
	f.Add("a\nTo: x@y", "=?utf-8?q?=0D=0ABcc:_x@y?=")
	f.Add("\"quoted\" <inner@example.org>", "\x00\x7f")
	s, err := NewSender(SMTPConfig{Host: "127.0.0.1", Port: 25}, SenderOptions{From: "attend <noreply@example.org>"})
	if err != nil {
		f.Fatal(err)
	}
	allowed := map[string]bool{
		"From": true, "To": true, "Subject": true, "Date": true, "Message-Id": true,
		"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
		"Auto-Submitted": true, "X-Auto-Response-Suppress": true, "Content-Language": true,
	}
	f.Fuzz(func(t *testing.T, name, subject string) {
		m, err := s.message(Email{
			MessageID: "<fuzz@example.org>",
			To:        mail.Address{Name: name, Address: "participant@example.org"},
			Subject:   subject,
			Text:      "text",
			HTML:      "<p>html</p>",
		})
		if err != nil {
			t.Fatalf("message: %v", err)
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatalf("write: %v", err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("generated message does not parse: %v", err)
		}
		for key, values := range msg.Header {
			if !allowed[textproto.CanonicalMIMEHeaderKey(key)] {
				t.Fatalf("unexpected header %q added (name %q, subject %q)", key, name, subject)
			}
			if len(values) != 1 {
				t.Fatalf("header %q appears %d times", key, len(values))
			}
		}
		// net/mail is stricter than mail clients about a backslash inside an
		// encoded word, so check the address itself rather than a full parse.
		if to := msg.Header.Get("To"); !strings.HasSuffix(to, "<participant@example.org>") {
			t.Fatalf("To header changed: %q", to)
		}
	})
}

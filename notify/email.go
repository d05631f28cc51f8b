package notify

import (
	"crypto/rand"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Email is one message ready for Sender: everything but the sender's own
// addresses, which the Sender adds.
type Email struct {
	// MessageID is the Message-ID header value, "<random@host>" (the angle
	// brackets may be left off). Make it once with MessageID when the email
	// is queued and store it, so that a retry after an ambiguous failure
	// carries the same id and receiving systems can tell it is the same
	// message.
	MessageID string
	To        mail.Address
	Subject   string
	Text      string
	HTML      string
	// Lang becomes the Content-Language header; optional.
	Lang        string
	Attachments []Attachment
	Inline      []Attachment
	// Date is the Date header; zero means the moment of sending.
	Date time.Time
	// ListUnsubscribe is the https URL of the List-Unsubscribe header,
	// which organizer messages carry with List-Unsubscribe-Post for a
	// one-click unsubscribe (RFC 8058); empty (transactional email) sends
	// neither header.
	ListUnsubscribe string
}

// MessageID returns a new, globally unique Message-ID header value,
// "<26 random base32 characters@host>" (128 random bits). host should be a
// domain the service controls, such as the From address's; characters that
// may not appear in a domain are dropped, and an empty result becomes
// "localhost".
func MessageID(host string) string {
	var clean strings.Builder
	for _, r := range strings.ToLower(host) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			clean.WriteRune(r)
		}
	}
	h := strings.Trim(clean.String(), ".-")
	if h == "" {
		h = "localhost"
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + h + ">"
}

// Build renders a notification and packs it into an Email for to, with the
// Message-ID stored when it was queued. The Date is left for the Sender to
// set at the moment of sending.
func (r *Renderer) Build(kind Kind, lang string, d Data, messageID string, to mail.Address) (Email, error) {
	if messageID == "" {
		return Email{}, fmt.Errorf("notify: build %s: empty Message-ID", kind)
	}
	out, err := r.Render(kind, lang, d)
	if err != nil {
		return Email{}, err
	}
	return Email{
		MessageID:   messageID,
		To:          to,
		Subject:     out.Subject,
		Text:        out.Text,
		HTML:        out.HTML,
		Lang:        out.Lang,
		Attachments: out.Attachments,
		Inline:      out.Inline,
	}, nil
}

//go:build linux

package chaos

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/internal/smtptest"
)

// delivered is one message the SMTP server accepted, as the checks see it.
type delivered struct {
	MessageID string // without angle brackets, as stored in emails.message_id
	To        string // the envelope recipient
	Raw       []byte
}

// deliveredMail parses every message the server has accepted so far.
func deliveredMail(t *testing.T, s *smtptest.Server) []delivered {
	t.Helper()
	msgs := s.Messages()
	out := make([]delivered, 0, len(msgs))
	for _, m := range msgs {
		pm, err := m.Parse()
		if err != nil {
			t.Fatalf("a delivered message does not parse: %v", err)
		}
		d := delivered{MessageID: strings.Trim(pm.Header.Get("Message-Id"), "<> "), Raw: m.Raw}
		if len(m.To) > 0 {
			d.To = strings.ToLower(m.To[0])
		}
		out = append(out, d)
	}
	return out
}

// byMessageID counts deliveries per Message-ID.
func byMessageID(ds []delivered) map[string]int {
	out := map[string]int{}
	for _, d := range ds {
		out[d.MessageID]++
	}
	return out
}

// deliveryCheck compares the outbox with what arrived: every row was
// delivered, nothing arrived that has no row, and each Message-ID arrived
// at most allowed(row) times. It returns the number of extra deliveries.
func deliveryCheck(t *testing.T, rows []emailRow, ds []delivered, allowed func(emailRow) int) (duplicates int) {
	t.Helper()
	got := byMessageID(ds)
	known := map[string]bool{}
	for _, r := range rows {
		known[r.MessageID] = true
		n := got[r.MessageID]
		switch {
		case r.Status == "sent" && n == 0:
			t.Errorf("email %d (%s to %s) is marked sent but never arrived", r.ID, r.Kind, r.Recipient)
		case n > allowed(r):
			t.Errorf("email %d (%s to %s) arrived %d times, at most %d allowed", r.ID, r.Kind, r.Recipient, n, allowed(r))
		}
		if n > 1 {
			duplicates += n - 1
		}
	}
	for id, n := range got {
		if !known[id] {
			t.Errorf("%d messages with Message-ID %q arrived that no outbox row has", n, id)
		}
	}
	return duplicates
}

// onceEach allows every email to arrive exactly once.
func onceEach(emailRow) int { return 1 }

var linkPattern = regexp.MustCompile(`/r/([A-Za-z0-9_-]{43})`)

// linkToken digs the registration's link token out of a delivered email's
// text, decoding its MIME parts as a mail client would.
func linkToken(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	var texts []string
	collectText(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &texts)
	for _, s := range texts {
		if sub := linkPattern.FindStringSubmatch(s); sub != nil {
			return sub[1]
		}
	}
	t.Fatalf("no link token in the message")
	return ""
}

func collectText(contentType, encoding string, body io.Reader, out *[]string) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err != nil {
				return
			}
			collectText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, out)
		}
	}
	if !strings.HasPrefix(mt, "text/") {
		return
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	if b, err := io.ReadAll(body); err == nil {
		*out = append(*out, string(b))
	}
}

// arrivals records when each recipient's first message arrived, by
// watching the SMTP server every 10ms, for latency checks.
type arrivals struct {
	mu    sync.Mutex
	first map[string]time.Time
	stop  chan struct{}
	done  chan struct{}
}

func watchArrivals(t *testing.T, s *smtptest.Server) *arrivals {
	a := &arrivals{first: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		seen := 0
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			msgs := s.Messages()
			now := time.Now()
			a.mu.Lock()
			for _, m := range msgs[seen:] {
				if len(m.To) > 0 {
					to := strings.ToLower(m.To[0])
					if _, ok := a.first[to]; !ok {
						a.first[to] = now
					}
				}
			}
			a.mu.Unlock()
			seen = len(msgs)
			select {
			case <-a.stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(a.close)
	return a
}

func (a *arrivals) close() {
	select {
	case <-a.stop:
	default:
		close(a.stop)
	}
	<-a.done
}

// len is how many recipients have had a message.
func (a *arrivals) len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.first)
}

func (a *arrivals) at(recipient string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ts, ok := a.first[strings.ToLower(recipient)]
	return ts, ok
}

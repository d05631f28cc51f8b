package smtptest

import (
	"errors"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"
)

const body = "From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nHello.\r\n"

// send delivers one message with the standard library's client, so the
// server is checked against an implementation other than the one the
// application uses.
func send(t *testing.T, addr string, timeout time.Duration) error {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		t.Fatalf("deadline: %v", err)
	}
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		return err
	}
	if err := c.Mail("a@example.org"); err != nil {
		return err
	}
	if err := c.Rcpt("b@example.org"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestServerStoresAcceptedMessages(t *testing.T) {
	s := Start(t)
	if err := send(t, s.Addr(), 2*time.Second); err != nil {
		t.Fatalf("send: %v", err)
	}
	msgs := s.WaitFor(t, 1, time.Second)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "a@example.org" || len(m.To) != 1 || m.To[0] != "b@example.org" {
		t.Errorf("envelope = %q -> %q", m.From, m.To)
	}
	parsed, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if got := parsed.Header.Get("Subject"); got != "hi" {
		t.Errorf("Subject = %q", got)
	}
	if s.Connections() != 1 {
		t.Errorf("Connections() = %d, want 1", s.Connections())
	}
	if !strings.HasPrefix(s.URL(), "smtp://127.0.0.1:") || !strings.HasSuffix(s.URL(), "?starttls=off") {
		t.Errorf("URL() = %q", s.URL())
	}
}

func TestServerRejectsInFailureModes(t *testing.T) {
	tests := []struct {
		mode Mode
		code int
	}{
		{ModeTempFail, 451},
		{ModePermFail, 550},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String()+" answers "+strconv.Itoa(tt.code), func(t *testing.T) {
			s := Start(t)
			s.SetMode(tt.mode)
			err := send(t, s.Addr(), 2*time.Second)
			if got := replyCode(err); got != tt.code {
				t.Fatalf("reply code = %d (err %v), want %d", got, err, tt.code)
			}
			if n := len(s.Messages()); n != 0 {
				t.Errorf("stored %d messages, want 0", n)
			}
		})
	}
}

func TestServerStallsUntilTheClientGivesUp(t *testing.T) {
	s := Start(t)
	s.SetMode(ModeStall)
	start := time.Now()
	err := send(t, s.Addr(), 300*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s", elapsed)
	}
}

func TestServerDropsTheConnectionOnceWhenQueued(t *testing.T) {
	s := Start(t)
	s.QueueModes(ModeDrop)
	if err := send(t, s.Addr(), 2*time.Second); err == nil || replyCode(err) != 0 {
		t.Fatalf("first send: err = %v, want a connection error", err)
	}
	if err := send(t, s.Addr(), 2*time.Second); err != nil {
		t.Fatalf("second send: %v", err)
	}
	if n := len(s.WaitFor(t, 1, time.Second)); n != 1 {
		t.Errorf("stored %d messages, want 1", n)
	}
	if s.Connections() != 2 {
		t.Errorf("Connections() = %d, want 2", s.Connections())
	}
}

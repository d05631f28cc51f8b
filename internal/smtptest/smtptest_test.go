package smtptest

import (
	"crypto/tls"
	"errors"
	"fmt"
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

// TestServerDropsTheConnectionOnceWhenQueued: a queued drop, after the
// message or at the recipient, ends one connection without a reply; the
// next connection delivers.
func TestServerDropsTheConnectionOnceWhenQueued(t *testing.T) {
	for _, mode := range []Mode{ModeDrop, ModeDropAtRcpt} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			s := Start(t)
			s.QueueModes(mode)
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
		})
	}
}

func TestServerOffersSTARTTLSAndChecksTheLogin(t *testing.T) {
	tests := []struct {
		name     string
		auth     smtp.Auth
		wantCode int // of AUTH; 0: accepted
	}{
		{"PLAIN", smtp.PlainAuth("", "user", "s3cret", "127.0.0.1"), 0},
		{"CRAM-MD5", smtp.CRAMMD5Auth("user", "s3cret"), 0},
		{"PLAIN with a wrong password", smtp.PlainAuth("", "user", "wrong", "127.0.0.1"), 535},
		{"CRAM-MD5 with a wrong password", smtp.CRAMMD5Auth("user", "wrong"), 535},
		{"CRAM-MD5 with a wrong user", smtp.CRAMMD5Auth("someone", "s3cret"), 535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartWith(t, Options{STARTTLS: true, Auth: []string{"PLAIN", "CRAM-MD5"}, Username: "user", Password: "s3cret"})
			if u := s.URL(); u != "smtp://user:s3cret@"+s.Addr() {
				t.Errorf("URL() = %q", u)
			}
			c, err := smtp.Dial(s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Hello("client.test"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := c.Extension("AUTH"); ok {
				t.Errorf("AUTH offered before STARTTLS")
			}
			if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: s.RootCAs()}); err != nil {
				t.Fatalf("STARTTLS with the server's own roots: %v", err)
			}
			if ok, mechs := c.Extension("AUTH"); !ok || mechs != "PLAIN CRAM-MD5" {
				t.Errorf("AUTH after STARTTLS = %v %q", ok, mechs)
			}
			if err := c.Mail("a@example.org"); replyCode(err) != 530 {
				t.Errorf("MAIL before a login: %v, want 530", err)
			}
			err = c.Auth(tt.auth)
			if got := replyCode(err); got != tt.wantCode || (tt.wantCode == 0 && err != nil) {
				t.Fatalf("AUTH: %v, want code %d", err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				return
			}
			if err := c.Mail("a@example.org"); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("b@example.org"); err != nil {
				t.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(w, body); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			m := s.WaitFor(t, 1, time.Second)[0]
			mech, _, _ := strings.Cut(tt.name, " ")
			if !m.TLS || m.Auth != mech {
				t.Errorf("message TLS %v, login %q; want TLS and %s", m.TLS, m.Auth, mech)
			}
			if got := s.AuthAttempts(); len(got) != 1 || got[0] != mech {
				t.Errorf("AuthAttempts() = %v", got)
			}
		})
	}
}

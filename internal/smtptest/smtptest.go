// Package smtptest runs a real SMTP server inside a test process, so that
// code which sends mail is tested against the protocol rather than a mock.
// Faults (temporary and permanent rejections, a stalled server, a dropped
// connection) can be switched on while a test runs.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mode is how the server treats the next transactions.
type Mode int

const (
	// ModeAccept stores every message.
	ModeAccept Mode = iota
	// ModeTempFail answers RCPT with 451, a temporary failure.
	ModeTempFail
	// ModePermFail answers RCPT with 550, a permanent failure.
	ModePermFail
	// ModeStall stops answering at MAIL: the client's command timeout is
	// what ends the wait. The server is released when it closes.
	ModeStall
	// ModeDrop reads the whole message after DATA and then closes the
	// connection without a reply, as a crashing server would.
	ModeDrop
	// ModeDropAtRcpt closes the connection when the recipient is given,
	// without a reply. Over TLS the close is a clean end of the TLS session
	// (close_notify), which the client's TLS layer reports as end of file
	// from then on without reading the socket again.
	ModeDropAtRcpt
)

func (m Mode) String() string {
	switch m {
	case ModeAccept:
		return "accept"
	case ModeTempFail:
		return "tempfail"
	case ModePermFail:
		return "permfail"
	case ModeStall:
		return "stall"
	case ModeDrop:
		return "drop"
	case ModeDropAtRcpt:
		return "drop at rcpt"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Message is one message the server accepted.
type Message struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	Raw  []byte   // the message as received, headers and body
	TLS  bool     // whether it came over TLS (after STARTTLS)
	Auth string   // the SASL mechanism the client logged in with, or ""
}

// Parse reads the received message's headers; its Body reads the rest.
func (m Message) Parse() (*mail.Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return nil, fmt.Errorf("smtptest: parse message: %w", err)
	}
	return msg, nil
}

// Server is a running test SMTP server on 127.0.0.1.
type Server struct {
	srv     *smtp.Server
	addr    string
	opts    Options
	rootCAs *x509.CertPool
	done    chan struct{} // closed at shutdown, releases stalled sessions

	mu           sync.Mutex
	mode         Mode
	queued       []Mode // modes for the next transactions, before mode applies
	messages     []Message
	connections  int
	authAttempts []string
	arrived      chan struct{} // closed and replaced whenever a message arrives
}

// Start runs a server on a free loopback port until the test ends: plain
// SMTP, no STARTTLS, no login.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith runs a server that offers what opts says.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	for _, m := range opts.Auth {
		if !mechanisms[m] {
			t.Fatalf("smtptest: cannot offer AUTH %s", m)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{addr: l.Addr().String(), opts: opts, done: make(chan struct{}), arrived: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.srv.Domain = "smtptest.localhost"
	if opts.STARTTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.rootCAs = pool
	}
	s.srv.AllowInsecureAuth = opts.AuthWithoutTLS
	logger := &testLogger{t: t}
	s.srv.ErrorLog = logger
	// Generous limits so that oversized test messages are not the failure.
	s.srv.MaxMessageBytes = 32 << 20
	s.srv.MaxRecipients = 100
	s.srv.EnableSMTPUTF8 = true

	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(countingListener{Listener: l, s: s}) }()
	t.Cleanup(func() {
		defer logger.stop()
		close(s.done)
		if err := s.srv.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtptest: close: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtptest: serve: %v", err)
		}
	})
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is an SMTP_URL for the server: with its user and password if it
// has them, and ?starttls=off unless it offers STARTTLS.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.opts.Username != "" {
		u.User = url.UserPassword(s.opts.Username, s.opts.Password)
	}
	if !s.opts.STARTTLS {
		u.RawQuery = "starttls=off"
	}
	return u.String()
}

// RootCAs trusts the server's certificate (nil without STARTTLS).
func (s *Server) RootCAs() *x509.CertPool { return s.rootCAs }

// AuthAttempts lists the SASL mechanisms clients tried to log in with, in
// order, whether or not the login succeeded.
func (s *Server) AuthAttempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authAttempts...)
}

// SetMode changes how the server treats transactions from now on. It also
// discards any modes queued with QueueModes.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
	s.queued = nil
}

// QueueModes makes the next transactions, one per mode in order, behave as
// given before the mode set with SetMode applies again: QueueModes(ModeDrop)
// drops one message's connection and no more.
func (s *Server) QueueModes(modes ...Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queued = append(s.queued, modes...)
}

// nextMode picks the mode for a transaction that is starting.
func (s *Server) nextMode() Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queued) > 0 {
		m := s.queued[0]
		s.queued = s.queued[1:]
		return m
	}
	return s.mode
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Connections is how many TCP connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// WaitFor waits until at least n messages have arrived and returns them; it
// fails the test if that takes longer than timeout.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, arrived := len(s.messages), s.arrived
		s.mu.Unlock()
		if got >= n {
			return s.Messages()
		}
		select {
		case <-arrived:
		case <-deadline.C:
			t.Fatalf("smtptest: got %d messages within %s, want %d", got, timeout, n)
			return nil
		}
	}
}

func (s *Server) store(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{server: s, conn: c}, nil
}

// session is one client's SMTP session.
type session struct {
	server *Server
	conn   *smtp.Conn
	auth   string // the mechanism of a successful login
	mode   Mode
	from   string
	to     []string
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(se.server.opts.Auth) > 0 && se.auth == "" {
		return errAuthRequired
	}
	se.mode = se.server.nextMode()
	if se.mode == ModeStall {
		<-se.server.done
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Shutting down"}
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch se.mode {
	case ModeTempFail:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	case ModePermFail:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	case ModeDropAtRcpt:
		if err := se.conn.Conn().Close(); err != nil {
			return fmt.Errorf("smtptest: drop connection: %w", err)
		}
		// The reply to this goes nowhere: the connection is closed.
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Closing"}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("smtptest: read message: %w", err)
	}
	if se.mode == ModeDrop {
		// Closing the socket (not just returning) means the client never
		// gets a reply to its final dot.
		if err := se.conn.Conn().Close(); err != nil {
			return fmt.Errorf("smtptest: drop connection: %w", err)
		}
		return nil
	}
	_, overTLS := se.conn.TLSConnectionState()
	se.server.store(Message{From: se.from, To: append([]string(nil), se.to...), Raw: raw, TLS: overTLS, Auth: se.auth})
	return nil
}

func (se *session) Reset() {
	se.from, se.to, se.mode = "", nil, ModeAccept
}

func (se *session) Logout() error { return nil }

// countingListener counts accepted connections, which is how tests check
// that a batch of messages shares one connection.
type countingListener struct {
	net.Listener
	s *Server
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.connections++
		l.s.mu.Unlock()
	}
	return c, err
}

// testLogger sends the server's internal error log to the test log until
// the test ends; connection goroutines can outlive the test by a moment, and
// logging to a finished test panics.
type testLogger struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

func (l *testLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l *testLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l *testLogger) log(msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.t.Log("smtptest: " + msg)
	}
}

func (l *testLogger) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
}

package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/attend/attend/metrics"
)

// ErrInvalidEmail marks an Email that can never be sent as it stands (no
// valid recipient, no Message-ID, no body). IsPermanent reports it as
// permanent, so the worker stops retrying it.
var ErrInvalidEmail = errors.New("invalid email")

// Default timeouts used when SenderOptions leaves them zero.
const (
	DefaultDialTimeout    = 10 * time.Second
	DefaultCommandTimeout = 30 * time.Second
)

// SenderOptions are the parts of sending that do not come from SMTP_URL.
type SenderOptions struct {
	// From is the author, e.g. "attend <noreply@example.org>".
	From string
	// ReplyTo, optional, is where replies go, e.g. the organizers' inbox.
	ReplyTo string
	// DialTimeout bounds opening the TCP connection (and the TLS handshake
	// for smtps). CommandTimeout bounds each step after that: the greeting,
	// EHLO, STARTTLS, AUTH, and each message's whole transaction.
	DialTimeout    time.Duration
	CommandTimeout time.Duration
	// HELOName is the name given in EHLO; empty means the machine's host name.
	HELOName string
	// RootCAs, when set, is the only trust for the server's certificate
	// instead of the system's roots: for a relay with a private CA, and for
	// tests against a server with a certificate of its own.
	RootCAs *x509.CertPool
	// Metrics times each message's SMTP transaction; nil times nothing.
	Metrics *metrics.Metrics
}

// Sender delivers Emails to one SMTP server. It holds no connection between
// calls, so one Sender can serve concurrent SendBatch calls, each with its
// own connection.
type Sender struct {
	cfg            SMTPConfig
	from           mail.Address
	replyTo        *mail.Address
	dialTimeout    time.Duration
	commandTimeout time.Duration
	helo           string
	rootCAs        *x509.CertPool
	metrics        *metrics.Metrics
}

// NewSender checks the configuration once, at start-up: the From and
// Reply-To addresses must parse, the timeouts must not be negative, and
// credentials are only ever sent over TLS, with the one mechanism named.
func NewSender(cfg SMTPConfig, opts SenderOptions) (*Sender, error) {
	if cfg.Host == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("notify: SMTP server %q port %d is not valid", cfg.Host, cfg.Port)
	}
	if cfg.StartTLS == "" && !cfg.ImplicitTLS {
		cfg.StartTLS = StartTLSRequired
	}
	if !cfg.ImplicitTLS && cfg.StartTLS != StartTLSRequired && cfg.StartTLS != StartTLSOff {
		return nil, fmt.Errorf("notify: STARTTLS mode %q is not valid, want required or off", cfg.StartTLS)
	}
	if cfg.Username != "" && !cfg.encrypted() {
		return nil, fmt.Errorf("notify: SMTP login needs TLS (smtps, or STARTTLS required); it is never sent in clear")
	}
	if cfg.Username != "" && cfg.Auth == "" {
		cfg.Auth = AuthPlain
	}
	if _, ok := goMailAuth[cfg.Auth]; !ok || (cfg.Auth != "" && cfg.Username == "") {
		return nil, fmt.Errorf("notify: SMTP auth %q is not valid without a user, or unknown", cfg.Auth)
	}
	if strings.ContainsAny(opts.From, "\r\n") || strings.ContainsAny(opts.ReplyTo, "\r\n") {
		return nil, fmt.Errorf("notify: From and Reply-To must be single lines")
	}
	from, err := mail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("notify: parse From %q: %w", opts.From, err)
	}
	s := &Sender{
		cfg: cfg, from: *from,
		dialTimeout: opts.DialTimeout, commandTimeout: opts.CommandTimeout, helo: opts.HELOName,
		rootCAs: opts.RootCAs, metrics: opts.Metrics,
	}
	if opts.ReplyTo != "" {
		replyTo, err := mail.ParseAddress(opts.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("notify: parse Reply-To %q: %w", opts.ReplyTo, err)
		}
		s.replyTo = replyTo
	}
	if s.dialTimeout < 0 || s.commandTimeout < 0 {
		return nil, fmt.Errorf("notify: SMTP timeouts must not be negative")
	}
	if s.dialTimeout == 0 {
		s.dialTimeout = DefaultDialTimeout
	}
	if s.commandTimeout == 0 {
		s.commandTimeout = DefaultCommandTimeout
	}
	return s, nil
}

// SendBatch sends emails over one SMTP connection and returns one error per
// email, in order: nil means the server accepted it. If the connection is
// lost mid-batch (closed or reset, not timed out) it reconnects once and
// goes on, resending the message that was in flight; that message may then
// arrive twice, which the shared Message-ID lets mail systems recognise. A
// timeout means the server has stalled, so the remaining emails fail
// without waiting for it again. Cancelling ctx closes the connection and
// fails what has not been sent. Use IsPermanent to tell which errors are
// worth retrying.
func (s *Sender) SendBatch(ctx context.Context, emails []Email) []error {
	return s.SendBatchFunc(ctx, emails, nil)
}

// SendBatchFunc is SendBatch that also calls accepted(i) as soon as the
// server has accepted emails[i], before the next message is sent, so the
// caller can record each delivery at once: a crash then leaves at most the
// one message in flight unrecorded, not the rest of the batch.
func (s *Sender) SendBatchFunc(ctx context.Context, emails []Email, accepted func(i int)) []error {
	errs := make([]error, len(emails))
	msgs := make([]*gomail.Msg, len(emails))
	pending := 0
	for i, e := range emails {
		m, err := s.message(e)
		if err != nil {
			errs[i] = err
			continue
		}
		msgs[i] = m
		pending++
	}
	if pending == 0 {
		return errs
	}

	failRest := func(from int, err error) {
		for j := from; j < len(msgs); j++ {
			if msgs[j] != nil && errs[j] == nil {
				errs[j] = fmt.Errorf("notify: send %s: %w", emails[j].MessageID, err)
			}
		}
	}

	conn, err := s.dial(ctx)
	if err != nil {
		failRest(0, err)
		return errs
	}
	defer func() { conn.close() }()

	reconnected := false
	for i, m := range msgs {
		if m == nil {
			continue
		}
		if ctx.Err() != nil {
			failRest(i, context.Cause(ctx))
			return errs
		}
		err := s.send(conn, m)
		if err != nil && conn.lost() && !conn.stalled() && !reconnected && ctx.Err() == nil {
			reconnected = true
			conn.abort()
			if conn, err = s.dial(ctx); err != nil {
				failRest(i, fmt.Errorf("reconnect after the connection was lost: %w", err))
				return errs
			}
			// A fresh message: go-mail's attachment readers are not rewound
			// after a write that failed half-way.
			if m, err = s.message(emails[i]); err == nil {
				err = s.send(conn, m)
			}
		}
		if err == nil && accepted != nil {
			accepted(i)
		}
		if err != nil {
			errs[i] = fmt.Errorf("notify: send %s: %w", emails[i].MessageID, err)
			if conn.lost() {
				cause := conn.failure()
				if ctx.Err() != nil {
					cause = context.Cause(ctx)
				}
				failRest(i+1, fmt.Errorf("connection lost: %w", cause))
				return errs
			}
		}
	}
	return errs
}

// IsPermanent reports whether err means the message will never be accepted
// as it is: the server answered with a 5xx reply for it, or the Email
// itself is invalid. Everything else (4xx replies, connection failures,
// timeouts, a refused login) is worth retrying later.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidEmail) {
		return true
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) {
		code := sendErr.ErrorCode()
		return code >= 500 && code <= 599
	}
	return false
}

// smtpConn is one SMTP session and the TCP connection underneath it.
type smtpConn struct {
	client *gomail.Client
	// session is go-mail's protocol client for this connection, used
	// directly for RSET: go-mail's own Reset does nothing under
	// WithoutRset, and its errors keep the cause out of reach of errors.Is.
	session *smtp.Client
	timeout time.Duration // for each command, as go-mail's own
	tcp     *trackedConn
	stop    func() bool // detaches the cancellation hook
}

func (s *Sender) dial(ctx context.Context) (*smtpConn, error) {
	c := &smtpConn{timeout: s.commandTimeout}
	tlsConfig := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs}
	// go-mail calls dialFunc synchronously from DialToSMTPClientWithContext.
	dialFunc := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.dialTimeout}
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.tcp = &trackedConn{Conn: raw}
		if !s.cfg.ImplicitTLS {
			return c.tcp, nil
		}
		// TLS sits on top of the tracked connection so that failures
		// underneath it are still seen.
		hctx, cancel := context.WithTimeout(ctx, s.dialTimeout)
		defer cancel()
		tc := tls.Client(c.tcp, tlsConfig)
		if err := tc.HandshakeContext(hctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		return tc, nil
	}

	// smtps: dialFunc has already done TLS. smtp: STARTTLS or no mail,
	// unless it was turned off by name.
	policy := gomail.NoTLS
	if !s.cfg.ImplicitTLS && s.cfg.StartTLS == StartTLSRequired {
		policy = gomail.TLSMandatory
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.commandTimeout),
		gomail.WithDialContextFunc(dialFunc),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(tlsConfig),
		// go-mail otherwise sends NOOP before every message, a round trip
		// of six per email to learn what the next command would: a lost
		// connection shows on MAIL FROM too, and SendBatchFunc reconnects.
		gomail.WithoutNoop(),
		// Nor RSET after every accepted message, another round trip of five
		// per email: the end of DATA ends the transaction, and the server
		// starts the next one afresh (RFC 5321, 4.1.1.4). A failed
		// transaction is still reset (by go-mail itself after a refused
		// MAIL or RCPT, by smtpConn.send otherwise).
		gomail.WithoutRset(),
	}
	if s.helo != "" {
		opts = append(opts, gomail.WithHELO(s.helo))
	}
	if s.cfg.Username != "" {
		// Only the named mechanism: go-mail's opportunistic mode falls back
		// to whatever the server offers (CRAM-MD5 over a plain connection
		// was seen). NewSender has made sure the session is over TLS.
		opts = append(opts, gomail.WithSMTPAuth(goMailAuth[s.cfg.Auth]),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP client for %s: %w", s.cfg.Addr(), err)
	}
	c.client = client
	// Every failed reply to a command passes here, whichever layer failed:
	// a failure that is not the server's answer (end of file, a reset, a
	// timeout, a garbled reply) means the session is over, even when the
	// socket itself reported nothing (crypto/tls after the server's
	// close_notify). The reply to the end of DATA does not pass here; the
	// RSET after a failed transaction (smtpConn.send) catches that one.
	client.ErrorHandlerRegistry.SetDefaultHandler(transportErrors{c})
	if c.session, err = client.DialToSMTPClientWithContext(ctx); err != nil {
		if c.tcp != nil {
			c.tcp.Close() // go-mail leaves the socket open when EHLO or AUTH fail
		}
		return nil, fmt.Errorf("notify: connect to SMTP server %s: %w", s.cfg.Addr(), err)
	}
	tcp := c.tcp
	c.stop = context.AfterFunc(ctx, func() { tcp.drop() })
	return c, nil
}

// send transmits one message. A message the server accepted counts as sent
// even if resetting the session afterwards fails.
func (c *smtpConn) send(m *gomail.Msg) error {
	err := c.client.SendWithSMTPClient(c.session, m)
	if m.IsDelivered() || err == nil {
		return nil
	}
	if se := (*gomail.SendError)(nil); errors.As(err, &se) && (se.Reason == gomail.ErrSMTPMailFrom || se.Reason == gomail.ErrSMTPRcptTo) {
		// go-mail has sent RSET itself after a refused MAIL or RCPT, through
		// the error handler that notices a lost connection.
		return err
	}
	if !c.lost() {
		// Leave the session clean for the next message whatever step
		// failed; if even that fails, the connection is no good. This is
		// also how a connection the server has closed is noticed when the
		// socket never reports it: over TLS, once the server has ended the
		// session, crypto/tls answers every read with end of file without
		// reading the socket again, and holding writes back (trackedConn)
		// keeps a write from failing either.
		if rerr := c.reset(); rerr != nil {
			c.tcp.fail(rerr)
		}
	}
	return err
}

// reset sends RSET, with a command timeout of its own: the failed
// transaction may have used up most of its time.
func (c *smtpConn) reset() error {
	if err := c.session.UpdateDeadline(c.timeout); err != nil {
		return err
	}
	if err := c.session.Reset(); err != nil {
		return fmt.Errorf("RSET: %w", err)
	}
	return nil
}

// send is c.send, timed by how the server dealt with the message.
func (s *Sender) send(c *smtpConn, m *gomail.Msg) error {
	start := time.Now()
	err := c.send(m)
	result := metrics.SMTPAccepted
	var reply *gomail.SendError
	switch {
	case err == nil:
	case errors.As(err, &reply) && reply.ErrorCode() >= 400:
		result = metrics.SMTPRefused
	default:
		result = metrics.SMTPError
	}
	s.metrics.SMTPSend(result, time.Since(start))
	return err
}

// transportErrors is a go-mail error handler that marks the connection lost
// on any error other than a reply from the server, and passes every error on.
type transportErrors struct{ c *smtpConn }

func (h transportErrors) HandleError(_, _ string, _ *textproto.Conn, err error) error {
	var reply *textproto.Error
	if !errors.As(err, &reply) && h.c.tcp != nil {
		h.c.tcp.fail(err)
	}
	return err
}

// lost reports whether the connection can no longer be used.
func (c *smtpConn) lost() bool { return c.tcp.failure() != nil }

// stalled reports whether the connection was lost to a timeout.
func (c *smtpConn) stalled() bool {
	var ne net.Error
	return errors.As(c.tcp.failure(), &ne) && ne.Timeout()
}

func (c *smtpConn) failure() error { return c.tcp.failure() }

// close ends the session politely when it is healthy and just drops it
// otherwise: a QUIT to a stalled server would wait out another timeout.
func (c *smtpConn) close() {
	c.stop()
	if !c.lost() {
		// The messages are already accepted; a failed QUIT changes nothing.
		if err := c.client.CloseWithSMTPClient(c.session); err != nil {
			c.tcp.fail(err)
		}
	}
	c.tcp.Close()
}

// abort drops the connection without a word to the server.
func (c *smtpConn) abort() {
	c.stop()
	c.tcp.drop()
}

// trackedConn remembers the first error the connection saw, which is how
// SendBatch tells a lost connection from a reply the server chose to give.
//
// It also holds back what is written until the client next reads, which in
// SMTP is when it waits for the server's reply: go-mail writes a message in
// 4 kB pieces, each a system call and a wake-up of the server, and a
// ticket now goes out in one. The bytes and their order are unchanged.
type trackedConn struct {
	net.Conn
	mu  sync.Mutex
	err error
	// outMu guards out. An SMTP session reads and writes from one goroutine
	// at a time; Close may come from another (a cancelled context), and
	// must not wait for a write to a stalled server.
	outMu sync.Mutex
	out   []byte // written but not yet sent
}

// flushAt is how much trackedConn holds back before sending it anyway.
const flushAt = 64 << 10

func (c *trackedConn) Read(p []byte) (int, error) {
	c.outMu.Lock()
	err := c.flush()
	c.outMu.Unlock()
	if err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	if err != nil {
		c.fail(err)
	}
	return n, err
}

func (c *trackedConn) Write(p []byte) (int, error) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if len(c.out)+len(p) > flushAt {
		if err := c.flush(); err != nil {
			return 0, err
		}
		if len(p) > flushAt {
			return c.write(p)
		}
	}
	c.out = append(c.out, p...)
	return len(p), nil
}

// Close sends what is held back (a TLS close_notify, say) and closes the
// connection: the polite end, from the goroutine that uses it.
func (c *trackedConn) Close() error {
	if c.outMu.TryLock() { // never wait for a write under way: drop it
		_ = c.flush() // a failure is recorded; the connection goes anyway
		c.outMu.Unlock()
	}
	return c.drop()
}

// drop closes the connection at once, without sending what is held back:
// for a cancellation, from any goroutine, which must not wait for a write
// to a server that has stopped reading.
func (c *trackedConn) drop() error {
	c.fail(net.ErrClosed)
	return c.Conn.Close()
}

// flush sends what Write held back; the caller holds outMu.
func (c *trackedConn) flush() error {
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.write(c.out)
	c.out = c.out[:0]
	return err
}

func (c *trackedConn) write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		c.fail(err)
	}
	return n, err
}

func (c *trackedConn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
	}
}

func (c *trackedConn) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// message turns an Email into a go-mail message, refusing what could never
// be delivered and removing line breaks from every header value so that no
// name or subject can add a header.
func (s *Sender) message(e Email) (*gomail.Msg, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("notify: email %s: %s: %w", e.MessageID, fmt.Sprintf(format, args...), ErrInvalidEmail)
	}
	id := strings.Trim(strings.TrimSpace(e.MessageID), "<>") // with or without brackets
	if id == "" || !strings.Contains(id, "@") || strings.ContainsAny(id, "<> \t\r\n") {
		return nil, invalid("Message-ID %q is not of the form <id@host>", e.MessageID)
	}
	addr := strings.TrimSpace(e.To.Address)
	if parsed, err := mail.ParseAddress(addr); err != nil || parsed.Address != addr {
		return nil, invalid("the recipient address is not valid")
	}
	if e.Text == "" && e.HTML == "" {
		return nil, invalid("no body")
	}

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from := s.from
	m.FromMailAddress(&from)
	m.AddToMailAddress(&mail.Address{Name: headerSafe(e.To.Name), Address: addr})
	if s.replyTo != nil {
		replyTo := *s.replyTo
		m.ReplyToMailAddress(&replyTo)
	}
	m.Subject(headerSafe(e.Subject))
	m.SetMessageIDWithValue(id)
	date := e.Date
	if date.IsZero() {
		date = time.Now()
	}
	m.SetDateWithValue(date)
	// Ask autoresponders (RFC 3834, and Exchange) not to answer.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF, AutoReply")
	if lang := headerSafe(e.Lang); lang != "" {
		m.SetGenHeader(gomail.HeaderContentLang, lang)
	}
	if u := headerSafe(e.ListUnsubscribe); u != "" && !strings.ContainsAny(u, "<> ") {
		m.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+u+">")
		m.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}

	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, e.HTML)
	}
	// Read seekers, not readers: go-mail copies a reader's bytes into a
	// buffer of its own first, and the Email keeps them anyway.
	for _, a := range e.Inline {
		m.EmbedReadSeeker(fileName(a.Filename), bytes.NewReader(a.Data),
			gomail.WithFileContentID("<"+headerSafe(a.ContentID)+">"),
			gomail.WithFileContentType(gomail.ContentType(headerSafe(a.ContentType))))
	}
	for _, a := range e.Attachments {
		m.AttachReadSeeker(fileName(a.Filename), bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(headerSafe(a.ContentType))))
	}
	return m, nil
}

// headerSafe turns control characters (CR and LF above all) into spaces
// and collapses runs of white space: a header value must stay one header.
func headerSafe(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))), " ")
}

var fileNameCleaner = strings.NewReplacer(`"`, "", `\`, "", "/", "_")

// fileName keeps attachment names to one safe line.
func fileName(name string) string {
	name = headerSafe(fileNameCleaner.Replace(name))
	if name == "" {
		return "attachment"
	}
	return name
}

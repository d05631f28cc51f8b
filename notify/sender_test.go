package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/smtptest"
)

// newTestSender returns a Sender for srv with short timeouts, so that tests
// of failures finish quickly.
func newTestSender(t *testing.T, srv *smtptest.Server) *Sender {
	t.Helper()
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSender(cfg, SenderOptions{
		From:           "attend <noreply@attend.example.org>",
		ReplyTo:        "Workshop team <team@attend.example.org>",
		DialTimeout:    time.Second,
		CommandTimeout: time.Second,
		HELOName:       "attend.test",
		RootCAs:        srv.RootCAs(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// plainEmail is a small valid email to addr.
func plainEmail(addr string) Email {
	return Email{
		MessageID: MessageID("attend.example.org"),
		To:        mail.Address{Name: "Participant", Address: addr},
		Subject:   "Test",
		Text:      "Hello.",
		HTML:      "<p>Hello.</p>",
	}
}

func TestSendBatchDeliversReadableMultilingualMail(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	r := newTestRenderer(t)

	rustam := tashkentWorkshop()
	oktam := tashkentWorkshop()
	oktam.Participant = Participant{FirstName: "Oʻktam", LastName: "Ergashev"}
	cases := []struct {
		kind Kind
		lang string
		data Data
		to   mail.Address
	}{
		{KindConfirmRequest, "ru", rustam, mail.Address{Name: "Рустам Касимов", Address: "rustam@example.uz"}},
		{KindConfirmRequest, "uz", oktam, mail.Address{Name: "Oʻktam Ergashev", Address: "oktam@example.uz"}},
		{KindConfirmed, "ru", rustam, mail.Address{Name: "Рустам Касимов", Address: "rustam@example.uz"}},
		{KindPromoted, "uz", oktam, mail.Address{Name: "Oʻktam Ergashev", Address: "oktam@example.uz"}},
	}
	var emails []Email
	for _, c := range cases {
		e, err := r.Build(c.kind, c.lang, c.data, MessageID("attend.example.org"), c.to)
		if err != nil {
			t.Fatal(err)
		}
		e.Date = time.Date(2019, 5, 20, 13, 0, 0, 0, time.FixedZone("", 5*3600))
		emails = append(emails, e)
	}
	for i, err := range sender.SendBatch(context.Background(), emails) {
		if err != nil {
			t.Fatalf("email %d: %v", i, err)
		}
	}
	got := srv.WaitFor(t, len(emails), 2*time.Second)

	for i, c := range cases {
		t.Run(fmt.Sprintf("%s in %s to %s", c.kind, c.lang, c.to.Name), func(t *testing.T) {
			m := got[i]
			if len(m.To) != 1 || m.To[0] != c.to.Address || m.From != "noreply@attend.example.org" {
				t.Errorf("envelope %q -> %q", m.From, m.To)
			}
			msg, err := m.Parse()
			if err != nil {
				t.Fatal(err)
			}
			h := msg.Header
			var dec mime.WordDecoder
			to, err := dec.DecodeHeader(h.Get("To"))
			if err != nil || !strings.Contains(to, c.to.Name) || !strings.Contains(to, "<"+c.to.Address+">") {
				t.Errorf("To = %q decodes to %q (%v), want the name %q", h.Get("To"), to, err, c.to.Name)
			}
			if h.Get("Message-Id") != emails[i].MessageID {
				t.Errorf("Message-ID = %q, want %q", h.Get("Message-Id"), emails[i].MessageID)
			}
			if date, err := h.Date(); err != nil || !date.Equal(emails[i].Date) {
				t.Errorf("Date = %q (%v), want %s", h.Get("Date"), err, emails[i].Date)
			}
			if subject, err := dec.DecodeHeader(h.Get("Subject")); err != nil || subject != emails[i].Subject {
				t.Errorf("Subject = %q, want %q", subject, emails[i].Subject)
			}
			from, err := h.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Address != "noreply@attend.example.org" || from[0].Name != "attend" {
				t.Errorf("From = %q", h.Get("From"))
			}
			if replyTo, err := h.AddressList("Reply-To"); err != nil || len(replyTo) != 1 || replyTo[0].Address != "team@attend.example.org" {
				t.Errorf("Reply-To = %q", h.Get("Reply-To"))
			}
			if h.Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("Auto-Submitted = %q", h.Get("Auto-Submitted"))
			}
			if h.Get("Content-Language") != c.lang {
				t.Errorf("Content-Language = %q, want %q", h.Get("Content-Language"), c.lang)
			}
			for _, absent := range []string{"List-Unsubscribe", "Precedence", "User-Agent", "X-Mailer", "Bcc"} {
				if h.Get(absent) != "" {
					t.Errorf("unexpected header %s: %q", absent, h.Get(absent))
				}
			}

			parts := leaves(t, h, msg.Body)
			text, html := byType(parts, "text/plain"), byType(parts, "text/html")
			if len(text) != 1 || len(html) != 1 {
				t.Fatalf("want one text/plain and one text/html part, got %d and %d", len(text), len(html))
			}
			if !strings.Contains(string(text[0].body), c.to.Name) || !strings.Contains(string(html[0].body), c.to.Name) {
				t.Errorf("the name does not survive encoding in both parts")
			}
			if c.kind == KindConfirmRequest {
				for _, body := range [][]byte{text[0].body, bytes.ReplaceAll(html[0].body, []byte("&amp;"), []byte("&"))} {
					if !bytes.Contains(body, []byte(c.data.ConfirmURL)) {
						t.Errorf("a part lacks the confirm link")
					}
				}
				if len(parts) != 2 {
					t.Errorf("a confirm request has %d parts, want just text and html", len(parts))
				}
				return
			}

			images := byType(parts, "image/png")
			if len(images) != 1 {
				t.Fatalf("want one inline PNG, got %d", len(images))
			}
			if _, err := png.Decode(bytes.NewReader(images[0].body)); err != nil {
				t.Errorf("the QR image is not a valid PNG: %v", err)
			}
			cid := strings.Trim(images[0].get("Content-Id"), "<>")
			if cid == "" || !bytes.Contains(html[0].body, []byte(`src="cid:`+cid+`"`)) {
				t.Errorf("the HTML does not show the inline image %q", cid)
			}
			if !strings.HasPrefix(images[0].get("Content-Disposition"), "inline") {
				t.Errorf("QR Content-Disposition = %q", images[0].get("Content-Disposition"))
			}
			cals := byType(parts, "text/calendar")
			if len(cals) != 1 {
				t.Fatalf("want one text/calendar attachment, got %d", len(cals))
			}
			if !strings.HasPrefix(cals[0].get("Content-Disposition"), "attachment") {
				t.Errorf(".ics Content-Disposition = %q", cals[0].get("Content-Disposition"))
			}
			if !bytes.Contains(cals[0].body, []byte("DTSTART;TZID=Asia/Tashkent:20190530T090000\r\n")) {
				t.Errorf("the .ics lacks the Tashkent start time:\n%s", cals[0].body)
			}
		})
	}
}

func TestSendBatchNeverLetsANameOrSubjectAddAHeader(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	e := plainEmail("victim@example.org")
	e.To.Name = "Mallory\r\nBcc: evil@example.org"
	e.Subject = "Hi\r\nBcc: evil@example.org\nX-Injected: yes"
	e.Lang = "en\r\nBcc: evil@example.org"
	if err := sender.SendBatch(context.Background(), []Email{e})[0]; err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1, 2*time.Second)[0]
	if len(m.To) != 1 || m.To[0] != "victim@example.org" {
		t.Errorf("envelope recipients = %q, want only the victim", m.To)
	}
	msg, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("X-Injected") != "" {
		t.Errorf("a header was injected: %v", msg.Header)
	}
	for _, line := range strings.Split(string(m.Raw), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") || strings.HasPrefix(line, "X-Injected:") {
			t.Errorf("raw message has the line %q", line)
		}
	}
}

func TestSendBatchAcceptsMessageIDsWithOrWithoutBrackets(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	ids := []string{"plain-1@attend.example.org", "<bracketed-2@attend.example.org>", "<<doubled-3@attend.example.org>>"}
	var emails []Email
	for _, id := range ids {
		e := plainEmail("a@example.org")
		e.MessageID = id
		emails = append(emails, e)
	}
	for i, err := range sender.SendBatch(context.Background(), emails) {
		if err != nil {
			t.Fatalf("email %d: %v", i, err)
		}
	}
	for i, m := range srv.WaitFor(t, len(ids), 2*time.Second) {
		msg, err := m.Parse()
		if err != nil {
			t.Fatal(err)
		}
		want := "<" + strings.Trim(ids[i], "<>") + ">"
		if got := msg.Header.Get("Message-Id"); got != want {
			t.Errorf("Message-ID = %q, want %q", got, want)
		}
	}
}

func TestSendBatchUsesOneConnectionForTheWholeBatch(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	emails := make([]Email, 20)
	for i := range emails {
		emails[i] = plainEmail(fmt.Sprintf("p%d@example.org", i))
	}
	for i, err := range sender.SendBatch(context.Background(), emails) {
		if err != nil {
			t.Fatalf("email %d: %v", i, err)
		}
	}
	got := srv.WaitFor(t, 20, 2*time.Second)
	if n := srv.Connections(); n != 1 {
		t.Errorf("used %d connections, want 1", n)
	}
	for i, m := range got {
		if m.To[0] != emails[i].To.Address {
			t.Errorf("message %d went to %q, want %q", i, m.To[0], emails[i].To.Address)
		}
	}
}

func TestSendBatchTellsPermanentFromTemporaryRejections(t *testing.T) {
	tests := []struct {
		name      string
		mode      smtptest.Mode
		permanent bool
		code      string
	}{
		{"550 is permanent", smtptest.ModePermFail, true, "550"},
		{"451 is temporary", smtptest.ModeTempFail, false, "451"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.Start(t)
			sender := newTestSender(t, srv)
			srv.QueueModes(tt.mode) // only the first message is rejected
			errs := sender.SendBatch(context.Background(), []Email{plainEmail("a@example.org"), plainEmail("b@example.org")})
			if errs[0] == nil || !strings.Contains(errs[0].Error(), tt.code) {
				t.Fatalf("first error = %v, want a %s rejection", errs[0], tt.code)
			}
			if got := IsPermanent(errs[0]); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tt.permanent)
			}
			if errs[1] != nil {
				t.Errorf("the next message in the batch failed too: %v", errs[1])
			}
			if got := srv.WaitFor(t, 1, 2*time.Second); got[0].To[0] != "b@example.org" {
				t.Errorf("delivered to %q", got[0].To)
			}
			if n := srv.Connections(); n != 1 {
				t.Errorf("a rejection cost a connection: %d connections", n)
			}
		})
	}
}

func TestSendBatchGivesUpOnAStalledServerWithinTheTimeout(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv) // 1 s command timeout
	srv.SetMode(smtptest.ModeStall)
	start := time.Now()
	errs := sender.SendBatch(context.Background(), []Email{plainEmail("a@example.org"), plainEmail("b@example.org")})
	elapsed := time.Since(start)
	for i, err := range errs {
		if err == nil {
			t.Fatalf("email %d was reported sent", i)
		}
		if IsPermanent(err) {
			t.Errorf("email %d: a stall is not permanent: %v", i, err)
		}
	}
	var ne net.Error
	if !errors.As(errs[1], &ne) || !ne.Timeout() {
		t.Errorf("the rest of the batch should fail with the timeout, got %v", errs[1])
	}
	if elapsed > 2*time.Second {
		t.Errorf("took %s with a 1s timeout", elapsed)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("reconnected to a stalled server: %d connections", n)
	}
}

func TestSendBatchReconnectsOnceWhenTheConnectionDrops(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	srv.QueueModes(smtptest.ModeAccept, smtptest.ModeDrop)
	emails := []Email{plainEmail("a@example.org"), plainEmail("b@example.org"), plainEmail("c@example.org")}
	for i, err := range sender.SendBatch(context.Background(), emails) {
		if err != nil {
			t.Errorf("email %d: %v", i, err)
		}
	}
	got := srv.WaitFor(t, 3, 2*time.Second)
	for i, m := range got {
		if m.To[0] != emails[i].To.Address {
			t.Errorf("message %d went to %q", i, m.To[0])
		}
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("used %d connections, want 2", n)
	}
}

// The server may close the connection at any step, in clear or over TLS;
// over TLS a clean close is only ever seen as end of file from the TLS
// layer, never as an error of the socket.
func TestSendBatchReconnectsOnceWhenTheServerClosesTheConnection(t *testing.T) {
	for _, tls := range []bool{false, true} {
		for _, drop := range []smtptest.Mode{smtptest.ModeDropAtRcpt, smtptest.ModeDrop} {
			t.Run(fmt.Sprintf("%s, TLS %v", drop, tls), func(t *testing.T) {
				srv := smtptest.StartWith(t, smtptest.Options{STARTTLS: tls})
				sender := newTestSender(t, srv)
				srv.QueueModes(smtptest.ModeAccept, drop)
				emails := []Email{plainEmail("a@example.org"), plainEmail("dropped@example.org"),
					plainEmail("c@example.org"), plainEmail("d@example.org")}
				for i, err := range sender.SendBatch(context.Background(), emails) {
					if err != nil {
						t.Errorf("email %d: %v", i, err)
					}
				}
				got := srv.WaitFor(t, len(emails), 2*time.Second)
				for i, m := range got {
					if m.To[0] != emails[i].To.Address || m.TLS != tls {
						t.Errorf("message %d went to %q, TLS %v", i, m.To[0], m.TLS)
					}
				}
				if n := srv.Connections(); n != 2 {
					t.Errorf("used %d connections, want 2", n)
				}
			})
		}
	}
}

func TestSendBatchReconnectsOnlyOnce(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	srv.QueueModes(smtptest.ModeDrop, smtptest.ModeDrop)
	errs := sender.SendBatch(context.Background(), []Email{plainEmail("a@example.org"), plainEmail("b@example.org")})
	for i, err := range errs {
		if err == nil || IsPermanent(err) {
			t.Errorf("email %d: err = %v, want a temporary failure", i, err)
		}
	}
	if n := srv.Connections(); n != 2 {
		t.Errorf("used %d connections, want 2", n)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

func TestSendBatchRefusesInvalidEmailsButSendsTheRest(t *testing.T) {
	srv := smtptest.Start(t)
	sender := newTestSender(t, srv)
	noID := plainEmail("a@example.org")
	noID.MessageID = ""
	badAddr := plainEmail("not an address")
	noBody := plainEmail("c@example.org")
	noBody.Text, noBody.HTML = "", ""
	errs := sender.SendBatch(context.Background(), []Email{noID, badAddr, noBody, plainEmail("ok@example.org")})
	for i, err := range errs[:3] {
		if !errors.Is(err, ErrInvalidEmail) || !IsPermanent(err) {
			t.Errorf("email %d: err = %v, want a permanent ErrInvalidEmail", i, err)
		}
	}
	if errs[3] != nil {
		t.Errorf("the valid email failed: %v", errs[3])
	}
	srv.WaitFor(t, 1, 2*time.Second)
}

func TestSendBatchReportsAnUnreachableServerAsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseSMTPURL("smtp://" + addr + "?starttls=off")
	if err != nil {
		t.Fatal(err)
	}
	sender, err := NewSender(cfg, SenderOptions{From: "noreply@attend.example.org", DialTimeout: time.Second, CommandTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range sender.SendBatch(context.Background(), []Email{plainEmail("a@example.org"), plainEmail("b@example.org")}) {
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "connect") {
			t.Errorf("email %d: err = %v, want a temporary connection error", i, err)
		}
	}
}

func TestSendBatchStopsWhenTheContextIsCancelled(t *testing.T) {
	srv := smtptest.Start(t)
	cfg, err := ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := NewSender(cfg, SenderOptions{From: "noreply@attend.example.org", CommandTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetMode(smtptest.ModeStall)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := sender.SendBatch(ctx, []Email{plainEmail("a@example.org"), plainEmail("b@example.org")})
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %s after the context ended", elapsed)
	}
	if !errors.Is(errs[1], context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's error", errs[1])
	}
	for i, err := range errs {
		if err == nil || IsPermanent(err) {
			t.Errorf("email %d: err = %v", i, err)
		}
	}
}

func TestNewSenderValidatesItsOptions(t *testing.T) {
	cfg := SMTPConfig{Host: "mail.example.org", Port: 587, StartTLS: StartTLSRequired}
	login := func(c SMTPConfig) SMTPConfig { c.Username, c.Password = "user", "secret"; return c }
	tests := []struct {
		name string
		cfg  SMTPConfig
		opts SenderOptions
		want string
	}{
		{"a From that is not an address", cfg, SenderOptions{From: "attend"}, "From"},
		{"a From over two lines", cfg, SenderOptions{From: "attend <a@example.org>\r\nBcc: x@example.org"}, "single lines"},
		{"a bad Reply-To", cfg, SenderOptions{From: "a@example.org", ReplyTo: "team"}, "Reply-To"},
		{"a negative timeout", cfg, SenderOptions{From: "a@example.org", CommandTimeout: -time.Second}, "negative"},
		{"no host", SMTPConfig{Port: 25}, SenderOptions{From: "a@example.org"}, "not valid"},
		{"a login without TLS", login(SMTPConfig{Host: "mail.example.org", Port: 25, StartTLS: StartTLSOff}),
			SenderOptions{From: "a@example.org"}, "never sent in clear"},
		{"an unknown STARTTLS mode", SMTPConfig{Host: "mail.example.org", Port: 25, StartTLS: "opportunistic"},
			SenderOptions{From: "a@example.org"}, "not valid"},
		{"a mechanism without a user", SMTPConfig{Host: "mail.example.org", Port: 587, Auth: AuthPlain},
			SenderOptions{From: "a@example.org"}, "auth"},
		{"an unknown mechanism", func() SMTPConfig { c := login(cfg); c.Auth = "ntlm"; return c }(),
			SenderOptions{From: "a@example.org"}, "auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSender(tt.cfg, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := NewSender(cfg, SenderOptions{From: "attend <noreply@attend.example.org>"}); err != nil {
		t.Fatal(err)
	}
}

func TestIsPermanentIgnoresOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("boom"), context.Canceled, fmt.Errorf("wrapped: %w", io.EOF)} {
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true", err)
		}
	}
}

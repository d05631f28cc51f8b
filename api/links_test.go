package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/internal/smtptest"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/templates"
)

// mailAPI is servertest.Server with a real SMTP server behind it
// and a mail worker built as cmd/attend builds it. Tests drive the worker
// batch by batch, so every step happens in order.
type mailAPI struct {
	*servertest.Server
	smtp    *smtptest.Server
	worker  *notify.Worker
	baseURL string
}

func newMailAPI(t *testing.T) *mailAPI {
	t.Helper()
	a := servertest.New(t)
	srv := smtptest.Start(t)
	cfg, err := notify.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := notify.NewSender(cfg, notify.SenderOptions{
		From: "attend <noreply@attend.example.org>", DialTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := notify.NewRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	baseURL := servertest.Config(t).BaseURL.String()
	return &mailAPI{Server: a, smtp: srv, baseURL: baseURL, worker: &notify.Worker{
		Store: a.Store, Renderer: renderer, Sender: sender, Sealer: a.Store.Sealer,
		Log:       slog.New(slog.NewJSONHandler(a.Logs, nil)),
		BaseURL:   baseURL,
		BatchSize: 50,
		Poll:      time.Minute,
		Lease:     time.Minute,
		Backoff:   domain.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxAttempts: 100},
	}}
}

// deliver runs the worker until no email is due and returns every message
// the SMTP server has received, failing unless there are want of them.
func (m *mailAPI) deliver(want int) []smtptest.Message {
	m.T.Helper()
	if _, err := m.worker.Drain(context.Background(), context.Background()); err != nil {
		m.T.Fatalf("Drain: %v", err)
	}
	msgs := m.smtp.Messages()
	if len(msgs) != want {
		m.T.Fatalf("%d messages received, want %d", len(msgs), want)
	}
	return msgs
}

// outboxKind is the kind of the outbox row a received message was sent from.
func (m *mailAPI) outboxKind(mm receivedMail) domain.EmailKind {
	m.T.Helper()
	var kind domain.EmailKind
	id := strings.Trim(mm.messageID, "<>")
	if err := m.DB.Get(&kind, `SELECT kind FROM emails WHERE message_id = $1`, id); err != nil {
		m.T.Fatalf("no outbox row with Message-ID %s: %v", id, err)
	}
	return kind
}

// outboxToken is the plain link token of the newest email to address.
func (m *mailAPI) outboxToken(address string) string {
	m.T.Helper()
	var sealed string
	if err := m.DB.Get(&sealed, `
		SELECT payload->>'sealed_token' FROM emails
		WHERE lower(recipient) = lower($1) AND coalesce(payload->>'sealed_token', '') <> ''
		ORDER BY id DESC LIMIT 1`, address); err != nil {
		m.T.Fatalf("no email with a link to %s: %v", address, err)
	}
	token, err := m.Store.Sealer.Open(sealed)
	if err != nil {
		m.T.Fatal(err)
	}
	return token
}

// snapshot renders the rows a registration's life touches, to tell
// whether requests changed anything.
func (m *mailAPI) snapshot() string {
	m.T.Helper()
	var out string
	if err := m.DB.Get(&out, `
		SELECT concat_ws(E'\n',
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM registrations x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM emails x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.token_hash) FROM registration_tokens x),
			(SELECT string_agg(row_to_json(x)::text, E'\n' ORDER BY x.id) FROM events x))`); err != nil {
		m.T.Fatal(err)
	}
	return out
}

// linkAction posts {"token": token} to /api/v1/registrations/{action}.
func (m *mailAPI) linkAction(action, token string) *httptest.ResponseRecorder {
	m.T.Helper()
	return m.Post("/api/v1/registrations/"+action, "", map[string]string{"token": token})
}

// receivedMail is a received message, its MIME tree walked and decoded.
type receivedMail struct {
	header       mail.Header
	messageID    string
	to           *mail.Address // name decoded from RFC 2047
	envelopeTo   []string
	subject      string
	text, html   string
	alternatives [][]string // the media types inside each multipart/alternative
	attachments  []mailPart
}

type mailPart struct {
	mediaType, filename string
	body                []byte
}

func readMail(t *testing.T, m smtptest.Message) receivedMail {
	t.Helper()
	msg, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	out := receivedMail{header: msg.Header, messageID: msg.Header.Get("Message-Id"), envelopeTo: m.To}
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Errorf("Subject: %v", err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To %q: %v", msg.Header.Get("To"), err)
	}
	out.to = to[0]
	out.walk(t, textproto.MIMEHeader(msg.Header), msg.Body)
	return out
}

func (r *receivedMail) walk(t *testing.T, h textproto.MIMEHeader, body io.Reader) string {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		var children []string
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", mediaType, err)
			}
			children = append(children, r.walk(t, p.Header, p))
		}
		if mediaType == "multipart/alternative" {
			r.alternatives = append(r.alternatives, children)
		}
		return mediaType
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []byte
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		decoded, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	case "base64":
		decoded, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding,
			strings.NewReader(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))))
	default:
		decoded = raw
	}
	if err != nil {
		t.Fatalf("decode %s part: %v", mediaType, err)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	switch {
	case disposition == "attachment" || disposition == "inline" && mediaType != "text/plain" && mediaType != "text/html":
		r.attachments = append(r.attachments, mailPart{mediaType: mediaType, filename: dparams["filename"], body: decoded})
	case mediaType == "text/plain" && r.text == "":
		r.text = string(decoded)
	case mediaType == "text/html" && r.html == "":
		r.html = string(decoded)
	default:
		r.attachments = append(r.attachments, mailPart{mediaType: mediaType, filename: dparams["filename"], body: decoded})
	}
	return mediaType
}

var confirmLink = regexp.MustCompile(`/r/([A-Za-z0-9_-]{43})\?action=confirm`)

// confirmToken is the token of the confirmation link in the text part,
// after checking that the HTML part carries the same link.
func (m *mailAPI) confirmToken(mm receivedMail) string {
	m.T.Helper()
	found := confirmLink.FindStringSubmatch(mm.text)
	if found == nil {
		m.T.Fatalf("no confirmation link in the text part:\n%s", mm.text)
	}
	link := m.baseURL + found[0]
	if !strings.Contains(mm.text, link) {
		m.T.Errorf("the text part's link is not under BASE_URL %s", m.baseURL)
	}
	if !strings.Contains(mm.html, link) {
		m.T.Errorf("the HTML part does not carry the link %s", link)
	}
	return found[1]
}

func TestEmailedLinksFromRegistrationToCancellation(t *testing.T) {
	m := newMailAPI(t)
	ev := m.Event(m.Token, "egov-followup", nil) // Tashkent, 09:00–18:00 each day
	startsOn := ev["starts_on"].(string)
	rec := m.Register("egov-followup", servertest.Participant("dilnoza.yusupova@example.uz", func(b map[string]any) {
		b["first_name"], b["last_name"], b["language"] = "Дилноза", "Юсупова", "ru"
	}))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}

	asked := readMail(t, m.deliver(1)[0])
	var token string
	t.Run("the confirmation request is a readable multipart email with the link in both parts", func(t *testing.T) {
		if kind := m.outboxKind(asked); kind != domain.EmailConfirmRequest {
			t.Errorf("first email is %s, want %s", kind, domain.EmailConfirmRequest)
		}
		if len(asked.alternatives) != 1 || strings.Join(asked.alternatives[0], " ") != "text/plain text/html" {
			t.Errorf("multipart/alternative parts %v, want one with text/plain and text/html", asked.alternatives)
		}
		if _, err := mail.ParseDate(asked.header.Get("Date")); err != nil {
			t.Errorf("Date %q: %v", asked.header.Get("Date"), err)
		}
		if asked.to.Name != "Дилноза Юсупова" || asked.to.Address != "dilnoza.yusupova@example.uz" {
			t.Errorf("To = %q <%s>, want the Cyrillic name", asked.to.Name, asked.to.Address)
		}
		if raw := asked.header.Get("To"); strings.ContainsFunc(raw, func(r rune) bool { return r > 127 }) {
			t.Errorf("raw To header %q is not RFC 2047 encoded", raw)
		}
		if len(asked.envelopeTo) != 1 || asked.envelopeTo[0] != "dilnoza.yusupova@example.uz" {
			t.Errorf("envelope recipients %v", asked.envelopeTo)
		}
		if asked.subject == "" {
			t.Error("empty subject")
		}
		if !strings.Contains(asked.text, "Дилноза Юсупова") {
			t.Errorf("the text part does not greet Дилноза Юсупова:\n%s", asked.text)
		}
		token = m.confirmToken(asked)
	})
	if token == "" {
		t.FailNow()
	}

	t.Run("opening the link, as a mail scanner would, changes nothing", func(t *testing.T) {
		before := m.snapshot()
		paths := []string{"/r/" + token, "/r/" + token + "?action=confirm", "/r/" + token + "?action=cancel",
			"/r/" + token + "/confirm", "/r/" + token + "/cancel", "/r/" + token + "/data"}
		scanners := []string{
			"Mozilla/5.0 (compatible; Microsoft Office/16.0; SafeLinks)",
			"Proofpoint URL Defense",
			"Mimecast Web Security",
			"Barracuda Sentinel (EE)",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36",
		}
		for i := range 10 {
			for _, p := range paths {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					rec := m.Do(servertest.Request{Method: method, Path: p, Header: http.Header{"User-Agent": {scanners[i%len(scanners)]}}})
					if rec.Code >= 400 {
						t.Fatalf("%s %s: %d, want the page or a redirect to it", method, p, rec.Code)
					}
				}
			}
		}
		if rec := m.Get("/r/"+token, ""); rec.Code != http.StatusOK {
			t.Errorf("GET of the personal page: %d, want 200", rec.Code)
		}
		if after := m.snapshot(); after != before {
			t.Errorf("GET and HEAD requests changed the database:\nbefore %s\nafter  %s", before, after)
		}
		if logs := m.Logs.String(); strings.Contains(logs, token) || strings.Contains(logs, "/r/"+token[:8]) {
			t.Error("a link token appears in the server's logs")
		}
		if n := len(m.smtp.Messages()); n != 1 {
			t.Errorf("%d messages after opening the link, want still 1", n)
		}
	})

	var code string
	t.Run("confirming answers confirmed and sends the check-in code with a calendar file", func(t *testing.T) {
		v := servertest.Decode[map[string]any](t, m.linkAction("confirm", token), http.StatusOK)
		if v["status"] != "confirmed" {
			t.Fatalf("answer %v, want status confirmed", v)
		}
		code, _ = v["checkin_code"].(string)
		confirmed := readMail(t, m.deliver(2)[1])
		if kind := m.outboxKind(confirmed); kind != domain.EmailConfirmed {
			t.Errorf("second email is %s, want %s", kind, domain.EmailConfirmed)
		}
		if code == "" || !strings.Contains(confirmed.text, code) {
			t.Errorf("the text part does not carry the check-in code %q:\n%s", code, confirmed.text)
		}
		var ics string
		for _, a := range confirmed.attachments {
			if a.mediaType == "text/calendar" || strings.HasSuffix(a.filename, ".ics") {
				ics = strings.ReplaceAll(string(a.body), "\r\n ", "") // unfold
			}
		}
		if ics == "" {
			t.Fatalf("no .ics attachment among %d parts", len(confirmed.attachments))
		}
		want := "DTSTART;TZID=Asia/Tashkent:" + strings.ReplaceAll(startsOn, "-", "") + "T090000"
		if !strings.Contains(ics, want) {
			t.Errorf("calendar file lacks %s:\n%s", want, ics)
		}
	})
	t.Run("confirming twice answers the same and sends nothing more", func(t *testing.T) {
		v := servertest.Decode[map[string]any](t, m.linkAction("confirm", token), http.StatusOK)
		if v["status"] != "confirmed" || v["checkin_code"] != code {
			t.Errorf("second answer %v", v)
		}
		m.deliver(2)
		var n int
		if err := m.DB.Get(&n, `SELECT count(*) FROM emails WHERE kind = 'confirmed'`); err != nil || n != 1 {
			t.Errorf("%d confirmed emails queued, want 1", n)
		}
	})
	t.Run("cancelling answers cancelled and sends the cancellation", func(t *testing.T) {
		v := servertest.Decode[map[string]any](t, m.linkAction("cancel", token), http.StatusOK)
		if v["status"] != "cancelled" {
			t.Errorf("answer %v, want status cancelled", v)
		}
		if kind := m.outboxKind(readMail(t, m.deliver(3)[2])); kind != domain.EmailCancelled {
			t.Errorf("third email is %s, want %s", kind, domain.EmailCancelled)
		}
		servertest.Decode[map[string]any](t, m.linkAction("cancel", token), http.StatusOK)
		m.deliver(3)
	})
	t.Run("confirming after cancelling is a conflict", func(t *testing.T) {
		servertest.Problem(t, m.linkAction("confirm", token), http.StatusConflict)
	})
	t.Run("the link stops working once the event is long over", func(t *testing.T) {
		stored, err := m.Store.PublishedEvent(context.Background(), "egov-followup")
		if err != nil {
			t.Fatal(err)
		}
		m.Store.Now = func() time.Time { return stored.EndsAt().Add(m.Store.LinkGrace) }
		defer func() { m.Store.Now = time.Now }()
		servertest.Problem(t, m.linkAction("confirm", token), http.StatusGone)
		servertest.Problem(t, m.linkAction("cancel", token), http.StatusGone)
	})
}

func TestLinkActionsRefuseBadTokens(t *testing.T) {
	a := servertest.New(t)
	unknown, _, err := domain.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		body   string
		status int
	}{
		{"an unknown token is not found", `{"token":"` + unknown + `"}`, http.StatusNotFound},
		{"a malformed token is not found", `{"token":"not-a-token"}`, http.StatusNotFound},
		{"a missing token is a validation error", `{}`, http.StatusUnprocessableEntity},
		{"an empty token is a validation error", `{"token":""}`, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		for _, action := range []string{"confirm", "cancel"} {
			t.Run(tt.name+" ("+action+")", func(t *testing.T) {
				servertest.Problem(t, a.Post("/api/v1/registrations/"+action, "", tt.body), tt.status)
			})
		}
	}
}

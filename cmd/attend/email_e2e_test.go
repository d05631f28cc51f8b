package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/smtptest"
)

// plainText returns the decoded text/plain part of a received message.
func plainText(t *testing.T, m smtptest.Message) string {
	t.Helper()
	msg, err := m.Parse()
	if err != nil {
		t.Fatal(err)
	}
	var find func(h textproto.MIMEHeader, body io.Reader) string
	find = func(h textproto.MIMEHeader, body io.Reader) string {
		mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
		}
		if strings.HasPrefix(mediaType, "multipart/") {
			r := multipart.NewReader(body, params["boundary"])
			for {
				p, err := r.NextRawPart()
				if err == io.EOF {
					return ""
				}
				if err != nil {
					t.Fatal(err)
				}
				if text := find(p.Header, p); text != "" {
					return text
				}
			}
		}
		if mediaType != "text/plain" {
			return ""
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
			if raw, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw))); err != nil {
				t.Fatal(err)
			}
		}
		return string(raw)
	}
	return find(textproto.MIMEHeader(msg.Header), msg.Body)
}

// TestServeSendsTheEmailsOfARegistration runs the real `attend demo` and
// `attend serve` (with its mail worker) against a fresh database and a real
// SMTP server, and follows a registration through its emails.
func TestServeSendsTheEmailsOfARegistration(t *testing.T) {
	c := newCLI(t)
	smtp := smtptest.Start(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	c.env["SMTP_URL"] = smtp.URL()
	c.env["MAIL_POLL_INTERVAL"] = "200ms"
	c.env["BASE_URL"] = "http://attend.test"
	c.must("demo")

	srv := c.serve(t)
	base, logs := srv.base, srv.logs

	client := &http.Client{Timeout: 30 * time.Second}
	post := func(path, body string) (int, map[string]any) {
		t.Helper()
		resp, err := client.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("POST %s: %d with a body that is not JSON: %v", path, resp.StatusCode, err)
		}
		return resp.StatusCode, v
	}

	code, v := post("/api/v1/events/"+demo.UpcomingSlug+"/registrations", `{
		"first_name": "Дилноза", "last_name": "Юсупова", "email": "dilnoza@example.uz",
		"country": "UZ", "organization": "Centre for Economic Research and Reforms",
		"role": "researcher", "language": "ru", "consent": true,
		"answers": {"diet": "vegetarian", "visa_letter": true}}`)
	if code != http.StatusAccepted || v["status"] != "pending" {
		t.Fatalf("register: %d %v", code, v)
	}

	msgs := smtp.WaitFor(t, 1, 60*time.Second)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "dilnoza@example.uz" {
		t.Fatalf("the first email went to %v, want dilnoza@example.uz", msgs[0].To)
	}
	text := plainText(t, msgs[0])
	link := regexp.MustCompile(`http://attend\.test/r/([A-Za-z0-9_-]{43})\?action=confirm`).FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no confirmation link under BASE_URL in the email:\n%s", text)
	}

	code, v = post("/api/v1/registrations/confirm", `{"token": "`+link[1]+`"}`)
	if code != http.StatusOK || v["status"] != "confirmed" {
		t.Fatalf("confirm: %d %v", code, v)
	}
	checkin, _ := v["checkin_code"].(string)
	msgs = smtp.WaitFor(t, 2, 60*time.Second)
	if text := plainText(t, msgs[1]); checkin == "" || !strings.Contains(text, checkin) {
		t.Errorf("the second email does not carry the check-in code %q:\n%s", checkin, text)
	}

	// The participant corrects the registration from the same link, and is
	// told by email what changed.
	code, v = post("/api/v1/registrations/update", `{"token": "`+link[1]+`", "answers": {"diet": "halal"}}`)
	if code != http.StatusOK {
		t.Fatalf("update: %d %v", code, v)
	}
	msgs = smtp.WaitFor(t, 3, 60*time.Second)
	if text := plainText(t, msgs[2]); !strings.Contains(text, "Особенности питания: Вегетарианское -> Халяль") {
		t.Errorf("the third email does not list the change:\n%s", text)
	}

	if err := srv.stop(t); err != nil {
		t.Errorf("serve returned %v after cancellation, want nil\n%s", err, logs)
	}
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("%d emails in all, want 3", n)
	}
	if strings.Contains(logs.String(), link[1]) {
		t.Error("the link token appears in the log")
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

func TestTheUnsubscribeLinkAsksOnGETAndRecordsOnAOneClickPOST(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	if rec := a.Register("egov", servertest.Participant("dilnoza@example.uz", nil)); rec.Code != http.StatusAccepted {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	var id string
	if err := a.DB.Get(&id, `SELECT id FROM registrations WHERE email = 'dilnoza@example.uz'`); err != nil {
		t.Fatal(err)
	}
	token, err := a.Store.UnsubscribeToken(id)
	if err != nil {
		t.Fatal(err)
	}
	optedOut := func() int {
		var n int
		if err := a.DB.Get(&n, `SELECT count(*) FROM message_optouts WHERE registration_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return n
	}

	rec, d := a.Page("/unsubscribe/" + token)
	if rec.Code != http.StatusOK || len(d.All("form")) != 1 || optedOut() != 0 {
		t.Fatalf("GET: status %d, %d forms, %d opt-outs; want 200, a form, nothing recorded", rec.Code, len(d.All("form")), optedOut())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store: the page is personal", cc)
	}
	if b := d.All("button"); len(b) != 1 || servertest.Attr(b[0], "class") != "button" {
		t.Errorf("the button is not styled as the site's buttons")
	}
	// A mail program's one-click POST (RFC 8058): no cookie, a form body,
	// with no Origin or with the mail provider's own (cross-origin
	// protection must let it through); twice in all, as mail systems may
	// repeat it.
	for _, h := range []http.Header{{}, {"Origin": {"https://mail.example.com"}, "Sec-Fetch-Site": {"cross-site"}}} {
		rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/unsubscribe/" + token, Header: h,
			Body: "List-Unsubscribe=One-Click", ContentType: "application/x-www-form-urlencoded"})
		if rec.Code != http.StatusOK {
			t.Fatalf("one-click POST: %d %s", rec.Code, rec.Body)
		}
	}
	if n := optedOut(); n != 1 {
		t.Errorf("%d opt-outs recorded, want 1", n)
	}
	// The link, opened again, says so.
	if rec, d := a.Page("/unsubscribe/" + token); rec.Code != http.StatusOK || len(d.All("form")) != 0 ||
		!strings.Contains(d.Text(), "You had already unsubscribed") {
		t.Errorf("GET once unsubscribed: %d %.300s", rec.Code, d.Text())
	}
	// The page's own button, in the participant's browser, works too.
	if rec, _ := a.Submit("/unsubscribe/"+token, url.Values{}); rec.Code != http.StatusOK {
		t.Errorf("the page's button: %d", rec.Code)
	}

	// A character changed in the middle: the last ones may hold only
	// base64's unused bits, which decoding ignores.
	middle := len(token) / 2
	changed := "A"
	if token[middle] == 'A' {
		changed = "B"
	}
	for _, bad := range []string{strings.Repeat("A", 60), token[:middle] + changed + token[middle+1:], strings.Repeat("x", 600)} {
		if rec, _ := a.Page("/unsubscribe/" + bad); rec.Code != http.StatusNotFound {
			t.Errorf("GET of a made-up token: %d, want 404", rec.Code)
		}
		rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/unsubscribe/" + bad,
			Body: "List-Unsubscribe=One-Click", ContentType: "application/x-www-form-urlencoded"})
		if rec.Code != http.StatusNotFound {
			t.Errorf("POST of a made-up token: %d, want 404", rec.Code)
		}
	}
}

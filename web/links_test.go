package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

func TestPersonalPageConfirmsAndCancels(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	token := a.LinkToken("egov", "kadri@example.ee", "ru")
	page := "/r/" + token

	t.Run("it shows the registration in its own language, with both buttons", func(t *testing.T) {
		rec, d := a.Page(page)
		if rec.Code != http.StatusOK || servertest.Attr(d.All("html")[0], "lang") != "ru" {
			t.Fatalf("status %d, lang %q", rec.Code, servertest.Attr(d.All("html")[0], "lang"))
		}
		if got := servertest.TextOf(d.ByID("status")); got != "Ожидает вашего подтверждения" {
			t.Errorf("status %q", got)
		}
		text := d.Text()
		for _, want := range []string{"Kadri Tamm", "E-government workshop egov", "Подтвердить регистрацию", "Отменить регистрацию"} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q", want)
			}
		}
		forms := d.All("form")
		if len(forms) != 2 || servertest.Attr(forms[0], "action") != page+"/confirm?lang=ru" || servertest.Attr(forms[1], "action") != page+"/cancel?lang=ru" {
			t.Errorf("forms %v", forms)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
		}
	})
	t.Run("?lang= and ?action= are honoured", func(t *testing.T) {
		_, d := a.Page(page + "?lang=en&action=confirm")
		if servertest.Attr(d.All("html")[0], "lang") != "en" || !strings.Contains(d.Text(), "To confirm your registration, press the button below.") {
			t.Errorf("page: %s", d.Text())
		}
		_, d = a.Page(page+"?action=cancel", "Cookie", "lang=uz")
		if !strings.Contains(d.Text(), "Roʻyxatdan oʻtishni bekor qilish uchun quyidagi tugmani bosing.") {
			t.Errorf("page: %s", d.Text())
		}
	})
	t.Run("reading the page changes nothing", func(t *testing.T) {
		a.Page(page + "?action=confirm")
		a.Page(page + "/confirm")
		if got := a.Registrations()[0].Status; got != "pending" {
			t.Errorf("status %s after GETs", got)
		}
		rec := a.Get(page+"/confirm?lang=en", "")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page+"?action=confirm&lang=en" {
			t.Errorf("GET confirm: %d %q", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("confirming redirects to the page, which shows the check-in code", func(t *testing.T) {
		rec, _ := a.Submit(page+"/confirm?lang=en", url.Values{})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page+"?lang=en" {
			t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
		}
		_, d := a.Page(rec.Header().Get("Location"))
		if got := servertest.TextOf(d.ByID("status")); got != "Confirmed" {
			t.Errorf("status %q", got)
		}
		if !strings.Contains(d.Text(), "Your check-in code") || strings.Contains(d.Text(), "Confirm my registration") {
			t.Errorf("page: %s", d.Text())
		}
		again, _ := a.Submit(page+"/confirm", url.Values{})
		if again.Code != http.StatusSeeOther {
			t.Errorf("confirming twice: %d", again.Code)
		}
	})
	t.Run("cancelling redirects to the page, which shows it cancelled", func(t *testing.T) {
		rec, _ := a.Submit(page+"/cancel", url.Values{})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d", rec.Code)
		}
		_, d := a.Page(rec.Header().Get("Location"))
		if got := servertest.TextOf(d.ByID("status")); got != "Отменена" {
			t.Errorf("status %q", got)
		}
		if len(d.All("form")) != 0 || !strings.Contains(d.Text(), "Зарегистрироваться снова") {
			t.Errorf("page: %s", d.Text())
		}
	})
	t.Run("a cancelled registration cannot be confirmed: 409", func(t *testing.T) {
		rec, d := a.Submit(page+"/confirm?lang=en", url.Values{})
		if rec.Code != http.StatusConflict || !strings.Contains(d.Text(), "A cancelled registration cannot be confirmed") {
			t.Errorf("status %d: %s", rec.Code, d.Text())
		}
		if got := a.Registrations()[0].Status; got != "cancelled" {
			t.Errorf("status %s", got)
		}
	})
	t.Run("the token never reaches the logs", func(t *testing.T) {
		if strings.Contains(a.Logs.String(), token) {
			t.Error("the logs hold the token")
		}
	})
}

func TestPersonalPageOfAWaitlistedRegistration(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["capacity"] = 1 })
	a.LinkToken("egov", "first@example.org", "en")
	token := a.LinkToken("egov", "second@example.org", "en")
	page := "/r/" + token
	_, d := a.Page(page)
	text := d.Text()
	for _, want := range []string{"On the waiting list", "Confirm your email address to keep your place",
		"Confirm my email address", "Leave the waiting list", "This cannot be undone"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in %s", want, text)
		}
	}
	if strings.Contains(text, "gives your seat") {
		t.Errorf("the page speaks of a seat the person does not hold: %s", text)
	}

	// Once the address is confirmed, the page says so and asks nothing more
	// than whether to leave the list.
	if rec, _ := a.Submit(page+"/confirm?lang=en", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: status %d", rec.Code)
	}
	_, d = a.Page(page)
	text = d.Text()
	for _, want := range []string{"On the waiting list", "Your email address is confirmed, so you keep your place", "Leave the waiting list"} {
		if !strings.Contains(text, want) {
			t.Errorf("after confirming, no %q in %s", want, text)
		}
	}
	for _, gone := range []string{"Confirm my email address", "Confirm your email address to keep your place"} {
		if strings.Contains(text, gone) {
			t.Errorf("after confirming, the page still says %q: %s", gone, text)
		}
	}
	if forms := d.All("form"); len(forms) != 1 || servertest.Attr(forms[0], "action") != page+"/cancel?lang=en" {
		t.Errorf("after confirming, forms %v, want only the one to leave the list", forms)
	}
	if got := servertest.TextOf(d.ByID("waitlist-position")); !strings.Contains(got, "You are number 1 in line") {
		t.Errorf("position %q, want number 1", got)
	}

	// The place counts only those whose addresses are confirmed, in
	// registration order: one who registers later and never confirms does
	// not count, and one who confirms later comes after.
	a.LinkToken("egov", "third@example.org", "en")
	fourth := "/r/" + a.LinkToken("egov", "fourth@example.org", "en")
	_, d = a.Page(fourth)
	if d.Has("waitlist-position") {
		t.Errorf("an unconfirmed address is given a place: %s", d.Text())
	}
	if rec, _ := a.Submit(fourth+"/confirm?lang=en", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: status %d", rec.Code)
	}
	_, d = a.Page(fourth)
	if got := servertest.TextOf(d.ByID("waitlist-position")); !strings.Contains(got, "You are number 2 in line") {
		t.Errorf("position %q, want number 2", got)
	}
}

func TestBadLinks(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	token := a.LinkToken("egov", "nino@example.ge", "en")
	unknown, _, err := domain.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"a malformed token", http.MethodGet, "/r/abc", http.StatusNotFound, "Link not recognized"},
		{"an unknown token", http.MethodGet, "/r/" + unknown, http.StatusNotFound, "Link not recognized"},
		{"confirming an unknown token", http.MethodPost, "/r/" + unknown + "/confirm", http.StatusNotFound, "Link not recognized"},
		{"cancelling a malformed token", http.MethodPost, "/r/abc/cancel", http.StatusNotFound, "Link not recognized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec interface{ Result() *http.Response }
			var text string
			if tt.method == http.MethodGet {
				r, d := a.Page(tt.path)
				rec, text = r, d.Text()
			} else {
				r, d := a.Submit(tt.path, url.Values{})
				rec, text = r, d.Text()
			}
			if rec.Result().StatusCode != tt.status || !strings.Contains(text, tt.want) {
				t.Errorf("status %d: %s", rec.Result().StatusCode, text)
			}
		})
	}
	t.Run("an expired link is a 410 page", func(t *testing.T) {
		a.Store.Now = func() time.Time { return time.Now().AddDate(0, 3, 0) }
		rec, d := a.Page("/r/" + token)
		if rec.Code != http.StatusGone || !strings.Contains(d.Text(), "This link is no longer valid") {
			t.Errorf("status %d: %s", rec.Code, d.Text())
		}
		rec, _ = a.Submit("/r/"+token+"/cancel", url.Values{})
		if rec.Code != http.StatusGone {
			t.Errorf("cancel: status %d", rec.Code)
		}
	})
	t.Run("a cross-site POST to a link is refused", func(t *testing.T) {
		rec, _ := a.Submit("/r/"+token+"/cancel", url.Values{}, "Sec-Fetch-Site", "cross-site")
		if rec.Code != http.StatusForbidden {
			t.Errorf("status %d", rec.Code)
		}
	})
}

func TestPersonalPageLinksToTheDataDownload(t *testing.T) {
	t.Parallel()
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	token := a.LinkToken("egov", "kadri@example.ee", "en")
	_, page := a.Page("/r/" + token)
	link := page.ByID("my-data")
	if href := servertest.Attr(link, "href"); href != "/r/"+token+"/data" || servertest.TextOf(link) != "Download my data (JSON)" {
		t.Fatalf("data link %q %q", href, servertest.TextOf(link))
	}
	rec := a.Get(servertest.Attr(link, "href"), "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") ||
		!strings.Contains(rec.Body.String(), "kadri@example.ee") {
		t.Errorf("download: %d %q", rec.Code, rec.Header().Get("Content-Disposition"))
	}
	for lang, want := range map[string]string{"ru": "Скачать мои данные (JSON)", "uz": "Maʼlumotlarimni yuklab olish (JSON)"} {
		if _, page := a.Page("/r/" + token + "?lang=" + lang); servertest.TextOf(page.ByID("my-data")) != want {
			t.Errorf("%s link %q", lang, servertest.TextOf(page.ByID("my-data")))
		}
	}
}

package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestPersonalPageConfirmsAndCancels(t *testing.T) {
	a := newAPI(t)
	a.event(a.token, "egov", nil)
	token := a.linkToken("egov", "kadri@example.ee", "ru")
	page := "/r/" + token

	t.Run("it shows the registration in its own language, with both buttons", func(t *testing.T) {
		rec, d := a.page(page)
		if rec.Code != http.StatusOK || attr(d.all("html")[0], "lang") != "ru" {
			t.Fatalf("status %d, lang %q", rec.Code, attr(d.all("html")[0], "lang"))
		}
		if got := textOf(d.byID("status")); got != "Ожидает вашего подтверждения" {
			t.Errorf("status %q", got)
		}
		text := d.text()
		for _, want := range []string{"Kadri Tamm", "E-government workshop egov", "Подтвердить регистрацию", "Отменить регистрацию"} {
			if !strings.Contains(text, want) {
				t.Errorf("no %q", want)
			}
		}
		forms := d.all("form")
		if len(forms) != 2 || attr(forms[0], "action") != page+"/confirm?lang=ru" || attr(forms[1], "action") != page+"/cancel?lang=ru" {
			t.Errorf("forms %v", forms)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
		}
	})
	t.Run("?lang= and ?action= are honoured", func(t *testing.T) {
		_, d := a.page(page + "?lang=en&action=confirm")
		if attr(d.all("html")[0], "lang") != "en" || !strings.Contains(d.text(), "To confirm your registration, press the button below.") {
			t.Errorf("page: %s", d.text())
		}
		_, d = a.page(page+"?action=cancel", "Cookie", "lang=uz")
		if !strings.Contains(d.text(), "Roʻyxatdan oʻtishni bekor qilish uchun quyidagi tugmani bosing.") {
			t.Errorf("page: %s", d.text())
		}
	})
	t.Run("reading the page changes nothing", func(t *testing.T) {
		a.page(page + "?action=confirm")
		a.page(page + "/confirm")
		if got := a.registrations()[0].Status; got != "pending" {
			t.Errorf("status %s after GETs", got)
		}
		rec := a.get(page+"/confirm?lang=en", "")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page+"?action=confirm&lang=en" {
			t.Errorf("GET confirm: %d %q", rec.Code, rec.Header().Get("Location"))
		}
	})
	t.Run("confirming redirects to the page, which shows the check-in code", func(t *testing.T) {
		rec, _ := a.submit(page+"/confirm?lang=en", url.Values{})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page+"?lang=en" {
			t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
		}
		_, d := a.page(rec.Header().Get("Location"))
		if got := textOf(d.byID("status")); got != "Confirmed" {
			t.Errorf("status %q", got)
		}
		if !strings.Contains(d.text(), "Your check-in code") || strings.Contains(d.text(), "Confirm my registration") {
			t.Errorf("page: %s", d.text())
		}
		again, _ := a.submit(page+"/confirm", url.Values{})
		if again.Code != http.StatusSeeOther {
			t.Errorf("confirming twice: %d", again.Code)
		}
	})
	t.Run("cancelling redirects to the page, which shows it cancelled", func(t *testing.T) {
		rec, _ := a.submit(page+"/cancel", url.Values{})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d", rec.Code)
		}
		_, d := a.page(rec.Header().Get("Location"))
		if got := textOf(d.byID("status")); got != "Отменена" {
			t.Errorf("status %q", got)
		}
		if len(d.all("form")) != 0 || !strings.Contains(d.text(), "Зарегистрироваться снова") {
			t.Errorf("page: %s", d.text())
		}
	})
	t.Run("a cancelled registration cannot be confirmed: 409", func(t *testing.T) {
		rec, d := a.submit(page+"/confirm?lang=en", url.Values{})
		if rec.Code != http.StatusConflict || !strings.Contains(d.text(), "A cancelled registration cannot be confirmed") {
			t.Errorf("status %d: %s", rec.Code, d.text())
		}
		if got := a.registrations()[0].Status; got != "cancelled" {
			t.Errorf("status %s", got)
		}
	})
	t.Run("the token never reaches the logs", func(t *testing.T) {
		if strings.Contains(a.logs.String(), token) {
			t.Error("the logs hold the token")
		}
	})
}

func TestPersonalPageOfAWaitlistedRegistration(t *testing.T) {
	a := newAPI(t)
	a.event(a.token, "egov", func(b map[string]any) { b["capacity"] = 1 })
	a.linkToken("egov", "first@example.org", "en")
	token := a.linkToken("egov", "second@example.org", "en")
	_, d := a.page("/r/" + token)
	text := d.text()
	for _, want := range []string{"On the waiting list", "Confirm my email address", "Leave the waiting list"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in %s", want, text)
		}
	}
}

func TestBadLinks(t *testing.T) {
	a := newAPI(t)
	a.event(a.token, "egov", nil)
	token := a.linkToken("egov", "nino@example.ge", "en")
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
				r, d := a.page(tt.path)
				rec, text = r, d.text()
			} else {
				r, d := a.submit(tt.path, url.Values{})
				rec, text = r, d.text()
			}
			if rec.Result().StatusCode != tt.status || !strings.Contains(text, tt.want) {
				t.Errorf("status %d: %s", rec.Result().StatusCode, text)
			}
		})
	}
	t.Run("an expired link is a 410 page", func(t *testing.T) {
		a.st.Now = func() time.Time { return time.Now().AddDate(0, 3, 0) }
		rec, d := a.page("/r/" + token)
		if rec.Code != http.StatusGone || !strings.Contains(d.text(), "This link is no longer valid") {
			t.Errorf("status %d: %s", rec.Code, d.text())
		}
		rec, _ = a.submit("/r/"+token+"/cancel", url.Values{})
		if rec.Code != http.StatusGone {
			t.Errorf("cancel: status %d", rec.Code)
		}
	})
	t.Run("a cross-site POST to a link is refused", func(t *testing.T) {
		rec, _ := a.submit("/r/"+token+"/cancel", url.Values{}, "Sec-Fetch-Site", "cross-site")
		if rec.Code != http.StatusForbidden {
			t.Errorf("status %d", rec.Code)
		}
	})
}

package api_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/internal/demo"
)

// chromiumPath finds the browser the end-to-end tests drive. CI installs
// Debian's chromium; a machine without one fails the test rather than
// skipping it, so a green run always means the pages work in a browser.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found (looked for /usr/bin/chromium and chromium, chromium-browser, google-chrome on PATH; " +
		"set CHROMIUM to its path): the browser tests need a real headless browser, install the `chromium` package")
	return ""
}

// browser starts a fresh headless Chromium with its own profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1000, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// screenshot saves a full-page PNG under artifacts/ at the repository root
// (ignored by git), for people to look at after a run.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// text reads an element's text, failing the test when it cannot.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func attribute(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("read %s[%s]: %v", sel, name, err)
	}
	return a.Value
}

func eval(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

func TestBrowserRegistersInRussianAfterFixingErrors(t *testing.T) {
	a := newAPI(t)
	if _, err := demo.Load(context.Background(), a.st, a.rules, time.Now()); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	srv := httptest.NewServer(a.srv)
	t.Cleanup(srv.Close)
	ctx := browser(t)
	submit := chromedp.CSS(`form.form button[type=submit]`)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+demo.UpcomingSlug),
		chromedp.WaitVisible(submit),
	); err != nil {
		t.Fatalf("open the event page: %v", err)
	}
	if lang, title := attribute(t, ctx, "html", "lang"), text(t, ctx, "h1"); lang != "en" || !strings.Contains(title, "follow-up workshop") {
		t.Fatalf("event page in %q titled %q", lang, title)
	}

	t.Log("submit the empty form")
	if err := chromedp.Do(ctx, chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`#first_name-error`))); err != nil {
		t.Fatalf("submit empty: %v", err)
	}
	if got := text(t, ctx, "#first_name-error"); !strings.Contains(got, "Enter your first name.") {
		t.Errorf("first name error %q", got)
	}
	if got := text(t, ctx, "#consent-error"); !strings.Contains(got, "agree to the processing") {
		t.Errorf("consent error %q", got)
	}
	if got := attribute(t, ctx, "#first_name", "aria-invalid"); got != "true" {
		t.Errorf("aria-invalid %q", got)
	}
	if got := attribute(t, ctx, "#first_name", "aria-describedby"); !strings.Contains(got, "first_name-error") {
		t.Errorf("aria-describedby %q", got)
	}
	if got := text(t, ctx, ".error-summary"); !strings.Contains(got, "First name: Enter your first name.") {
		t.Errorf("summary %q", got)
	}
	screenshot(t, ctx, "registration-form-errors.png")

	t.Log("switch to Russian and fill the form in")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.langs a[hreflang=ru]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=ru] #first_name`)),
	); err != nil {
		t.Fatalf("switch to Russian: %v", err)
	}
	if got := text(t, ctx, "#registration-title"); got != "Регистрация на мероприятие" {
		t.Errorf("Russian form title %q", got)
	}
	country := eval(t, ctx, `[...document.querySelectorAll('#country option')].find(o => o.textContent.trim() === 'Узбекистан').value`)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#first_name`), "Дилноза"),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Юсупова"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "dilnoza.browser@example.uz"),
		chromedp.SendKeys(chromedp.CSS(`#organization`), "Центр экономических исследований и реформ"),
		chromedp.SendKeys(chromedp.CSS(`#position`), "Научный сотрудник"),
		chromedp.SetValue(chromedp.CSS(`#country`), country),
		chromedp.SetValue(chromedp.CSS(`#role`), "researcher"),
		chromedp.Click(chromedp.CSS(`#consent`)),
	); err != nil {
		t.Fatalf("fill the Russian form: %v", err)
	}
	if got := eval(t, ctx, `document.querySelector('#country').selectedOptions[0].textContent.trim()`); country != "UZ" || got != "Узбекистан" {
		t.Errorf("chose %q (%q) for Узбекистан", country, got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`.panel h1`))); err != nil {
		t.Fatalf("submit the Russian form: %v", err)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(location); err != nil || u.Path != "/events/"+demo.UpcomingSlug+"/thanks" {
		t.Errorf("landed on %q", location)
	}
	if got := text(t, ctx, ".panel"); !strings.Contains(got, "Спасибо за регистрацию") || !strings.Contains(got, "Мы отправили письмо") {
		t.Errorf("thank-you page says %q", got)
	}
	screenshot(t, ctx, "registration-thanks.png")

	var got struct {
		FirstName string `db:"first_name"`
		Country   string `db:"country"`
		Language  string `db:"language"`
		Status    string `db:"status"`
	}
	if err := a.db.Get(&got, `SELECT first_name, country, language, status FROM registrations WHERE email = $1`,
		"dilnoza.browser@example.uz"); err != nil {
		t.Fatalf("the registration is not stored: %v", err)
	}
	if got.FirstName != "Дилноза" || got.Country != "UZ" || got.Language != "ru" || got.Status != "pending" {
		t.Errorf("stored %+v", got)
	}
}

func TestBrowserConfirmsThroughThePersonalPage(t *testing.T) {
	a := newAPI(t)
	a.event(a.token, "egov", func(b map[string]any) {
		b["venue"], b["city"], b["capacity"] = "Academy of Public Administration", "Tashkent", 40
	})
	token := a.linkToken("egov", "gayrat@example.uz", "uz")
	srv := httptest.NewServer(a.srv)
	t.Cleanup(srv.Close)
	ctx := browser(t)

	t.Log("a phone-sized Uzbek event page")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/events/egov?lang=uz"),
		chromedp.WaitVisible(chromedp.CSS(`#first_name`)),
	); err != nil {
		t.Fatalf("open the Uzbek page: %v", err)
	}
	if w := eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the page is %spx wide on a 390px screen", w)
	}
	screenshot(t, ctx, "event-uz-phone.png")

	t.Log("the personal page, as the confirmation email links it")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1000, 900),
		chromedp.Navigate(srv.URL+"/r/"+token+"?action=confirm"),
		chromedp.WaitVisible(chromedp.CSS(`#status`)),
	); err != nil {
		t.Fatalf("open the personal page: %v", err)
	}
	if got := text(t, ctx, "#status"); got != "Tasdiqlashingiz kutilmoqda" {
		t.Errorf("status %q", got)
	}
	if got := text(t, ctx, ".intent"); !strings.Contains(got, "tasdiqlash uchun") {
		t.Errorf("intent %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action*="/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.checkin .code`)),
	); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if got := text(t, ctx, "#status"); got != "Tasdiqlangan" {
		t.Errorf("status after confirming %q", got)
	}
	screenshot(t, ctx, "personal-page-confirmed.png")
	if got := a.registrations()[0].Status; got != "confirmed" {
		t.Errorf("stored status %s", got)
	}
}

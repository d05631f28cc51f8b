package admin_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// TestBrowserApplicationsAndVisaFieldsFitAPhone opens, at a phone's width
// and a desktop's, the registration list of an event with applications to
// decide on (its checkboxes and the decision form) and the public form of
// an event that offers visa letters: nothing is wider than the screen.
func TestBrowserApplicationsAndVisaFieldsFitAPhone(t *testing.T) {
	d, _, regs := applicationsWorkshop(t)
	if _, err := d.Store.UpdateEvent(t.Context(), d.Org.ID, "review-workshop", func(ev *domain.Event) error {
		ev.VisaLetters = &domain.VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov"}
		ev.RegistrationClosesAt = nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "lead@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-user`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, screen := range []struct {
		name          string
		width, height int64
		lang          string
	}{{"phone", 390, 844, "uz"}, {"phone-ru", 390, 844, "ru"}, {"desktop", 1280, 900, "ru"}, {"desktop-en", 1280, 900, "en"}} {
		t.Run("on a "+screen.name, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(screen.width, screen.height),
				chromedp.Navigate(srv.URL+"/admin/events/review-workshop?lang="+screen.lang+"#registrations"),
				chromedp.WaitVisible(chromedp.CSS(`#decide-approve`)),
			); err != nil {
				t.Fatalf("open the event page: %v", err)
			}
			if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the dashboard is %s px wide, want %d", w, screen.width)
			}
			if n := servertest.Eval(t, ctx, `String(document.querySelectorAll('input[form=decide-form]').length)`); n != strconv.Itoa(len(regs)) {
				t.Errorf("%s checkboxes, want %d", n, len(regs))
			}
			// The list fits its frame (no column cut off), and every
			// row's status is on the screen, beside its box to tick.
			if over := servertest.Eval(t, ctx, `(() => { const t = document.querySelector('#registrations-table');
				return String(t.scrollWidth - t.parentElement.clientWidth); })()`); over != "0" {
				t.Errorf("the registration list is %s px wider than its frame", over)
			}
			if off := servertest.Eval(t, ctx, `String(Array.from(document.querySelectorAll('#registrations-table td.status')).filter(c => {
				const r = c.getBoundingClientRect(); return r.width === 0 || r.right > window.innerWidth; }).length)`); off != "0" {
				t.Errorf("%s statuses off the screen", off)
			}
			if n := servertest.Eval(t, ctx, `String(document.querySelectorAll('form.decide-one button[value=approve]').length)`); n != strconv.Itoa(len(regs)) {
				t.Errorf("%s rows with their own Approve button, want %d", n, len(regs))
			}
			elementShot(t, ctx, `#registrations`, "applications-"+screen.name+".png")

			if err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/events/review-workshop?lang="+screen.lang),
				chromedp.WaitVisible(chromedp.CSS(`#visa_needed`)),
			); err != nil {
				t.Fatalf("open the public form: %v", err)
			}
			if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the form is %s px wide, want %d", w, screen.width)
			}
			elementShot(t, ctx, `fieldset.visa`, "visa-form-"+screen.name+".png")
		})
	}
}

// elementShot saves a picture of the element sel in the artifacts, to look at.
func elementShot(t *testing.T, ctx context.Context, sel, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("screenshot %s: %v", sel, err)
	}
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

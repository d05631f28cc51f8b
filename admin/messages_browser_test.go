package admin_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/internal/servertest"
)

// browserSignIn opens a browser signed in to the dashboard at base as
// email (with the dashboard password), showing pages in lang.
func browserSignIn(t *testing.T, base, lang, email string) context.Context {
	t.Helper()
	b := servertest.Browser(t)
	if err := chromedp.Do(b,
		chromedp.Navigate(base+"/admin/login?lang="+lang),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.events`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return b
}

// TestBrowserLaysOutTheMessagePages opens the messages list with its
// compose form and preview, a sent message's page and the participant's
// unsubscribe page, on a 390-pixel
// phone and a desktop, in English and in Russian: none may be wider than
// the phone's screen.
func TestBrowserLaysOutTheMessagePages(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			d := servertest.NewDashboard(t)
			aigerim := d.Enrol(d.Ev, servertest.Attendee{First: "Aigerim", Last: "Seitova-Abenova", Email: "aigerim.seitova-abenova@ministry-of-digital-development.example.kz",
				Country: "KZ", Confirmed: true})
			owner := d.SignIn(d.Org.Email, servertest.DashPassword)
			page := "/admin/events/" + d.Ev.Slug + "/messages"
			rec, _ := d.Submit(page, composeForm("send"), "Cookie", owner)
			message := rec.Header().Get("Location")
			srv := httptest.NewServer(d.Srv)
			t.Cleanup(srv.Close)
			b := browserSignIn(t, srv.URL, lang, d.Org.Email)
			u, err := url.Parse(message)
			if err != nil {
				t.Fatal(err)
			}
			unsubscribe, err := d.Store.UnsubscribeToken(aigerim.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []struct{ name, path, wait string }{
				{"messages", page + "?lang=" + lang, "table.messages"},
				{"message", u.Path + "?lang=" + lang, "table.recipients"},
				{"unsubscribe", "/unsubscribe/" + unsubscribe + "?lang=" + lang, "form button"},
			} {
				for _, width := range []int64{390, 1280} {
					if err := chromedp.Do(b,
						chromedp.EmulateViewport(width, 844),
						chromedp.Navigate(srv.URL+p.path),
						chromedp.WaitVisible(chromedp.CSS(p.wait)),
					); err != nil {
						t.Fatalf("%s at %d: %v", p.name, width, err)
					}
					if width == 390 {
						if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != "390" {
							t.Errorf("%s is %spx wide on a 390px phone", p.name, w)
						}
					}
					if p.name == "unsubscribe" {
						// The site's button, not the browser's grey default.
						bg := servertest.Eval(t, b, `getComputedStyle(document.querySelector('form button')).backgroundColor`)
						if bg == "rgb(239, 239, 239)" || bg == "rgba(0, 0, 0, 0)" {
							t.Errorf("the unsubscribe button is unstyled (%s)", bg)
						}
					}
				}
			}
			// The preview, from the form without JavaScript's help.
			if err := chromedp.Do(b,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(srv.URL+page+"?lang="+lang),
				chromedp.SendKeys(chromedp.CSS(`#translations-en-subject`), "Slides"),
				chromedp.SendKeys(chromedp.CSS(`#translations-en-body`), "The slides: https://example.org/a-very-long-link-that-must-wrap-on-a-phone/slides.pdf"),
				chromedp.Click(chromedp.CSS(`button[value=preview]`)),
				chromedp.WaitVisible(chromedp.CSS(`#preview`)),
			); err != nil {
				t.Fatalf("preview: %v", err)
			}
			if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != "390" {
				t.Errorf("the preview is %spx wide on a 390px phone", w)
			}
		})
	}
}

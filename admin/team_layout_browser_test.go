package admin_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// TestBrowserLaysOutTheTeamPages opens every page this feature added, on a
// 390-pixel phone and a desktop, in English and in Russian: none may be
// wider than the phone's screen, and each is photographed (artifacts/) for
// people to look at.
func TestBrowserLaysOutTheTeamPages(t *testing.T) {
	for _, lang := range []string{"en", "ru"} {
		t.Run(lang, func(t *testing.T) {
			d := servertest.NewDashboard(t)
			ctx := context.Background()
			if _, err := d.Store.UpdateEvent(ctx, d.Org.ID, d.Ev.Slug, func(ev *domain.Event) error {
				return d.Rules.ApplyPatch(ev, domain.EventInput{
					CoOrganizers: domain.Some([]string{"Astana Civil Service Hub", "Academy of Public Administration under the President of the Republic of Uzbekistan"}),
					Translations: domain.Some(map[string]*domain.EventText{"ru": {Title: "Международный семинар по развитию электронного правительства", City: "Ташкент"}}),
				})
			}); err != nil {
				t.Fatal(err)
			}
			reg := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
			door := addMember(d, "door.staff.of.the.academy@academy.example.uz", domain.RoleDoor)
			d.Send("/admin/events/"+d.Ev.Slug+"/checkin", door, url.Values{"code": {reg.CheckinCode}})
			if _, err := d.Store.AddMember(ctx, d.Org.ID, d.Ev, domain.NewMember{Email: "invited@academy.example.uz", Role: domain.RoleOrganizer, Language: lang}); err != nil {
				t.Fatal(err)
			}
			invite := invitationLink(d, "invited@academy.example.uz")
			srv := httptest.NewServer(d.Srv)
			t.Cleanup(srv.Close)
			b := browserSignIn(t, srv.URL, lang, d.Org.Email)
			self := "/admin/events/" + d.Ev.Slug
			pages := []struct{ name, path, wait string }{
				{"events", "/admin", "table.events"},
				{"event", self, ".event-actions"},
				{"event-form", "/admin/events/new", "#slug"},
				{"event-edit", self + "/edit", "#title"},
				{"team", self + "/team", "table.team"},
				{"audit", self + "/audit", "table.audit"},
				{"invitation", invite, "#name"},
			}
			for _, p := range pages {
				for _, width := range []int64{390, 1280} {
					if err := chromedp.Do(b,
						chromedp.EmulateViewport(width, 844),
						chromedp.Navigate(srv.URL+p.path+"?lang="+lang),
						chromedp.WaitVisible(chromedp.CSS(p.wait)),
					); err != nil {
						t.Fatalf("%s at %d: %v", p.name, width, err)
					}
					if width == 390 {
						if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != "390" {
							t.Errorf("%s is %spx wide on a 390px phone", p.name, w)
						}
						servertest.Screenshot(t, b, "team-"+p.name+"-"+lang+"-phone.png")
					} else {
						servertest.Screenshot(t, b, "team-"+p.name+"-"+lang+"-desktop.png")
					}
				}
			}
			// The form's error summary, on the phone.
			if err := chromedp.Do(b,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(srv.URL+"/admin/events/new?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS(`#slug`)),
				chromedp.Click(chromedp.CSS(`form.event-form button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#error-summary`)),
			); err != nil {
				t.Fatalf("errors: %v", err)
			}
			if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != "390" {
				t.Errorf("the form with errors is %spx wide on a 390px phone", w)
			}
			servertest.Screenshot(t, b, "team-event-form-errors-"+lang+"-phone.png")
		})
	}
}

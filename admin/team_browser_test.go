package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// TestBrowserRunsAWorkshopWithATeam drives Chromium through what an
// organizer of a government workshop does without the API: create a
// two-day event with its Russian and Uzbek texts, publish it, add a
// colleague as door staff; the colleague sets a password from the
// emailed invitation, checks a participant in at the door, and is refused
// the attendee list.
func TestBrowserRunsAWorkshopWithATeam(t *testing.T) {
	d := servertest.NewDashboard(t) // clock: 30 May 2019, 10:00 in Tashkent
	srv := httptest.NewServer(d.Srv)
	t.Cleanup(srv.Close)
	b := servertest.Browser(t)
	const slug = "egov-followup-2019"
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	t.Log("the owner signs in and opens the new-event form")
	run("sign in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), d.Org.Email),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/events/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/admin/events/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#slug`)),
	)

	t.Log("a first try without a title shows the errors, and keeps what was typed")
	run("fill the form",
		chromedp.SendKeys(chromedp.CSS(`#slug`), slug),
		chromedp.SetValue(chromedp.CSS(`#country`), "UZ"),
		chromedp.SendKeys(chromedp.CSS(`#venue`), "Academy of Public Administration"),
		chromedp.SendKeys(chromedp.CSS(`#city`), "Tashkent"),
		chromedp.SendKeys(chromedp.CSS(`#co_organizers`), "Astana Civil Service Hub\nAcademy of Public Administration"),
		chromedp.SendKeys(chromedp.CSS(`#translations-ru-title`), "Электронное правительство: второй семинар"),
		chromedp.SendKeys(chromedp.CSS(`#translations-ru-venue`), "Академия государственного управления"),
		chromedp.SendKeys(chromedp.CSS(`#translations-ru-city`), "Ташкент"),
		chromedp.SendKeys(chromedp.CSS(`#translations-ru-co_organizers`), "Астанинский хаб государственной службы"),
		chromedp.SendKeys(chromedp.CSS(`#translations-uz-title`), "Elektron hukumat: ikkinchi seminar"),
		chromedp.SendKeys(chromedp.CSS(`#translations-uz-city`), "Toshkent"),
		chromedp.SendKeys(chromedp.CSS(`#timezone`), "Asia/Tashkent"),
		chromedp.SetValue(chromedp.CSS(`#starts_on`), "2019-06-18"),
		chromedp.SetValue(chromedp.CSS(`#ends_on`), "2019-06-19"),
		chromedp.SetValue(chromedp.CSS(`#capacity`), "40"),
		chromedp.SetValue(chromedp.CSS(`#registration_closes_at`), "2019-06-17T18:00"),
		chromedp.Click(chromedp.CSS(`form.event-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#error-summary`)),
	)
	if got := servertest.ElementText(t, b, "#error-summary"); !strings.Contains(got, "Title") {
		t.Errorf("summary %q, want the missing title", got)
	}
	if got := servertest.Attribute(t, b, "#translations-ru-city", "value"); got != "Ташкент" {
		t.Errorf("the Russian city came back as %q", got)
	}

	run("fix the title and create",
		chromedp.SendKeys(chromedp.CSS(`#title`), "E-government: second workshop of the P2P Alliance"),
		chromedp.Click(chromedp.CSS(`form.event-form button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`.event-actions input[name=published][value=true]`)),
	)
	if got := servertest.ElementText(t, b, "#notice"); !strings.Contains(got, "draft") {
		t.Errorf("after creating: %q", got)
	}
	t.Log("publish it")
	run("publish",
		chromedp.Click(chromedp.CSS(`.event-actions form button`)),
		chromedp.WaitReady(chromedp.CSS(`.event-actions input[name=published][value=false]`)),
	)
	if got := servertest.ElementText(t, b, "#notice"); !strings.Contains(got, "published") {
		t.Errorf("after publishing: %q", got)
	}
	ev, _, err := d.Store.Membership(context.Background(), d.Org.ID, slug)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Published || len(ev.Days()) != 2 || ev.In("ru").City != "Ташкент" || ev.In("uz").Title != "Elektron hukumat: ikkinchi seminar" {
		t.Fatalf("stored: published %v, %d days, ru city %q, uz title %q", ev.Published, len(ev.Days()), ev.In("ru").City, ev.In("uz").Title)
	}

	t.Log("a Russian reader sees the Russian texts on the public page")
	run("public page", chromedp.Navigate(srv.URL+"/events/"+slug+"?lang=ru"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if got := servertest.ElementText(t, b, "h1"); got != "Электронное правительство: второй семинар" {
		t.Errorf("Russian title %q", got)
	}
	if got := servertest.ElementText(t, b, ".facts"); !strings.Contains(got, "Ташкент, Узбекистан") {
		t.Errorf("Russian place %q", got)
	}

	t.Log("the owner adds door staff, in Russian")
	run("team",
		chromedp.Navigate(srv.URL+"/admin/events/"+slug+"/team?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "desk@academy.example.uz"),
		chromedp.SetValue(chromedp.CSS(`#role`), "door"),
		chromedp.Click(chromedp.CSS(`section.panel button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice`)),
	)
	if got := servertest.ElementText(t, b, "#notice"); !strings.Contains(got, "приглашение") {
		t.Errorf("after adding: %q", got)
	}

	t.Log("a participant registers and is confirmed")
	consent := true
	reg, err := d.Rules.NewRegistration(domain.RegistrationInput{FirstName: "Дилноза", LastName: "Юсупова",
		Email: "dilnoza@example.uz", Country: "UZ", Organization: "CERR", Role: "researcher", Language: "ru", Consent: &consent}, ev, d.Clock())
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Store.RegisterWalkIn(context.Background(), ev, reg, d.Org.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	t.Log("the door staff member sets a password from the invitation")
	run("sign out", chromedp.Click(chromedp.CSS(`.admin-logout button`)), chromedp.WaitVisible(chromedp.CSS(`#password`)))
	run("invitation",
		chromedp.Navigate(srv.URL+invitationLink(d, "desk@academy.example.uz")+"?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
	)
	run("accept",
		chromedp.SendKeys(chromedp.CSS(`#name`), "Малика Каримова"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "door staff password 2019"),
		chromedp.SendKeys(chromedp.CSS(`#password_again`), "door staff password 2019"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.events`)),
	)
	if got := servertest.ElementText(t, b, "table.events tbody"); !strings.Contains(got, "Регистрация на входе") {
		t.Errorf("the door staff's list: %q", got)
	}

	t.Log("on the first day the door staff member signs in at the desk (yesterday's session has ended) and checks the participant in")
	d.SetClock(time.Date(2019, time.June, 18, 8, 30, 0, 0, servertest.Tashkent))
	run("check in",
		chromedp.Navigate(srv.URL+"/admin/events/"+slug+"/checkin"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "desk@academy.example.uz"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "door staff password 2019"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
		chromedp.SendKeys(chromedp.CSS(`#code`), res.Registration.CheckinCode),
		chromedp.Click(chromedp.CSS(`#code-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
	)
	if got := servertest.ElementText(t, b, ".door-headline"); got != "Отмечен(а)" {
		t.Errorf("door headline %q", got)
	}

	t.Log("and is refused the attendee list and the registrations")
	for _, path := range []string{"/admin/events/" + slug + "/export?format=xlsx", "/admin/events/" + slug} {
		resp, err := chromedp.RunResponse(b, chromedp.Navigate(srv.URL+path))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		if resp.Status != http.StatusForbidden {
			t.Errorf("%s answered the door staff %d, want 403", path, resp.Status)
		}
		if got := servertest.ElementText(t, b, "h1"); got != "Не входит в вашу роль" && got != "Not part of your role" {
			t.Errorf("%s shows %q", path, got)
		}
	}
	cookie := d.SignIn("desk@academy.example.uz", "door staff password 2019")
	for _, path := range []string{"/admin/events/" + slug + "/export?format=csv", "/api/v1/events/" + slug + "/registrations/export?format=csv"} {
		if rec, _ := d.Open(path, cookie); rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound && rec.Code != http.StatusUnauthorized {
			t.Errorf("%s with the door staff's session: %d", path, rec.Code)
		}
	}
	var n int
	if err := d.DB.Get(&n, `SELECT count(*) FROM checkins WHERE registration_id = $1`, res.Registration.ID); err != nil || n != 1 {
		t.Errorf("%d check-ins stored, %v", n, err)
	}

	t.Log("the owner reads who did what, in Russian")
	run("owner again",
		chromedp.Navigate(srv.URL+"/admin"),
		chromedp.Click(chromedp.CSS(`.admin-logout button`)),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), d.Org.Email),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.events`)),
		chromedp.Navigate(srv.URL+"/admin/events/"+slug+"/audit?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`table.audit`)),
	)
	if got := servertest.ElementText(t, b, "table.audit tbody"); !strings.Contains(got, "Отметил(а) приход") || !strings.Contains(got, "desk@academy.example.uz") {
		t.Errorf("audit log: %q", got)
	}
}

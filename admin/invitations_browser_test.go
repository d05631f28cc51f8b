package admin_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// sealedLink is the plain token of the newest email of kind to address.
func sealedLink(t *testing.T, d *servertest.Dashboard, kind domain.EmailKind, address string) string {
	t.Helper()
	var sealed string
	if err := d.DB.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails WHERE kind = $1 AND recipient = $2
		ORDER BY id DESC LIMIT 1`, kind, address); err != nil {
		t.Fatalf("no %s email to %s: %v", kind, address, err)
	}
	token, err := d.Store.Sealer.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestBrowserInvitesFromAFileAndNominatesByCountry drives Chromium through
// an invitation-only workshop: on a phone, the organizer uploads a CSV of
// three people (one with a bad address), sees the preview say so, and
// invites the other two; at a desktop, in Russian, the same file again
// invites nobody; the organizer gives Kazakhstan's focal point a quota of
// two; on the focal point's page, on a phone, the third nomination is
// refused; the invitation link opens the form filled in.
func TestBrowserInvitesFromAFileAndNominatesByCountry(t *testing.T) {
	d := servertest.NewDashboard(t)
	const slug = "invited-2019"
	d.Workshop(d.Org, slug, func(in *domain.EventInput) { in.InvitationOnly = domain.Some(true) })
	srv := httptest.NewServer(d.Srv)
	t.Cleanup(srv.Close)
	b := servertest.Browser(t)
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(b, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	fitsTheScreen := func(width int64) {
		t.Helper()
		if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(width, 10) {
			t.Errorf("the page is %s px wide on a %d px screen", w, width)
		}
	}
	file := filepath.Join(t.TempDir(), "invitees.csv")
	if err := os.WriteFile(file, []byte("Эл. почта;Имя;Фамилия;Делегация;Организация;Notes\n"+
		"aigerim.bekova@example.kz;Aigerim;Bekova;KZ;Ministry of Digital Development;x\n"+
		"not-an-address;Bakyt;Osmonov;KG;Agency for Civil Service;y\n"+
		"rustam.karimov@example.uz;Rustam;Karimov;UZ;Ministry of Justice;z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	page := srv.URL + "/admin/events/" + slug + "/invitations"

	t.Log("on a phone, the organizer previews the file and imports it")
	run("sign in and preview",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), d.Org.Email),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-user`)),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview-table`)),
	)
	preview := servertest.ElementText(t, b, "#preview-table")
	if !strings.Contains(preview, "Not valid") || strings.Count(preview, "Will be invited") != 2 {
		t.Errorf("preview reads %q; want two to invite and the bad address named", preview)
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM invitees`); n != 0 {
		t.Errorf("the preview stored %d invitees", n)
	}
	fitsTheScreen(390)
	servertest.Screenshot(t, b, "invitations-preview-phone.png")
	run("import", chromedp.Click(chromedp.CSS(`#import`)), chromedp.WaitVisible(chromedp.CSS(`#notice`)))
	if got := servertest.ElementText(t, b, "#notice"); !strings.Contains(got, "2") {
		t.Errorf("after the import: %q", got)
	}
	if got := servertest.ElementText(t, b, "#invitees-table"); !strings.Contains(got, "aigerim.bekova@example.kz") {
		t.Errorf("invitations list %q", got)
	}

	t.Log("at a desktop, in Russian, the same file invites nobody again")
	run("preview again",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(page+"?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview-table`)),
	)
	if got := servertest.ElementText(t, b, "#preview-table"); strings.Count(got, "Уже приглашён") != 2 {
		t.Errorf("second preview reads %q; want both invited before", got)
	}
	if servertest.Eval(t, b, `String(document.querySelector('#import') === null)`) != "true" {
		t.Error("the preview offers to import when there is nobody new")
	}
	fitsTheScreen(1280)

	t.Log("the organizer gives Kazakhstan's focal point a quota of two")
	run("quota",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#give-quota`)),
		chromedp.SetValue(chromedp.CSS(`#delegation`), "KZ"),
		chromedp.SendKeys(chromedp.CSS(`#focal-email`), "focal@mfa.example.kz"),
		chromedp.SendKeys(chromedp.CSS(`#quota`), "2"),
		chromedp.Click(chromedp.CSS(`#give-quota`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice`)),
	)
	if got := servertest.ElementText(t, b, "#delegations-table"); !strings.Contains(got, "focal@mfa.example.kz") {
		t.Errorf("delegations table %q", got)
	}

	t.Log("on a phone, the focal point nominates two; the third is refused")
	nominations := srv.URL + "/n/" + sealedLink(t, d, domain.EmailNominationRequest, "focal@mfa.example.kz")
	run("open the nomination page", chromedp.EmulateViewport(390, 844), chromedp.Navigate(nominations),
		chromedp.WaitVisible(chromedp.CSS(`#nominate`)))
	for i, who := range []string{"Dana", "Erlan"} {
		run("nominate "+who,
			chromedp.SendKeys(chromedp.CSS(`#first_name`), who),
			chromedp.SendKeys(chromedp.CSS(`#last_name`), "Nurpeisov"),
			chromedp.SendKeys(chromedp.CSS(`#email`), strings.ToLower(who)+"@gov.example.kz"),
			chromedp.SendKeys(chromedp.CSS(`#organization`), "Ministry of Foreign Affairs"),
			chromedp.Click(chromedp.CSS(`#nominate`)),
			chromedp.WaitVisible(chromedp.CSS(`#nominees tbody tr:nth-child(`+strconv.Itoa(i+1)+`)`)),
		)
	}
	if servertest.Eval(t, b, `String(document.querySelector('#nominate') === null)`) != "true" {
		t.Error("the form is still offered with the quota used up")
	}
	fitsTheScreen(390)
	servertest.Screenshot(t, b, "nominations-phone.png")
	// A page opened before the quota ran out still sends a third.
	rec, _ := d.Submit("/n/"+sealedLink(t, d, domain.EmailNominationRequest, "focal@mfa.example.kz"),
		map[string][]string{"first_name": {"Gulnara"}, "last_name": {"Abenova"}, "email": {"gulnara@gov.example.kz"},
			"organization": {"Ministry"}})
	// The page speaks the focal point's language, Russian here (the quota
	// was given from the dashboard in Russian), whatever the browser says.
	if rec.Code != 409 || !strings.Contains(rec.Body.String(), "Квота в 2 кандидатов исчерпана") {
		t.Errorf("third nomination: %d", rec.Code)
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM invitees WHERE focal_point_id IS NOT NULL`); n != 2 {
		t.Errorf("%d nominees stored, want 2", n)
	}

	t.Log("the invitation link opens the form filled in")
	run("open the invitation", chromedp.Navigate(srv.URL+"/i/"+sealedLink(t, d, domain.EmailParticipantInvitation, "aigerim.bekova@example.kz")),
		chromedp.WaitVisible(chromedp.CSS(`#decline`)))
	if got := servertest.Attribute(t, b, "#email", "value"); got != "aigerim.bekova@example.kz" {
		t.Errorf("email field %q", got)
	}
	if got := servertest.Attribute(t, b, "#first_name", "value"); got != "Aigerim" {
		t.Errorf("first name field %q", got)
	}
	fitsTheScreen(390)
}

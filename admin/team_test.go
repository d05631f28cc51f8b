package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// invitationLink is the path of the newest invitation emailed to email.
func invitationLink(d *servertest.Dashboard, email string) string {
	d.T.Helper()
	var sealed string
	if err := d.DB.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails WHERE kind = 'invitation' AND recipient = $1
		ORDER BY id DESC LIMIT 1`, email); err != nil {
		d.T.Fatalf("invitation of %s: %v", email, err)
	}
	token, err := d.Store.Sealer.Open(sealed)
	if err != nil {
		d.T.Fatal(err)
	}
	return "/admin/invite/" + token
}

func TestTheOwnerAddsATeamAndTheInvitedSetAPassword(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	team := "/admin/events/" + d.Ev.Slug + "/team"

	// A bad address comes back with its error and what was typed.
	rec, page := d.Submit(team, url.Values{"email": {"not an address"}, "role": {"door"}, "language": {"ru"}}, "Cookie", owner)
	if rec.Code != http.StatusUnprocessableEntity || page.ByID("email-error") == nil || servertest.Attr(page.ByID("email"), "value") != "not an address" {
		t.Fatalf("a bad address: %d", rec.Code)
	}
	_, page = d.Follow(d.Send(team, owner, url.Values{"email": {"Desk@Academy.example.uz"}, "role": {"door"}, "language": {"ru"}}), owner)
	if !strings.Contains(page.Text(), "desk@academy.example.uz is on the team and has been sent an invitation") {
		t.Errorf("no notice of the invitation: %.300s", page.Text())
	}
	rows := servertest.TableRows(page.SelectAll("table.data")[0], "tbody")
	if len(rows) != 2 || !strings.Contains(rows[1][0], "desk@academy.example.uz") || rows[1][1] != "Door staff" ||
		!strings.Contains(rows[1][0], "Invited") {
		t.Errorf("team rows %q", rows)
	}

	// The invitation: its page, a refused form, then the password set and
	// the new member signed in, at the check-in page's door.
	link := invitationLink(d, "desk@academy.example.uz")
	rec, page = d.Page(link + "?lang=ru")
	if rec.Code != http.StatusOK || !strings.Contains(page.Text(), "Регистрация на входе") {
		t.Fatalf("invitation page: %d %.300s", rec.Code, page.Text())
	}
	rec, page = d.Submit(link, url.Values{"name": {""}, "password": {"short"}, "password_again": {"other"}})
	if rec.Code != http.StatusUnprocessableEntity || page.ByID("name-error") == nil || page.ByID("password-error") == nil ||
		page.ByID("password_again-error") == nil || servertest.Attr(page.ByID("password"), "value") != "" {
		t.Errorf("a refused invitation form: %d", rec.Code)
	}
	pw := "door staff password 2019"
	rec, _ = d.Submit(link, url.Values{"name": {"Malika Karimova"}, "password": {pw}, "password_again": {pw}})
	desk := servertest.SessionCookie(rec)
	if rec.Code != http.StatusSeeOther || desk == nil {
		t.Fatalf("accept: %d", rec.Code)
	}
	_, page = d.Open("/admin", desk.Name+"="+desk.Value)
	if !strings.Contains(page.Text(), "Door staff") || !strings.Contains(page.Text(), "Malika Karimova") && !strings.Contains(page.Text(), "desk@academy.example.uz") {
		t.Errorf("the new member's dashboard: %.300s", page.Text())
	}
	if rec, _ := d.Page(link); rec.Code != http.StatusGone {
		t.Errorf("the used link answers %d, want 410", rec.Code)
	}
	if rec, _ := d.Page("/admin/invite/" + strings.Repeat("A", 43)); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown link answers %d, want 404", rec.Code)
	}
	d.SignIn("desk@academy.example.uz", pw)

	// Organizers see the team but cannot change it; the owner removes.
	organizer := addMember(d, "aigerim@astanahub.example", domain.RoleOrganizer)
	_, page = d.Open(team, organizer)
	if len(page.FormsWithAction("/team")) != 0 || !strings.Contains(page.Text(), "Only the event's owner can change the team") {
		t.Error("an organizer is offered the team form")
	}
	_, page = d.Follow(d.Send(team+"/remove", owner, url.Values{"email": {"desk@academy.example.uz"}}), owner)
	if strings.Contains(page.Text(), "Malika") || !strings.Contains(page.Text(), "is no longer on the team") {
		t.Errorf("after removal: %.300s", page.Text())
	}
	if rec, _ := d.Open("/admin/events/"+d.Ev.Slug+"/checkin", desk.Name+"="+desk.Value); rec.Code != http.StatusNotFound {
		t.Errorf("a removed member's check-in page: %d, want 404", rec.Code)
	}
}

func TestTheAuditPageSaysWhoDidWhatInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	reg := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	door := addMember(d, "door@example.org", domain.RoleDoor)
	if rec := d.Send("/admin/events/"+d.Ev.Slug+"/checkin", door, url.Values{"code": {reg.CheckinCode}}); rec.Code >= 400 {
		t.Fatalf("check-in: %d", rec.Code)
	}
	if rec, _ := d.Open("/admin/events/"+d.Ev.Slug+"/export?format=csv", owner); rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	_, page := d.Open("/admin/events/"+d.Ev.Slug+"/audit?lang=ru", owner)
	rows := servertest.TableRows(page.SelectAll("table.data")[0], "tbody")
	if len(rows) < 4 {
		t.Fatalf("audit rows %q", rows)
	}
	// Newest first: the export, the check-in, the member added, the event created.
	wants := [][2]string{{d.Org.Email, "Выгрузил(а) список"}, {"door@example.org", "Отметил(а) приход"},
		{d.Org.Email, "Добавил(а) в команду"}}
	for i, w := range wants {
		if rows[i][1] != w[0] || rows[i][2] != w[1] {
			t.Errorf("row %d = %q, want %q", i, rows[i], w)
		}
	}
	if !strings.Contains(rows[1][3], reg.ID) || strings.Contains(page.Text(), "Kadri") {
		t.Errorf("the check-in names %q; the page must name the registration only", rows[1][3])
	}
	_, page = d.Open("/admin/events/"+d.Ev.Slug+"/audit?action=checkin.create", owner)
	if rows := servertest.TableRows(page.SelectAll("table.data")[0], "tbody"); len(rows) != 1 {
		t.Errorf("filtered by check-ins: %q", rows)
	}
}

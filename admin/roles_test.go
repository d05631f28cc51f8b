package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// dashboardPermissions says, independently of the route table, what each
// dashboard page of an event needs; a route missing here fails the test.
var dashboardPermissions = map[string]domain.Permission{
	"GET /admin/events/:slug":                                   domain.PermReadRegistrations,
	"GET /admin/events/:slug/edit":                              domain.PermEditEvent,
	"GET /admin/events/:slug/invitations":                       domain.PermReadRegistrations,
	"POST /admin/events/:slug/invitations/preview":              domain.PermChangeRegistrations,
	"POST /admin/events/:slug/invitations/import":               domain.PermChangeRegistrations,
	"POST /admin/events/:slug/invitations/focal-points":         domain.PermChangeRegistrations,
	"POST /admin/events/:slug/invitations/:id/withdraw":         domain.PermChangeRegistrations,
	"POST /admin/events/:slug/invitations/:id/resend":           domain.PermChangeRegistrations,
	"POST /admin/events/:slug/edit":                             domain.PermEditEvent,
	"POST /admin/events/:slug/publish":                          domain.PermEditEvent,
	"GET /admin/events/:slug/export":                            domain.PermExport,
	"POST /admin/events/:slug/registrations/:id/cancel":         domain.PermChangeRegistrations,
	"POST /admin/events/:slug/registrations/:id/promote":        domain.PermChangeRegistrations,
	"POST /admin/events/:slug/registrations/decide":             domain.PermChangeRegistrations,
	"GET /admin/events/:slug/documents/visa-letters.zip":        domain.PermExport,
	"GET /admin/events/:slug/registrations/:id/visa-letter.pdf": domain.PermExport,
	"POST /admin/events/:slug/emails/:id/retry":                 domain.PermChangeRegistrations,
	"GET /admin/events/:slug/questions":                         domain.PermEditEvent,
	"POST /admin/events/:slug/questions":                        domain.PermEditEvent,
	"GET /admin/events/:slug/checkin":                           domain.PermCheckIn,
	"POST /admin/events/:slug/checkin":                          domain.PermCheckIn,
	"GET /admin/events/:slug/team":                              domain.PermReadTeam,
	"POST /admin/events/:slug/team":                             domain.PermManageTeam,
	"POST /admin/events/:slug/team/remove":                      domain.PermManageTeam,
	"GET /admin/events/:slug/audit":                             domain.PermReadAudit,
	"GET /admin/events/:slug/documents/sign-in-sheet.pdf":       domain.PermExport,
	"GET /admin/events/:slug/documents/badges.pdf":              domain.PermExport,
	"GET /admin/events/:slug/documents/certificates.zip":        domain.PermExport,
	"GET /admin/events/:slug/documents/attendance-report.pdf":   domain.PermExport,
	"GET /admin/events/:slug/documents/attendance-report.xlsx":  domain.PermExport,
	"POST /admin/events/:slug/certificate":                      domain.PermEditEvent,
	"GET /admin/events/:slug/messages":                          domain.PermChangeRegistrations,
	"POST /admin/events/:slug/messages":                         domain.PermChangeRegistrations,
	"GET /admin/events/:slug/messages/:id":                      domain.PermChangeRegistrations,
	"POST /admin/events/:slug/messages/:id/send":                domain.PermChangeRegistrations,
	"POST /admin/events/:slug/messages/:id/test":                domain.PermChangeRegistrations,
	"POST /admin/events/:slug/messages/:id/retry-failed":        domain.PermChangeRegistrations,
	"POST /admin/events/:slug/messages/:id/cancel":              domain.PermChangeRegistrations,
}

// addMember puts a new organizer account with the dashboard password on
// the workshop's team with role, and signs them in.
func addMember(d *servertest.Dashboard, email string, role domain.TeamRole) string {
	d.T.Helper()
	o, _ := d.Organizer(email)
	d.SetPassword(o, servertest.DashPassword)
	if _, err := d.Store.AddMember(context.Background(), d.Org.ID, d.Ev, domain.NewMember{Email: email, Role: role}); err != nil {
		d.T.Fatal(err)
	}
	return d.SignIn(email, servertest.DashPassword)
}

// TestEveryDashboardPageChecksTheRole walks every page of an event for each
// role on its team: a page the role does not grant answers 403 with the
// page that says so, and changes nothing; one it grants is served.
func TestEveryDashboardPageChecksTheRole(t *testing.T) {
	d := servertest.NewDashboard(t)
	reg := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true, Notify: true})
	var emailID, inviteeID string
	if _, err := d.Store.ImportInvitees(context.Background(), d.Org.ID, d.Ev, d.Rules.CheckInvitees(d.Ev,
		[]domain.InviteeInput{{Email: "invited@example.kz", Language: "en"}}), false); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.Get(&inviteeID, `SELECT id::text FROM invitees LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.Get(&emailID, `SELECT id::text FROM emails LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	// A message, so that its page and actions have something to serve.
	msg, _, err := d.Store.CreateMessage(t.Context(), d.Org.ID, d.Ev, domain.MessageInput{
		Texts: domain.MessageTexts{"en": {Subject: "Slides", Body: "The slides."}}})
	if err != nil {
		t.Fatal(err)
	}
	// Certificates offered, so that their download has something to serve.
	if err := d.Store.SetCertificateSettings(t.Context(), d.Ev.ID, domain.CertificateSettings{
		Rule: domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 1}, SignatoryName: "Alisher Karimov"}); err != nil {
		t.Fatal(err)
	}
	// Visa letters offered, and asked for, so that their downloads have
	// something to serve.
	if _, err := d.Store.UpdateEvent(t.Context(), d.Org.ID, d.Ev.Slug, func(ev *domain.Event) error {
		ev.VisaLetters = &domain.VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Someone else asked for the letter: the calls cancel and erase reg.
	visaReg := d.Enrol(d.Ev, servertest.Attendee{First: "Liis", Last: "Kask", Email: "liis@example.ee", Country: "EE", Confirmed: true})
	if _, err := d.DB.Exec(`INSERT INTO registration_visa VALUES ($1, 'Liis Kask', 'K1234567', 'EE', '1990-01-01', '2030-01-01', now())`, visaReg.ID); err != nil {
		t.Fatal(err)
	}
	cookies := map[domain.TeamRole]string{
		domain.RoleOwner:     d.SignIn(d.Org.Email, servertest.DashPassword),
		domain.RoleOrganizer: addMember(d, "organizer@example.org", domain.RoleOrganizer),
		domain.RoleDoor:      addMember(d, "door@example.org", domain.RoleDoor),
	}
	type call struct {
		route, method, path string
		form                url.Values
	}
	var calls []call
	for _, r := range d.Srv.Routes() {
		if !strings.HasPrefix(r.Path, "/admin/events/:slug") {
			continue
		}
		route := r.Method + " " + r.Path
		if _, ok := dashboardPermissions[route]; !ok {
			t.Errorf("%s is not classified: give it its permission in dashboardPermissions (and in the route table)", route)
			continue
		}
		path := servertest.RouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch {
			case p == ":slug":
				return d.Ev.Slug
			case strings.Contains(r.Path, "/emails/"):
				return emailID
			case strings.Contains(r.Path, "/messages/"):
				return strconv.FormatInt(msg.ID, 10)
			case strings.Contains(r.Path, "/invitations/"):
				return inviteeID
			case strings.HasSuffix(r.Path, "/visa-letter.pdf"):
				return visaReg.ID // the one with a letter
			}
			return reg.ID
		})
		calls = append(calls, call{route, r.Method, path, url.Values{"code": {reg.CheckinCode}, "day": {"2019-05-30"},
			"email": {"someone@example.org"}, "role": {"door"}, "published": {"true"}, "format": {"csv"}}})
	}
	if len(calls) < len(dashboardPermissions) {
		t.Fatalf("only %d dashboard routes of an event found; is the route table complete?", len(calls))
	}
	do := func(c call, cookie string) (int, string) {
		if c.method == http.MethodGet {
			rec, page := d.Open(c.path+"?format=csv", cookie)
			return rec.Code, page.Text()
		}
		rec, page := d.Submit(c.path, c.form, "Cookie", cookie)
		return rec.Code, page.Text() + rec.Header().Get("Location")
	}
	state := func() int {
		return servertest.CountRows(t, d.Server, `SELECT (SELECT count(*) FROM checkins) + (SELECT count(*) FROM audit_log)
			+ (SELECT count(*) FROM registrations WHERE status = 'confirmed') + (SELECT count(*) FROM event_organizers)
			+ (SELECT count(*) FROM events WHERE published)`)
	}
	for _, role := range []domain.TeamRole{domain.RoleDoor, domain.RoleOrganizer, domain.RoleOwner} {
		before := state()
		for _, c := range calls {
			if role.Can(dashboardPermissions[c.route]) {
				continue
			}
			code, text := do(c, cookies[role])
			if code != http.StatusForbidden || !strings.Contains(text, "Not part of your role") {
				t.Errorf("%s: %s answered %d, want 403 and the page that says why: %.200s", role, c.route, code, text)
			}
		}
		if after := state(); after != before {
			t.Errorf("%s: refused requests changed the event (%d → %d)", role, before, after)
		}
		for _, c := range calls {
			if !role.Can(dashboardPermissions[c.route]) {
				continue
			}
			code, text := do(c, cookies[role])
			if code == http.StatusForbidden || code == http.StatusNotFound || strings.Contains(text, "/admin/login") {
				t.Errorf("%s: %s answered %d, want it served: %.200s", role, c.route, code, text)
			}
		}
	}
}

// TestDoorStaffSeeTheirEventsWithTheCheckInOnly: the events list sends door
// staff to the check-in page, and names their role.
func TestDoorStaffSeeTheirEventsWithTheCheckInOnly(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := addMember(d, "door@example.org", domain.RoleDoor)
	_, page := d.Open("/admin", cookie)
	rows := servertest.TableRows(page.SelectAll("table.data")[0], "tbody")
	if len(rows) != 1 || !strings.Contains(rows[0][0], "Door staff") {
		t.Fatalf("rows %q, want the workshop with the role Door staff", rows)
	}
	for _, a := range page.All("a") {
		if href := servertest.Attr(a, "href"); href == "/admin/events/"+d.Ev.Slug || strings.Contains(href, "/export") {
			t.Errorf("door staff are offered %s", href)
		}
	}
	if page.Walk(func(n *html.Node) bool {
		return n.Data == "a" && servertest.Attr(n, "href") == "/admin/events/"+d.Ev.Slug+"/checkin"
	}) == nil {
		t.Error("no link to the check-in page")
	}
}

package admin_test

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/internal/servertest"
)

// The invitations list on the dashboard: counts of each state at the top,
// filters by state and delegation, pages of 50 with next and previous, and
// on each row the buttons that email again and withdraw, which come back
// to the same view of the list.
func TestTheInvitationsListFiltersPagesAndWithdrawsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name,delegation\n")
	for i := range 60 {
		fmt.Fprintf(&csv, "kz%02d@example.kz,Aigerim,Bekova,KZ\n", i)
	}
	csv.WriteString("uz00@example.uz,Rustam,Karimov,UZ\n")
	if rec := d.Send("/admin/events/egov-tashkent-2019/invitations/import", cookie, map[string][]string{"rows": {csv.String()}}); rec.Code != 303 {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	notice := func(page *servertest.Doc) string { // the page's notice
		if n := page.Walk(func(n *html.Node) bool { return servertest.HasClass(n, "notice") }); n != nil {
			return servertest.TextOf(n)
		}
		return "(none)"
	}
	base := "/admin/events/egov-tashkent-2019/invitations"
	href := func(n *html.Node) string { // as a browser sends it: without the fragment
		h, _, _ := strings.Cut(servertest.Attr(n, "href"), "#")
		return h
	}

	_, page := d.Open(base+"?lang=ru", cookie)
	if counts := servertest.TextOf(page.ByID("state-counts")); !strings.Contains(counts, "Все: 61") || !strings.Contains(counts, "Отозвано 0") {
		t.Errorf("counts: %q", counts)
	}
	rows := servertest.TableRows(page.ByID("invitees-table"), "tbody")
	next := page.ByID("invitees-next")
	if len(rows) != 50 || next == nil || page.Has("invitees-prev") {
		t.Fatalf("first page: %d rows, next %v", len(rows), next != nil)
	}
	_, page = d.Open(href(next), cookie)
	rows = servertest.TableRows(page.ByID("invitees-table"), "tbody")
	if len(rows) != 11 || page.Has("invitees-next") || !page.Has("invitees-prev") {
		t.Fatalf("second page: %d rows", len(rows))
	}
	_, back := d.Open(href(page.ByID("invitees-prev")), cookie)
	if rows := servertest.TableRows(back.ByID("invitees-table"), "tbody"); len(rows) != 50 || !strings.Contains(rows[0][0], "kz00@example.kz") {
		t.Fatalf("back to the first page: %d rows", len(rows))
	}

	// Withdraw the last one of the second page; the answer is the same page.
	forms := page.FormsWithAction("/withdraw")
	if len(forms) != 11 {
		t.Fatalf("%d withdraw forms on the second page", len(forms))
	}
	rec := d.Send(servertest.Attr(forms[10], "action")+"?lang=ru", cookie, servertest.FormValues(forms[10]))
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "after=") || !strings.Contains(loc, "done=withdrawn") {
		t.Errorf("after withdrawing, back to %q", loc)
	}
	_, page = d.Follow(rec, cookie)
	if !strings.Contains(page.Text(), "The invitation was withdrawn.") {
		t.Errorf("no notice: %s", notice(page))
	}
	_, page = d.Open(base+"?lang=ru&state=withdrawn", cookie)
	rows = servertest.TableRows(page.ByID("invitees-table"), "tbody")
	if len(rows) != 1 || !strings.Contains(rows[0][0], "uz00@example.uz") || len(page.FormsWithAction("/withdraw")) != 0 {
		t.Errorf("withdrawn: %q", rows)
	}
	_, page = d.Open(base+"?lang=ru&delegation=UZ", cookie)
	if counts := servertest.TextOf(page.ByID("state-counts")); !strings.Contains(counts, "Все: 1") || !strings.Contains(counts, "Отозвано 1") {
		t.Errorf("Uzbekistan's counts: %q", counts)
	}

	// Emailing again right after the import is too soon: the page says when.
	_, page = d.Open(base+"?lang=ru&delegation=KZ", cookie)
	resend := page.FormsWithAction("/resend")
	rec = d.Send(servertest.Attr(resend[0], "action")+"?lang=ru", cookie, servertest.FormValues(resend[0]))
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "delegation=KZ") {
		t.Errorf("after a resend, back to %q", loc)
	}
	if _, page = d.Follow(rec, cookie); !strings.Contains(page.Text(), "10 minutes after the last email") {
		t.Errorf("too soon: %s", notice(page))
	}
	d.DB.MustExec(`UPDATE invitees SET created_at = created_at - interval '1 hour'`)
	rec = d.Send(servertest.Attr(resend[0], "action")+"?lang=ru", cookie, servertest.FormValues(resend[0]))
	if _, page = d.Follow(rec, cookie); !strings.Contains(page.Text(), "with a new link") {
		t.Errorf("resent: %s", notice(page))
	}
}

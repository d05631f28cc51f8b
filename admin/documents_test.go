package admin_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// TestDocumentsFromTheDashboard: the event page links every paper, and
// sets the certificate settings, after which the certificates' ZIP is
// linked and holds those who meet the rule.
func TestDocumentsFromTheDashboard(t *testing.T) {
	t.Parallel()
	d, cookie := statsWorkshop(t)
	self := "/admin/events/stats-workshop"
	_, page := d.Open(self, cookie)
	if !page.Has("documents") {
		t.Fatal("no Documents section")
	}
	if page.Has("doc-certificates") {
		t.Error("certificates linked before any settings")
	}
	var signIn []string
	for _, a := range servertest.Within(page.ByID("documents"), "a") {
		if href := servertest.Attr(a, "href"); strings.Contains(href, "sign-in-sheet.pdf") {
			signIn = append(signIn, href)
		}
	}
	if len(signIn) != 2 {
		t.Fatalf("sign-in sheet links %q, want one per day", signIn)
	}
	for _, href := range append(signIn, servertest.Attr(page.ByID("doc-badges"), "href"),
		servertest.Attr(page.ByID("doc-report-pdf"), "href")) {
		rec, _ := d.Open(href, cookie)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" ||
			rec.Header().Get("Cache-Control") != "no-store" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF")) {
			t.Errorf("%s: %d %s", href, rec.Code, rec.Header())
		}
	}
	if rec, _ := d.Open(servertest.Attr(page.ByID("doc-report-xlsx"), "href"), cookie); rec.Code != http.StatusOK ||
		!bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
		t.Errorf("report XLSX: %d", rec.Code)
	}

	// Settings that cannot be met are refused and not stored.
	form := url.Values{"rule": {"min_days"}, "min_days": {"3"}, "hours": {"0"}, "signatory_name": {"Alisher Karimov"}}
	_, page = d.Follow(d.Send(self+"/certificate", cookie, form), cookie)
	if !strings.Contains(page.Text(), "were not saved") || page.Has("doc-certificates") {
		t.Errorf("three days of two were accepted: %s", page.Text())
	}
	form.Set("min_days", "2")
	form.Set("signatory_title", "Deputy Minister")
	_, page = d.Follow(d.Send(self+"/certificate", cookie, form), cookie)
	if !strings.Contains(page.Text(), "Certificate settings saved") || !page.Has("doc-certificates") {
		t.Fatalf("settings not saved: %s", page.Text())
	}
	if got := servertest.Attr(page.ByID("cert-title"), "value"); got != "Deputy Minister" {
		t.Errorf("the form shows title %q", got)
	}
	rec, _ := d.Open(servertest.Attr(page.ByID("doc-certificates"), "href"), cookie)
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if rec.Code != http.StatusOK || err != nil {
		t.Fatalf("certificates: %d %v", rec.Code, err)
	}
	if len(zr.File) != 1 || !strings.Contains(zr.File[0].Name, "Kasimov") {
		t.Errorf("archive holds %d files, want Rustam Kasimov's, who alone attended both days", len(zr.File))
	}
	// Another organizer's event is not found.
	other, _ := d.Organizer("other@example.org")
	d.SetPassword(other, servertest.DashPassword)
	otherCookie := d.SignIn("other@example.org", servertest.DashPassword)
	if rec, _ := d.Open(self+"/documents/badges.pdf", otherCookie); rec.Code != http.StatusNotFound {
		t.Errorf("another organizer downloads badges: %d", rec.Code)
	}
}

package admin_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// signInChromium signs in to the dashboard at base in the browser b.
func signInChromium(t *testing.T, b context.Context, base, email, password string) {
	t.Helper()
	if err := chromedp.Do(b,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-user`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
}

// saveArtifact keeps a screenshot of what a test saw, for people to look at.
func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	dir := filepath.Join("..", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The invitations list, with its counts, filters, buttons and pager, fits
// a phone and a desktop in every language, and its buttons work in
// Chromium: withdrawing asks first, then the row says so.
func TestBrowserInvitationsListFitsAPhoneAndADesktop(t *testing.T) {
	d := servertest.NewDashboard(t, func(deps *server.Deps) { deps.Config.InviteeImportMaxBytes = 256 << 10 })
	var csv strings.Builder
	csv.WriteString("email,first_name,last_name,delegation,organization\n")
	for i := range 55 {
		fmt.Fprintf(&csv, "delegate%02d@ministry-of-digital-development.example.kz,Aigerim,Bekova-Nurpeisova,KZ,Ministry\n", i)
	}
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	if rec := d.Send("/admin/events/egov-tashkent-2019/invitations/import", cookie, map[string][]string{"rows": {csv.String()}}); rec.Code != 303 {
		t.Fatalf("import: %d", rec.Code)
	}
	for _, focal := range []map[string][]string{
		{"delegation": {"KZ"}, "email": {"focal.point.kazakhstan@ministry-of-digital-development.example.kz"}, "quota": {"3"}, "language": {"ru"}},
		{"delegation": {"OECD"}, "email": {"e-government.unit@oecd.example.org"}, "quota": {"2"}, "language": {"en"}},
	} {
		if rec := d.Send("/admin/events/egov-tashkent-2019/invitations/focal-points", cookie, focal); rec.Code != 303 {
			t.Fatalf("focal point: %d %s", rec.Code, rec.Body)
		}
	}
	srv := httptest.NewServer(d.Srv)
	t.Cleanup(srv.Close)
	b := servertest.Browser(t)
	signInChromium(t, b, srv.URL, d.Org.Email, servertest.DashPassword)
	page := srv.URL + "/admin/events/egov-tashkent-2019/invitations"
	for _, screen := range []struct {
		width, height int64
		lang          string
	}{{390, 844, "ru"}, {390, 844, "uz"}, {1280, 900, "en"}, {1280, 900, "ru"}} {
		t.Run(fmt.Sprintf("%d px in %s", screen.width, screen.lang), func(t *testing.T) {
			if err := chromedp.Do(b, chromedp.EmulateViewport(screen.width, screen.height),
				chromedp.Navigate(page+"?lang="+screen.lang), chromedp.WaitVisible(chromedp.CSS(`#invitees-next`))); err != nil {
				t.Fatal(err)
			}
			if w := servertest.Eval(t, b, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the page is %s px wide on a %d px screen", w, screen.width)
			}
			// Every table fits its frame (no column cut off), and no
			// address breaks inside a word on a desktop.
			if over := servertest.Eval(t, b, `Array.from(document.querySelectorAll('.table-wrap > table')).filter(t => t.scrollWidth > t.parentElement.clientWidth).map(t => t.id).join(' ')`); over != "" {
				t.Errorf("tables wider than their frame: %s", over)
			}
			if screen.width > 1000 {
				if broken := servertest.Eval(t, b, `String(Array.from(document.querySelectorAll('#delegations-table .email')).filter(e => {
					const st = getComputedStyle(e); return st.overflowWrap === 'anywhere' || st.wordBreak === 'break-all'; }).length)`); broken != "0" {
					t.Errorf("%s focal points' addresses may break inside a word", broken)
				}
			}
			if got := servertest.ElementText(t, b, `#upload-title`); strings.Contains(got, "Preview") || strings.Contains(got, "Предпросмотр") {
				t.Errorf("the upload box is headed %q before anything was previewed", got)
			}
			if v := servertest.Eval(t, b, `document.querySelector('#delegation').value`); v != "" {
				t.Errorf("the focal point's delegation starts on %q, want nothing chosen", v)
			}
			elementShot(t, b, `section[aria-labelledby=delegations-title]`, fmt.Sprintf("invitations-delegations-%d-%s.png", screen.width, screen.lang))
			if err := chromedp.Do(b, chromedp.ScrollIntoView(chromedp.CSS(`#invitees-title`))); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(b, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			saveArtifact(t, fmt.Sprintf("invitations-list-%d-%s.png", screen.width, screen.lang), png)
		})
	}
	if err := chromedp.Do(b, chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(page+"?lang=en&state=queued"),
		chromedp.WaitVisible(chromedp.CSS(`#invitees-table details.row-action summary`)),
		chromedp.Click(chromedp.CSS(`#invitees-table details.row-action summary`)),
		chromedp.Click(chromedp.CSS(`#invitees-table details.row-action button`)),
		chromedp.WaitVisible(chromedp.CSS(`#notice`)),
	); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	if got := servertest.ElementText(t, b, `#state-counts`); !strings.Contains(got, "Withdrawn 1") {
		t.Errorf("counts after withdrawing: %q", got)
	}

	// A file over INVITEE_IMPORT_MAX_BYTES: the browser shows the page that
	// says so beside the file field (the server reads the rest of the body
	// rather than cutting the upload off).
	big := filepath.Join(t.TempDir(), "delegates.xlsx")
	if err := os.WriteFile(big, formattedWorkbook(t, 10, 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b, chromedp.Navigate(page+"?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#preview`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{big}),
		chromedp.Click(chromedp.CSS(`#preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#file-error`)),
	); err != nil {
		t.Fatalf("a file over the limit: %v", err)
	}
	if got := servertest.ElementText(t, b, `#file-error`); !strings.Contains(got, "256 КБ") {
		t.Errorf("the file's error: %q", got)
	}
}

package api_test

import (
	"archive/zip"
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/internal/servertest"
)

// pdfText reads a PDF back with poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is needed to read the PDFs back: install Debian's poppler-utils")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// wantPaper checks a paper's answer: 200, its media type, a download
// named name, and no caching of the personal data it holds.
func wantPaper(t *testing.T, rec *httptest.ResponseRecorder, mediaType, name string) []byte {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != mediaType {
		t.Errorf("Content-Type = %q, want %q", ct, mediaType)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	disp, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != name {
		t.Errorf("Content-Disposition = %q, want an attachment named %q", rec.Header().Get("Content-Disposition"), name)
	}
	return rec.Body.Bytes()
}

func (d *deskAPI) document(token, path string) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.call(http.MethodGet, "/api/v1/events/"+d.ev.Slug+"/documents/"+path, token, nil)
}

// TestDocumentsRejectBadInput answers 422 naming the field for every bad
// parameter, before drawing anything.
func TestDocumentsRejectBadInput(t *testing.T) {
	d, _ := exportWorkshop(t)
	for _, tc := range []struct{ path, field string }{
		{"sign-in-sheet.pdf?day=2019-06-01", "day"},
		{"sign-in-sheet.pdf?day=2019-05-29", "day"},
		{"sign-in-sheet.pdf?day=31.05.2019", "day"},
		{"sign-in-sheet.pdf?lang=fr", "lang"},
		{"sign-in-sheet.pdf?order=country", "order"},
		{"badges.pdf?id=42", "id"},
		{"badges.pdf?lang=de", "lang"},
		{"certificates/not-a-uuid.pdf", "id"},
		{"attendance-report.pdf?lang=xx", "lang"},
		{"attendance-report.xlsx?lang=xx", "lang"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, codes := wantProblem(t, d.document(d.token, tc.path), http.StatusUnprocessableEntity)
			if _, ok := codes[tc.field]; !ok {
				t.Errorf("fields %v, want %s", codes, tc.field)
			}
		})
	}
	// Another organizer's event is no event of theirs, and without a token
	// nothing is drawn.
	wantProblem(t, d.document(d.otherToken, "badges.pdf"), http.StatusNotFound)
	wantProblem(t, d.document("", "badges.pdf"), http.StatusUnauthorized)
}

// TestDocumentsDownload draws each paper through the API and reads it back.
func TestDocumentsDownload(t *testing.T) {
	d, regs := exportWorkshop(t)
	slug := d.ev.Slug

	sheet := pdfText(t, wantPaper(t, d.document(d.token, "sign-in-sheet.pdf?day=2019-05-31&lang=ru&order=surname"),
		"application/pdf", slug+"-sign-in-2019-05-31-ru.pdf"))
	for _, name := range []string{"Юсупова", "Toʻxtayev"} {
		if !strings.Contains(sheet, name) {
			t.Errorf("sign-in sheet lacks %s:\n%s", name, sheet)
		}
	}
	if strings.Contains(sheet, "Tamm") || strings.Contains(sheet, "Oʻktam") {
		t.Errorf("sign-in sheet lists someone cancelled or unconfirmed:\n%s", sheet)
	}

	// Without ?day=, the day the event is on (the clock stands on its second day).
	wantPaper(t, d.document(d.token, "sign-in-sheet.pdf?lang=en"), "application/pdf", slug+"-sign-in-2019-05-31-en.pdf")

	badges := pdfText(t, wantPaper(t, d.document(d.token, "badges.pdf?id="+regs[3].ID),
		"application/pdf", slug+"-badges-en.pdf"))
	if !strings.Contains(badges, "Toʻxtayev") || strings.Contains(badges, "Юсупова") {
		t.Errorf("badges of one person chosen by id:\n%s", badges)
	}

	report := pdfText(t, wantPaper(t, d.document(d.token, "attendance-report.pdf?lang=en"),
		"application/pdf", slug+"-attendance-en.pdf"))
	if !strings.Contains(report, "Uzbekistan") {
		t.Errorf("report lacks the delegation of Uzbekistan:\n%s", report)
	}
	xlsx := wantPaper(t, d.document(d.token, "attendance-report.xlsx?lang=en"),
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", slug+"-attendance-en.xlsx")
	wb, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("the report workbook does not open: %v", err)
	}
	defer wb.Close()
	if len(wb.GetSheetList()) == 0 {
		t.Error("the report workbook has no sheet")
	}
}

// TestCertificatesFollowTheSettings: no certificate before the organizer
// sets who earns one; then exactly those who meet the rule get one, alone
// or in the ZIP, and anyone else a 404 saying why.
func TestCertificatesFollowTheSettings(t *testing.T) {
	d, regs := exportWorkshop(t)
	slug := d.ev.Slug
	path := "/api/v1/events/" + slug

	p, _ := wantProblem(t, d.document(d.token, "certificates.zip"), http.StatusNotFound)
	if !strings.Contains(p.Detail, "certificate settings") {
		t.Errorf("404 without settings says %q", p.Detail)
	}

	_, codes := wantProblem(t, d.call(http.MethodPatch, path, d.token, map[string]any{
		"certificate": map[string]any{"rule": "min_days", "min_days": 3, "signatory_name": "A. Karimov"}}),
		http.StatusUnprocessableEntity)
	if _, ok := codes["certificate.min_days"]; !ok {
		t.Errorf("min_days over the event's two days: fields %v", codes)
	}
	_, codes = wantProblem(t, d.call(http.MethodPatch, path, d.token, map[string]any{
		"certificate": map[string]any{"rule": "weekly"}}), http.StatusUnprocessableEntity)
	for _, f := range []string{"certificate.rule", "certificate.signatory_name"} {
		if _, ok := codes[f]; !ok {
			t.Errorf("fields %v, want %s", codes, f)
		}
	}

	type certJSON struct {
		Certificate *struct {
			Rule struct {
				Kind string `json:"kind"`
			} `json:"rule"`
			Hours         int    `json:"hours"`
			SignatoryName string `json:"signatory_name"`
		} `json:"certificate"`
	}
	got := servertest.Decode[certJSON](t, d.call(http.MethodPatch, path, d.token, map[string]any{
		"certificate": map[string]any{"rule": "every_day", "hours": 16, "signatory_name": "Alisher Karimov",
			"signatory_title": "Deputy Minister"}}), http.StatusOK)
	if got.Certificate == nil || got.Certificate.Rule.Kind != "every_day" || got.Certificate.Hours != 16 {
		t.Fatalf("PATCH answers certificate %+v", got.Certificate)
	}
	got = servertest.Decode[certJSON](t, d.call(http.MethodGet, path, d.token, nil), http.StatusOK)
	if got.Certificate == nil || got.Certificate.SignatoryName != "Alisher Karimov" {
		t.Errorf("GET answers certificate %+v", got.Certificate)
	}
	if got := servertest.Decode[certJSON](t, d.call(http.MethodGet, path, d.otherToken, nil), http.StatusOK); got.Certificate != nil {
		t.Errorf("another organizer sees the settings: %+v", got.Certificate)
	}

	// Юсупова attended both days; Toʻxtayev day 2 only; Tamm day 1 only.
	cert := pdfText(t, wantPaper(t, d.document(d.token, "certificates/"+regs[0].ID+".pdf"),
		"application/pdf", slug+"-Юсупова Дилноза.pdf"))
	for _, want := range []string{"Дилноза", "Alisher Karimov", "16"} {
		if !strings.Contains(cert, want) {
			t.Errorf("certificate lacks %q:\n%s", want, cert)
		}
	}
	for _, r := range regs[1:] {
		p, _ := wantProblem(t, d.document(d.token, "certificates/"+r.ID+".pdf"), http.StatusNotFound)
		if !strings.Contains(p.Detail, "rule") {
			t.Errorf("%s %s: 404 says %q, want the reason", r.FirstName, r.LastName, p.Detail)
		}
	}

	body := wantPaper(t, d.document(d.token, "certificates.zip"), "application/zip", slug+"-certificates.zip")
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the archive does not open: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if len(names) != 1 || !strings.Contains(names[0], "Юсупова") {
		t.Errorf("archive holds %q, want Юсупова's certificate alone", names)
	}

	// null stops the event offering certificates.
	got = servertest.Decode[certJSON](t, d.call(http.MethodPatch, path, d.token, map[string]any{"certificate": nil}), http.StatusOK)
	if got.Certificate != nil {
		t.Errorf("after null, certificate %+v", got.Certificate)
	}
	wantProblem(t, d.document(d.token, "certificates/"+regs[0].ID+".pdf"), http.StatusNotFound)
}

// TestCertificatesOutlastTheWriteTimeout: the ZIP is drawn as it is sent,
// so it gets its own write deadline; a server whose write timeout is
// shorter than drawing one certificate still sends the whole archive.
func TestCertificatesOutlastTheWriteTimeout(t *testing.T) {
	d, _ := exportWorkshop(t)
	if rec := d.call(http.MethodPatch, "/api/v1/events/"+d.ev.Slug, d.token, map[string]any{
		"certificate": map[string]any{"rule": "min_days", "min_days": 1, "signatory_name": "Alisher Karimov"}}); rec.Code != http.StatusOK {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}
	srv := httptest.NewUnstartedServer(d.srv)
	srv.Config.WriteTimeout = time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/events/"+d.ev.Slug+"/documents/certificates.zip", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("certificates: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("the archive was cut off: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("%d, archive: %v", res.StatusCode, err)
	}
	// Everyone checked in on at least one day: Юсупова, Tamm (since
	// cancelled) and Toʻxtayev.
	if len(zr.File) != 3 {
		t.Errorf("archive holds %d certificates, want 3", len(zr.File))
	}
}

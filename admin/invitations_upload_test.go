package admin_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// formattedWorkbook is an XLSX file of rows people as a spreadsheet
// program saves it: a styled header, and a logo (extra random bytes that
// do not compress), which make it larger than its text.
func formattedWorkbook(t *testing.T, people int, logo int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri"},
		Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1}})
	if err != nil {
		t.Fatal(err)
	}
	header := []any{"Email", "Имя", "Фамилия", "Делегация", "Организация", "Должность"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle("Sheet1", "A1", "F1", style); err != nil {
		t.Fatal(err)
	}
	for i := range people {
		row := []any{fmt.Sprintf("delegate%03d@example.kz", i), "Aigerim", "Bekova", "KZ",
			"Ministry of Digital Development", "Head of the e-government department"}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	if logo > 0 {
		picture := make([]byte, logo)
		if _, err := rand.Read(picture); err != nil {
			t.Fatal(err)
		}
		f.Pkg.Store("xl/media/logo.bin", picture)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadInvitees posts file to the dashboard's preview, as a browser does.
func uploadInvitees(t *testing.T, d *servertest.Dashboard, cookie string, file []byte) (int, *servertest.Doc) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	w, err := mw.CreateFormFile("file", "delegates.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	rec := d.Do(servertest.Request{Method: http.MethodPost, Path: "/admin/events/egov-tashkent-2019/invitations/preview?lang=ru",
		Body: body.String(), ContentType: mw.FormDataContentType(), Header: http.Header{"Cookie": {cookie}}})
	return rec.Code, servertest.ParseHTML(t, rec)
}

// An ordinary formatted workbook of 300 people outgrows MAX_BODY_BYTES; the
// dashboard takes it up to INVITEE_IMPORT_MAX_BYTES, imports it through the
// preview's form, and says beside the file field when a file is larger.
func TestTheDashboardTakesAFormattedWorkbookAndRefusesALargerOneBesideTheField(t *testing.T) {
	t.Parallel()
	const limit = 256 << 10
	d := servertest.NewDashboard(t, func(deps *server.Deps) { deps.Config.InviteeImportMaxBytes = limit })
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)

	workbook := formattedWorkbook(t, 300, 80<<10)
	if len(workbook) <= 64<<10 || len(workbook) > limit {
		t.Fatalf("the workbook is %d bytes; want between 64 KB and the limit", len(workbook))
	}
	status, page := uploadInvitees(t, d, cookie, workbook)
	if status != http.StatusOK || len(servertest.TableRows(page.ByID("preview-table"), "tbody")) != 300 {
		t.Fatalf("preview: status %d, page %s", status, page.Text())
	}
	import_ := page.FormsWithAction("/invitations/import")
	if len(import_) != 1 {
		t.Fatalf("no import form: %s", page.Text())
	}
	rec := d.Send("/admin/events/egov-tashkent-2019/invitations/import", cookie, servertest.FormValues(import_[0]))
	if _, page := d.Follow(rec, cookie); !strings.Contains(page.Text(), "300") ||
		servertest.CountRows(t, d.Server, `SELECT count(*) FROM invitees`) != 300 {
		t.Fatalf("import: %s", page.Text())
	}

	status, page = uploadInvitees(t, d, cookie, formattedWorkbook(t, 10, limit))
	msg := page.ByID("file-error")
	if status != http.StatusRequestEntityTooLarge || msg == nil || !strings.Contains(servertest.TextOf(msg), "256 КБ") {
		t.Fatalf("a file over the limit: status %d, page %s", status, page.Text())
	}
	if page.ByID("file") == nil {
		t.Fatal("the page has no file field to choose another file")
	}
}

// The preview numbers rows as the spreadsheet does (header row 1, blank
// rows counted), reads tab-separated text, and a bad language names the
// codes the file may use.
func TestThePreviewNumbersRowsAsTheSpreadsheetAndNamesTheLanguages(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	file := "email\tfirst_name\tlanguage\na@example.kz\tAigerim\tru\n\n\nb@example.uz\tRustam\tde\n"
	status, page := uploadInvitees(t, d, cookie, []byte(file))
	rows := servertest.TableRows(page.ByID("preview-table"), "tbody")
	if status != http.StatusOK || len(rows) != 2 {
		t.Fatalf("status %d, rows %q", status, rows)
	}
	if rows[0][0] != "2" || rows[1][0] != "5" {
		t.Errorf("rows numbered %s and %s, want 2 and 5", rows[0][0], rows[1][0])
	}
	if text := strings.Join(rows[1], " "); !strings.Contains(text, "en, ru, uz") {
		t.Errorf("the bad language's problem does not name the codes: %s", text)
	}
}

// The focal point's form starts on no delegation, and one must be chosen.
func TestTheFocalPointFormMakesTheOrganizerChooseADelegation(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	_, page := d.Open("/admin/events/egov-tashkent-2019/invitations?lang=ru", cookie)
	if got := servertest.FormValues(page.FormsWithAction("/invitations/focal-points")[0]).Get("delegation"); got != "" {
		t.Errorf("the form starts on %q, want nothing chosen", got)
	}
	if got := servertest.TextOf(page.ByID("upload-title")); got != "Пригласить из файла" {
		t.Errorf("the upload box is headed %q", got)
	}
	rec, page := d.Submit("/admin/events/egov-tashkent-2019/invitations/focal-points",
		url.Values{"delegation": {""}, "email": {"focal@example.kz"}, "quota": {"2"}, "language": {"ru"}}, "Cookie", cookie)
	if rec.Code != http.StatusUnprocessableEntity || !page.Has("delegation-error") {
		t.Errorf("no delegation: status %d, want 422 with the delegation's error", rec.Code)
	}
}

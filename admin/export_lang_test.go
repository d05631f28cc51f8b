package admin_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/internal/servertest"
)

// The dashboard's download links ask for the page's language.
func TestExportFromTheRussianDashboard(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	d.Enrol(d.Ev, servertest.Attendee{First: "Дилноза", Last: "Юсупова", Email: "dilnoza@example.uz", Country: "UZ", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Alikhan", Last: "Baimenov", Email: "alikhan@example.kz", Country: "KZ"})
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	_, page := d.Open("/admin/events/egov-tashkent-2019?country=UZ&lang=ru", cookie)
	for _, id := range []string{"export-csv", "export-xlsx"} {
		if u, err := url.Parse(servertest.Attr(page.ByID(id), "href")); err != nil || u.Query().Get("lang") != "ru" || u.Query().Get("country") != "UZ" {
			t.Errorf("%s links to %q, want lang=ru and the list's filter", id, servertest.Attr(page.ByID(id), "href"))
		}
	}

	rec, _ := d.Open(servertest.Attr(page.ByID("export-csv"), "href"), cookie)
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) != 2 {
		t.Fatalf("CSV (%v):\n%s", err, rec.Body)
	}
	if got := records[0][2] + "|" + records[1][9]; got != "Имя|Узбекистан" {
		t.Errorf("CSV reads %q, want Russian headers and country names", got)
	}

	rec, _ = d.Open(servertest.Attr(page.ByID("export-xlsx"), "href"), cookie)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Участники|По странам|По делегациям" {
		t.Errorf("sheets %q", got)
	}

	rec, _ = d.Open("/admin/events/egov-tashkent-2019/export?format=csv&lang=fr", cookie)
	if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("lang=fr: %d %s, want a 400 page", rec.Code, rec.Header().Get("Content-Type"))
	}
}

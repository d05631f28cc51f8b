package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://x")`, `'=HYPERLINK("http://x")`},
		{"@SUM(1)", "'@SUM(1)"},
		{"+998712345678", "'+998712345678"},
		{"-2+3", "'-2+3"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"\n=1", "'\n=1"},
		{"\x00=1", "'\x00=1"},
		{"  =1+1", "'  =1+1"},
		{"Дилноза", "Дилноза"},
		{"Oʻktam Ergashev", "Oʻktam Ergashev"},
		{"a=b", "a=b"},
		{"Ministry of Digital Technologies", "Ministry of Digital Technologies"},
		{"'=already quoted", "'=already quoted"},
		{"", ""},
		{"   ", "   "},
	}
	for _, tt := range tests {
		if got := export.Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNeutralize checks that no output cell can start a formula: it is
// either the input unchanged, when that was harmless, or the input behind
// an apostrophe.
func FuzzNeutralize(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		out := export.Neutralize(in)
		if out != in && out != "'"+in {
			t.Fatalf("Neutralize(%q) = %q: neither the input nor the input behind an apostrophe", in, out)
		}
		if body := strings.TrimLeft(out, " "); body != "" && strings.ContainsRune("=+-@\t\r\n\x00", rune(body[0])) {
			t.Fatalf("Neutralize(%q) = %q starts a formula", in, out)
		}
		if out != in && strings.TrimLeft(in, " ") != "" && !strings.ContainsRune("=+-@\t\r\n\x00", rune(strings.TrimLeft(in, " ")[0])) {
			t.Fatalf("Neutralize(%q) = %q changed a harmless value", in, out)
		}
	})
}

// localizer is the translator of lang.
func localizer(tb testing.TB, lang string) *i18n.Localizer {
	tb.Helper()
	b, err := i18n.New()
	if err != nil {
		tb.Fatal(err)
	}
	return b.Localizer(lang)
}

func workshop() *domain.Event {
	return &domain.Event{Slug: "egov-tashkent-2019", Timezone: "Asia/Tashkent",
		StartsOn: domain.NewDate(2019, time.May, 30), EndsOn: domain.NewDate(2019, time.May, 31)}
}

// attendees are two rows: a Cyrillic name attending both days with a
// phone, and an injection attempt that never confirmed nor came.
func attendees() []store.Attendee {
	registered := time.Date(2019, time.May, 15, 5, 0, 0, 0, time.UTC) // 10:00 in Tashkent
	confirmed := registered.Add(90 * time.Minute)
	return []store.Attendee{
		{Registration: &domain.Registration{ID: "6f1c1a52-8a43-4c1e-9a55-2f4c0b8e0d11", Status: domain.StatusConfirmed,
			FirstName: "Дилноза", LastName: "Юсупова", LatinFirstName: "Dilnoza", LatinLastName: "Yusupova",
			Email: "dilnoza@example.uz", Phone: "+998712345678", Country: "UZ", Delegation: "UZ",
			Organization: "Centre for Economic Research and Reforms", Position: "Researcher", Role: "researcher",
			Language: "ru", CheckinCode: "ABCD2345", CreatedAt: registered, ConfirmedAt: &confirmed},
			Checkins: []store.DayCheckin{
				{Day: domain.NewDate(2019, time.May, 30), At: time.Date(2019, time.May, 30, 3, 41, 0, 0, time.UTC)},
				{Day: domain.NewDate(2019, time.May, 31), At: time.Date(2019, time.May, 31, 3, 52, 0, 0, time.UTC)},
			}},
		{Registration: &domain.Registration{ID: "0a4e2d3c-1b5f-4e6a-8c7d-9e0f1a2b3c4d", Status: domain.StatusPending,
			FirstName: "@SUM(1)", LastName: "Oʻktam", Email: "-x@example.org", Country: "KG", Delegation: "OECD",
			Organization: `=HYPERLINK("http://x")`, Position: "\t=1", Role: "other", Language: "en",
			CheckinCode: "WXYZ6789", CreatedAt: registered.Add(time.Hour)}},
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	w := export.NewWriter(export.NewCSV(&buf), workshop(), localizer(t, "en"))
	if err := w.Write(attendees()); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFF") {
		t.Fatal("no byte-order mark")
	}
	if strings.Count(raw, "\r\n") != 3 || strings.Count(raw, "\n") != 3 {
		t.Errorf("want three CRLF-terminated records:\n%q", raw)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"ID", "Status", "First name", "Last name", "First name (Latin)", "Last name (Latin)", "Email", "Phone",
			"Country code", "Country", "Delegation code", "Delegation", "Organization", "Position",
			"Role", "Language", "Registered at", "Confirmed at", "Edited by the participant", "Check-in code", "2019-05-30", "2019-05-31"},
		{"6f1c1a52-8a43-4c1e-9a55-2f4c0b8e0d11", "confirmed", "Дилноза", "Юсупова", "Dilnoza", "Yusupova", "dilnoza@example.uz", "'+998712345678",
			"UZ", "Uzbekistan", "UZ", "Uzbekistan", "Centre for Economic Research and Reforms", "Researcher", "researcher", "ru",
			"2019-05-15T10:00:00+05:00", "2019-05-15T11:30:00+05:00", "", "ABCD2345", "2019-05-30T08:41:00+05:00", "2019-05-31T08:52:00+05:00"},
		{"0a4e2d3c-1b5f-4e6a-8c7d-9e0f1a2b3c4d", "pending", "'@SUM(1)", "Oʻktam", "", "", "'-x@example.org", "",
			"KG", "Kyrgyzstan", "OECD", "OECD", `'=HYPERLINK("http://x")`, "'\t=1", "other", "en",
			"2019-05-15T11:00:00+05:00", "", "", "WXYZ6789", "", ""},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d", len(records), len(want))
	}
	for i := range want {
		if strings.Join(records[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d\n got %q\nwant %q", i, records[i], want[i])
		}
	}
}

func TestCSVOfNoRowsIsTheHeader(t *testing.T) {
	var buf bytes.Buffer
	if err := export.NewWriter(export.NewCSV(&buf), workshop(), localizer(t, "en")).Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\uFEFFID,Status,") || !strings.HasSuffix(buf.String(), "2019-05-31\r\n") {
		t.Errorf("empty export = %q", buf.String())
	}
}

func TestCSVReportsWriteErrors(t *testing.T) {
	if err := export.NewWriter(export.NewCSV(failingWriter{}), workshop(), localizer(t, "en")).Close(); err == nil {
		t.Error("a CSV on a broken writer succeeded")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestXLSX(t *testing.T) {
	day1, day2 := domain.NewDate(2019, time.May, 30), domain.NewDate(2019, time.May, 31)
	stats := &store.Stats{
		Days: []domain.Date{day1, day2},
		Total: store.Counts{Registered: 2, Confirmed: 1, Pending: 1,
			AttendedByDay: map[domain.Date]int{day1: 1, day2: 1}, Attended: 1},
		ByCountry: []store.CountryStats{
			{Country: "KG", Name: "Kyrgyzstan", Counts: store.Counts{Registered: 1, Pending: 1, AttendedByDay: map[domain.Date]int{day1: 0, day2: 0}}},
			{Country: "UZ", Name: "Uzbekistan", Counts: store.Counts{Registered: 1, Confirmed: 1, AttendedByDay: map[domain.Date]int{day1: 1, day2: 1}, Attended: 1}},
		},
	}
	var buf bytes.Buffer
	x, err := export.NewXLSX(&buf, localizer(t, "en"), export.XLSXOptions{Summary: func() (*store.Stats, error) { return stats, nil }})
	if err != nil {
		t.Fatal(err)
	}
	w := export.NewWriter(x, workshop(), localizer(t, "en"))
	if err := w.Write(attendees()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != "Attendees|By country|By delegation" {
		t.Fatalf("sheets = %q", got)
	}

	rows, err := f.GetRows("Attendees", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	text := map[string]string{
		"A1": "ID", "U1": "2019-05-30", "V1": "2019-05-31",
		"E2": "Dilnoza", "F2": "Yusupova", "K2": "UZ", "L2": "Uzbekistan", "K3": "OECD", "L3": "OECD",
		"C2": "Дилноза", "D2": "Юсупова", "H2": "'+998712345678", "J2": "Uzbekistan", "T2": "ABCD2345",
		"C3": "'@SUM(1)", "D3": "Oʻktam", "G3": "'-x@example.org", "M3": `'=HYPERLINK("http://x")`, "N3": "'\t=1",
		"R3": "", "U3": "", "V3": "",
	}
	for cell, want := range text {
		got, err := f.GetCellValue("Attendees", cell)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", cell, got, err, want)
		}
		if want == "" {
			continue
		}
		if typ, _ := f.GetCellType("Attendees", cell); typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want an (inline) string", cell, typ)
		}
		if formula, _ := f.GetCellFormula("Attendees", cell); formula != "" {
			t.Errorf("%s holds the formula %q", cell, formula)
		}
	}
	// Times are real date-time cells with the event's wall clock.
	times := map[string]time.Time{
		"Q2": time.Date(2019, time.May, 15, 10, 0, 0, 0, time.UTC),
		"R2": time.Date(2019, time.May, 15, 11, 30, 0, 0, time.UTC),
		"U2": time.Date(2019, time.May, 30, 8, 41, 0, 0, time.UTC),
		"V2": time.Date(2019, time.May, 31, 8, 52, 0, 0, time.UTC),
		"Q3": time.Date(2019, time.May, 15, 11, 0, 0, 0, time.UTC),
	}
	for cell, want := range times {
		checkDateCell(t, f, "Attendees", cell, want)
	}

	header, err := f.GetCellStyle("Attendees", "A1")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := f.GetStyle(header); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v (%v), want bold", st, err)
	}
	panes, err := f.GetPanes("Attendees")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v (%v), want the first row frozen", panes, err)
	}
	// excelize writes the filter's range with absolute references.
	if sheet := sheetXML(t, buf.Bytes(), "xl/worksheets/sheet1.xml"); !autoFilterA1V3.MatchString(sheet) {
		t.Errorf("no autofilter over A1:V3 in the Attendees sheet")
	}
	if w, err := f.GetColWidth("Attendees", "M"); err != nil || w < 20 {
		t.Errorf("Organization column width %v (%v), want a wide column", w, err)
	}

	byCountry, err := f.GetRows("By country")
	if err != nil {
		t.Fatal(err)
	}
	wantByCountry := [][]string{
		{"Country code", "Country", "Registered", "Confirmed", "Pending", "Waitlisted", "Cancelled", "Expired", "2019-05-30", "2019-05-31", "Attended"},
		{"KG", "Kyrgyzstan", "1", "0", "1", "0", "0", "0", "0", "0", "0"},
		{"UZ", "Uzbekistan", "1", "1", "0", "0", "0", "0", "1", "1", "1"},
		{"", "Total", "2", "1", "1", "0", "0", "0", "1", "1", "1"},
	}
	if len(byCountry) != len(wantByCountry) {
		t.Fatalf("By country rows = %q", byCountry)
	}
	for i := range wantByCountry {
		if strings.Join(byCountry[i], "|") != strings.Join(wantByCountry[i], "|") {
			t.Errorf("By country row %d = %q, want %q", i+1, byCountry[i], wantByCountry[i])
		}
	}
	if typ, _ := f.GetCellType("By country", "C2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("counts have cell type %v, want numbers", typ)
	}
}

var autoFilterA1V3 = regexp.MustCompile(`<autoFilter ref="\$?A\$?1:\$?V\$?3"`)

// checkDateCell checks that a cell holds a number with a date-time format
// whose value is want's wall clock.
func checkDateCell(t *testing.T, f *excelize.File, sheet, cell string, want time.Time) {
	t.Helper()
	raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := f.GetCellType(sheet, cell)
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s has type %v, want a number", cell, typ)
	}
	got, err := excelize.ExcelDateToTime(mustFloat(t, raw), false)
	if err != nil || got.Sub(want).Abs() > time.Second {
		t.Errorf("%s = %s → %v (%v), want %v", cell, raw, got, err, want)
	}
	styleID, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(styleID)
	if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != export.DateTimeFormat {
		t.Errorf("%s style %+v (%v), want number format %q", cell, st, err, export.DateTimeFormat)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number: %v", s, err)
	}
	return f
}

// sheetXML returns a part of an XLSX package as text.
func sheetXML(t *testing.T, xlsx []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name != name {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("no %s in the workbook", name)
	return ""
}

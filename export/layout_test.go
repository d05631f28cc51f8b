package export_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/store"
)

// workshopStats are the statistics of attendees().
func workshopStats() *store.Stats {
	day1, day2 := domain.NewDate(2019, time.May, 30), domain.NewDate(2019, time.May, 31)
	return &store.Stats{
		Days: []domain.Date{day1, day2},
		Total: store.Counts{Registered: 2, Confirmed: 1, Pending: 1,
			AttendedByDay: map[domain.Date]int{day1: 1, day2: 1}, Attended: 1},
		ByCountry: []store.CountryStats{
			{Country: "KG", Name: "Kyrgyzstan", Counts: store.Counts{Registered: 1, Pending: 1, AttendedByDay: map[domain.Date]int{day1: 0, day2: 0}}},
			{Country: "UZ", Name: "Uzbekistan", Counts: store.Counts{Registered: 1, Confirmed: 1, AttendedByDay: map[domain.Date]int{day1: 1, day2: 1}, Attended: 1}},
		},
	}
}

// workbook builds the XLSX export of rows in lang and opens it.
func workbook(t *testing.T, lang string, rows []store.Attendee) *excelize.File {
	t.Helper()
	return openWorkbook(t, lang, workshop(), workshopOptions(), rows)
}

// workshopOptions are the export options of the workshop's workbooks.
func workshopOptions() export.XLSXOptions {
	return export.XLSXOptions{Summary: func() (*store.Stats, error) { return workshopStats(), nil }}
}

// workbookFile builds the XLSX export of rows in lang.
func workbookFile(t *testing.T, lang string, rows []store.Attendee) []byte {
	t.Helper()
	return xlsxFile(t, lang, workshop(), workshopOptions(), rows)
}

// openWorkbook builds the XLSX export of ev's rows with opt in lang and
// opens it.
func openWorkbook(t *testing.T, lang string, ev *domain.Event, opt export.XLSXOptions, rows []store.Attendee) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsxFile(t, lang, ev, opt, rows)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// csvRecords builds the CSV export of ev's rows in lang and reads it back,
// without its byte-order mark.
func csvRecords(t *testing.T, lang string, ev *domain.Event, rows []store.Attendee) [][]string {
	t.Helper()
	var buf bytes.Buffer
	w := export.NewWriter(export.NewCSV(&buf), ev, localizer(t, lang))
	if err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// xlsxFile builds the XLSX export of ev's rows with opt in lang.
func xlsxFile(t *testing.T, lang string, ev *domain.Event, opt export.XLSXOptions, rows []store.Attendee) []byte {
	t.Helper()
	var buf bytes.Buffer
	x, err := export.NewXLSX(&buf, localizer(t, lang), opt)
	if err != nil {
		t.Fatal(err)
	}
	w := export.NewWriter(x, ev, localizer(t, lang))
	if rows != nil {
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cellStyle reads the style of a cell of f.
func cellStyle(t *testing.T, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// A spreadsheet shows a style without a font name in a font of its own
// choosing, and prints a sheet without a page setup in portrait, cut into
// pages of a few columns each.
func TestXLSXReadsAndPrintsWell(t *testing.T) {
	rows := attendees()
	long := strings.TrimSpace(strings.Repeat("Ministry for the Development of Information Technologies ", 3))
	rows[0].Organization = long
	for _, tt := range []struct {
		name string
		rows []store.Attendee
	}{
		{"with registrations", rows},
		{"without registrations", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := workbook(t, "en", tt.rows)
			if font, err := f.GetDefaultFont(); err != nil || font != export.FontFamily {
				t.Errorf("default font %q (%v), want %q", font, err, export.FontFamily)
			}
			for _, sheet := range f.GetSheetList() {
				checkSheetLayout(t, f, sheet)
			}
		})
	}

	f := workbook(t, "en", rows)
	sheet := f.GetSheetName(0)
	t.Run("columns fit their content, and long text wraps", func(t *testing.T) {
		org, err := f.GetColWidth(sheet, "M")
		if err != nil {
			t.Fatal(err)
		}
		if org < 30 || org > 45 {
			t.Errorf("Organization column %.1f wide for a %d-character name, want between 30 and 45", org, utf8.RuneCountInString(long))
		}
		if st := cellStyle(t, f, sheet, "M2"); st.Alignment == nil || !st.Alignment.WrapText {
			t.Errorf("Organization cell style %+v, want wrapped text", st.Alignment)
		}
		email, err := f.GetColWidth(sheet, "G")
		if err != nil {
			t.Fatal(err)
		}
		if n := utf8.RuneCountInString("dilnoza@example.uz"); email < float64(n) {
			t.Errorf("Email column %.1f wide, want at least %d for dilnoza@example.uz", email, n)
		}
		for _, col := range []string{"Q", "R", "S", "U", "V"} {
			if w, err := f.GetColWidth(sheet, col); err != nil || w < 17 {
				t.Errorf("date-time column %s is %.1f wide (%v); 2019-05-15 10:00 needs 17", col, w, err)
			}
		}
	})
	t.Run("a row of wrapped text is as tall as its lines", func(t *testing.T) {
		// Spreadsheets do not grow a row for wrapped text by themselves
		// (LibreOffice draws the lines over the next rows).
		wrapped, err := f.GetRowHeight(sheet, 2)
		if err != nil {
			t.Fatal(err)
		}
		single, err := f.GetRowHeight(sheet, 3)
		if err != nil {
			t.Fatal(err)
		}
		if wrapped < 3*12 || single > 15 {
			t.Errorf("row heights %.1f for a %d-character organization and %.1f for short text, want at least 3 lines and one",
				wrapped, utf8.RuneCountInString(long), single)
		}
	})
	t.Run("columns are listed in order, as Excel requires", func(t *testing.T) {
		xlsx := workbookFile(t, "en", rows)
		for _, part := range []string{"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} {
			var mins []int
			for _, m := range colMin.FindAllStringSubmatch(sheetXML(t, xlsx, part), -1) {
				n, err := strconv.Atoi(m[1])
				if err != nil {
					t.Fatal(err)
				}
				mins = append(mins, n)
			}
			if len(mins) == 0 || !slices.IsSorted(mins) {
				t.Errorf("%s: <col> elements for columns %v, want ascending", part, mins)
			}
		}
	})
}

var colMin = regexp.MustCompile(`<col min="(\d+)"`)

// checkSheetLayout checks a sheet's fonts, column widths and print setup.
func checkSheetLayout(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: rows %q (%v)", sheet, rows, err)
	}
	for i, h := range rows[0] {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			t.Fatal(err)
		}
		w, err := f.GetColWidth(sheet, col)
		if n := utf8.RuneCountInString(h); err != nil || w < float64(n) {
			t.Errorf("%s: column %s %.1f wide (%v), narrower than its %d-character header %q", sheet, col, w, err, n, h)
		}
		if st := cellStyle(t, f, sheet, col+"1"); st.Font == nil || !st.Font.Bold {
			t.Errorf("%s: header %s1 font %+v, want bold", sheet, col, st.Font)
		}
	}
	var unnamed []string // cells whose font has no name or size
	for r, row := range rows {
		for c, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				t.Fatal(err)
			}
			if st := cellStyle(t, f, sheet, cell); st.Font == nil || st.Font.Family != export.FontFamily || st.Font.Size != export.FontSize {
				unnamed = append(unnamed, cell)
			}
		}
	}
	if len(unnamed) > 0 {
		t.Errorf("%s: cells %v are not in %s %v", sheet, unnamed, export.FontFamily, export.FontSize)
	}

	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Orientation == nil || *layout.Orientation != "landscape" {
		t.Errorf("%s: orientation %v, want landscape", sheet, deref(layout.Orientation))
	}
	if layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
		t.Errorf("%s: fit to %v wide by %v tall, want 1 page wide by any number tall", sheet, deref(layout.FitToWidth), deref(layout.FitToHeight))
	}
	props, err := f.GetSheetProps(sheet)
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("%s: fit to page is off (%v): the page counts above are ignored", sheet, err)
	}
	titles := ""
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = dn.RefersTo
		}
	}
	if want := "'" + sheet + "'!$1:$1"; titles != want {
		t.Errorf("%s: print titles %q, want %q (the header row on every page)", sheet, titles, want)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// The files speak the language they are asked for: sheet names, headers,
// country names and the total line.
func TestExportsSpeakTheLanguageAsked(t *testing.T) {
	tests := []struct {
		lang               string
		sheets             string
		headers, byCountry string // the first columns' headers
		uzbekistan, kyrgyz string
		total              string
	}{
		{"en", "Attendees|By country|By delegation", "ID|Status|First name|Last name|First name (Latin)|Last name (Latin)|Email|Phone|Country code|Country",
			"Country code|Country|Registered|Confirmed|Pending|Waitlisted|Cancelled|Expired|2019-05-30|2019-05-31|Attended",
			"Uzbekistan", "Kyrgyzstan", "Total"},
		{"ru", "Участники|По странам|По делегациям", "ID|Статус|Имя|Фамилия|Имя (латиница)|Фамилия (латиница)|Эл. почта|Телефон|Код страны|Страна",
			"Код страны|Страна|Зарегистрировано|Подтверждено|Не подтверждено|В листе ожидания|Отменено|Истекло|2019-05-30|2019-05-31|Пришли",
			"Узбекистан", "Киргизия", "Всего"},
		{"uz", "Ishtirokchilar|Mamlakatlar boʻyicha|Delegatsiyalar boʻyicha", "ID|Holati|Ism|Familiya|Ism (lotin)|Familiya (lotin)|Elektron pochta|Telefon|Mamlakat kodi|Mamlakat",
			"Mamlakat kodi|Mamlakat|Roʻyxatdan oʻtgan|Tasdiqlangan|Tasdiqlanmagan|Kutish roʻyxatida|Bekor qilingan|Muddati oʻtgan|2019-05-30|2019-05-31|Qatnashgan",
			"Oʻzbekiston", "Qirgʻiziston", "Jami"},
	}
	for _, tt := range tests {
		t.Run("in "+tt.lang, func(t *testing.T) {
			records := csvRecords(t, tt.lang, workshop(), attendees())
			if got := strings.Join(records[0][:10], "|"); got != tt.headers {
				t.Errorf("CSV headers %q, want %q", got, tt.headers)
			}
			if records[1][9] != tt.uzbekistan || records[2][9] != tt.kyrgyz {
				t.Errorf("CSV countries %q, %q, want %q, %q", records[1][9], records[2][9], tt.uzbekistan, tt.kyrgyz)
			}

			f := workbook(t, tt.lang, attendees())
			if got := strings.Join(f.GetSheetList(), "|"); got != tt.sheets {
				t.Fatalf("sheets %q, want %q", got, tt.sheets)
			}
			attendeeRows, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(attendeeRows[0], "|"); got != strings.Join(records[0], "|") {
				t.Errorf("XLSX headers %q, want the CSV's %q", got, records[0])
			}
			if attendeeRows[1][9] != tt.uzbekistan {
				t.Errorf("XLSX country %q, want %q", attendeeRows[1][9], tt.uzbekistan)
			}
			byCountry, err := f.GetRows(f.GetSheetName(1))
			if err != nil {
				t.Fatal(err)
			}
			want := [][]string{
				strings.Split(tt.byCountry, "|"),
				{"KG", tt.kyrgyz, "1", "0", "1", "0", "0", "0", "0", "0", "0"},
				{"UZ", tt.uzbekistan, "1", "1", "0", "0", "0", "0", "1", "1", "1"},
				{"", tt.total, "2", "1", "1", "0", "0", "0", "1", "1", "1"},
			}
			if len(byCountry) != len(want) {
				t.Fatalf("By country rows %q", byCountry)
			}
			for i := range want {
				if strings.Join(byCountry[i], "|") != strings.Join(want[i], "|") {
					t.Errorf("By country row %d = %q, want %q", i+1, byCountry[i], want[i])
				}
			}
		})
	}
}

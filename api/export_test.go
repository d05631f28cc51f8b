package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/internal/servertest"
)

// exportWorkshop registers four people on the Tashkent workshop, one of
// them with cells that try formula injection, and checks three of them in.
//
//	row 1 Дилноза Юсупова  UZ researcher confirmed  both days
//	row 2 @SUM(1) Oʻktam   KG other      pending    —
//	row 3 Kadri Tamm       EE expert     cancelled  day 1
//	row 4 Gʻayrat Toʻxtayev UZ student   confirmed  day 2
func exportWorkshop(t *testing.T) (*deskAPI, []*domain.Registration) {
	d := newDeskAPI(t)
	at := func(day, hour, minute int) time.Time {
		return time.Date(2019, time.May, day, hour, minute, 0, 0, deskTZ)
	}
	regs := []*domain.Registration{
		d.register(d.ev, deskPerson{first: "Дилноза", last: "Юсупова", email: "dilnoza@example.uz", country: "UZ",
			role: "researcher", org: "Centre for Economic Research and Reforms", position: "Ведущий научный сотрудник",
			phone: "+998 71 234-56-78", confirmed: true, at: at(15, 10, 0)}),
		d.register(d.ev, deskPerson{first: "@SUM(1)", last: "Oʻktam", email: "oktam@example.kg", country: "KG",
			role: "other", org: `=HYPERLINK("http://x")`, position: "-1+2", at: at(15, 11, 0)}),
		d.register(d.ev, deskPerson{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE",
			role: "expert", org: "+Information System Authority", confirmed: true, at: at(16, 9, 30)}),
		d.register(d.ev, deskPerson{first: "Gʻayrat", last: "Toʻxtayev", email: "gayrat@example.uz", country: "UZ",
			role: "student", org: "Academy of Public Administration", confirmed: true, at: at(17, 14, 5)}),
	}
	checkIn := func(reg *domain.Registration, when time.Time) {
		d.setClock(when)
		rec := d.checkIn(d.token, map[string]any{"code": reg.CheckinCode})
		servertest.Decode[checkinJSON](t, rec, http.StatusCreated)
	}
	checkIn(regs[0], at(30, 8, 41))
	checkIn(regs[2], at(30, 8, 45))
	checkIn(regs[0], at(31, 8, 52))
	checkIn(regs[3], at(31, 9, 3))
	if _, err := d.st.CancelRegistration(d.ctx, d.org.ID, d.ev.Slug, regs[2].ID, ""); err != nil {
		t.Fatal(err)
	}
	d.setClock(at(31, 10, 0))
	return d, regs
}

func (d *deskAPI) export(token, query string) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.call(http.MethodGet, "/api/v1/events/"+d.ev.Slug+"/registrations/export"+query, token, nil)
}

// csvRecords checks a CSV download's headers and encoding and parses it.
func csvRecords(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	raw := rec.Body.String()
	body, ok := strings.CutPrefix(raw, "\uFEFF")
	if !ok {
		t.Fatalf("no UTF-8 byte-order mark: %q", raw[:min(len(raw), 20)])
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Errorf("not every line ends in CRLF")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180 CSV: %v", err)
	}
	return records
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	d, regs := exportWorkshop(t)
	rec := d.export(d.token, "?format=csv")
	records := csvRecords(t, rec)
	if cd := rec.Header().Get("Content-Disposition"); cd != "attachment; filename=egov-tashkent-2019-attendees-2019-05-31.csv" {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	want := [][]string{
		{"ID", "Status", "First name", "Last name", "First name (Latin)", "Last name (Latin)", "Email", "Phone",
			"Country code", "Country", "Delegation code", "Delegation", "Organization", "Position",
			"Role", "Language", "Registered at", "Confirmed at", "Edited by the participant", "Check-in code", "2019-05-30", "2019-05-31"},
		{regs[0].ID, "confirmed", "Дилноза", "Юсупова", "", "", "dilnoza@example.uz", "'+998712345678", "UZ", "Uzbekistan",
			"UZ", "Uzbekistan", "Centre for Economic Research and Reforms", "Ведущий научный сотрудник", "researcher", "en",
			"2019-05-15T10:00:00+05:00", "2019-05-15T10:00:00+05:00", "", regs[0].CheckinCode,
			"2019-05-30T08:41:00+05:00", "2019-05-31T08:52:00+05:00"},
		{regs[1].ID, "pending", "'@SUM(1)", "Oʻktam", "", "", "oktam@example.kg", "", "KG", "Kyrgyzstan",
			"KG", "Kyrgyzstan", `'=HYPERLINK("http://x")`, "'-1+2", "other", "en",
			"2019-05-15T11:00:00+05:00", "", "", regs[1].CheckinCode, "", ""},
		{regs[2].ID, "cancelled", "Kadri", "Tamm", "", "", "kadri@example.ee", "", "EE", "Estonia",
			"EE", "Estonia", "'+Information System Authority", "", "expert", "en",
			"2019-05-16T09:30:00+05:00", "2019-05-16T09:30:00+05:00", "", regs[2].CheckinCode, "2019-05-30T08:45:00+05:00", ""},
		{regs[3].ID, "confirmed", "Gʻayrat", "Toʻxtayev", "", "", "gayrat@example.uz", "", "UZ", "Uzbekistan",
			"UZ", "Uzbekistan", "Academy of Public Administration", "", "student", "en",
			"2019-05-17T14:05:00+05:00", "2019-05-17T14:05:00+05:00", "", regs[3].CheckinCode, "", "2019-05-31T09:03:00+05:00"},
	}
	if len(records) != len(want) {
		t.Fatalf("%d records, want %d:\n%q", len(records), len(want), records)
	}
	for i := range want {
		if strings.Join(records[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d\n got %q\nwant %q", i, records[i], want[i])
		}
	}
}

func TestExportAppliesTheListFilters(t *testing.T) {
	t.Parallel()
	d, regs := exportWorkshop(t)
	tests := []struct {
		query string
		want  []string // registration ids, in order
	}{
		{"", []string{regs[0].ID, regs[1].ID, regs[2].ID, regs[3].ID}},
		{"?status=confirmed", []string{regs[0].ID, regs[3].ID}},
		{"?country=uz", []string{regs[0].ID, regs[3].ID}},
		{"?q=%D1%8E%D1%81%D1%83%D0%BF", []string{regs[0].ID}}, // "юсуп"
		{"?status=confirmed&country=UZ&q=Toʻx", []string{regs[3].ID}},
		{"?country=AM", nil},
		{"?limit=1&format=csv", []string{regs[0].ID, regs[1].ID, regs[2].ID, regs[3].ID}}, // exports are never paged
	}
	for _, tt := range tests {
		t.Run("the query "+tt.query+" exports its matches", func(t *testing.T) {
			records := csvRecords(t, d.export(d.token, tt.query))
			var ids []string
			for _, r := range records[1:] {
				ids = append(ids, r[0])
			}
			if strings.Join(ids, " ") != strings.Join(tt.want, " ") || records[0][0] != "ID" {
				t.Errorf("rows %v, want %v", ids, tt.want)
			}
		})
	}
	t.Run("filters apply to XLSX too", func(t *testing.T) {
		f := openXLSX(t, d.export(d.token, "?format=xlsx&status=confirmed&country=UZ"))
		rows, err := f.GetRows("Attendees")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[1][0] != regs[0].ID || rows[2][0] != regs[3].ID {
			t.Errorf("rows = %q, want the header and two confirmed Uzbeks", rows)
		}
	})
}

func TestExportRefusals(t *testing.T) {
	t.Parallel()
	d := newDeskAPI(t)
	tests := []struct {
		query  string
		fields []string
	}{
		{"?format=pdf", []string{"format"}},
		{"?format=xlsx&status=registered", []string{"status"}},
		{"?format=ods&country=ZZ", []string{"format", "country"}},
	}
	for _, tt := range tests {
		t.Run("the query "+tt.query+" is 422", func(t *testing.T) {
			_, fields := wantProblem(t, d.export(d.token, tt.query), http.StatusUnprocessableEntity)
			if len(fields) != len(tt.fields) {
				t.Errorf("field errors %v, want %v", fields, tt.fields)
			}
			for _, f := range tt.fields {
				if fields[f] == "" {
					t.Errorf("field errors %v, want %v", fields, tt.fields)
				}
			}
		})
	}
	t.Run("another organizer gets 404", func(t *testing.T) {
		wantProblem(t, d.export(d.otherToken, "?format=csv"), http.StatusNotFound)
	})
	t.Run("without a token it is 401", func(t *testing.T) {
		wantProblem(t, d.export("", "?format=xlsx"), http.StatusUnauthorized)
	})
	t.Run("without registrations the CSV is the header row", func(t *testing.T) {
		records := csvRecords(t, d.export(d.token, ""))
		if len(records) != 1 || len(records[0]) != 22 {
			t.Errorf("records = %q, want the header only", records)
		}
	})
}

// openXLSX checks an XLSX download's headers and opens it.
func openXLSX(t *testing.T, rec *httptest.ResponseRecorder) *excelize.File {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type = %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("not an XLSX workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestExportXLSX(t *testing.T) {
	t.Parallel()
	d, regs := exportWorkshop(t)
	rec := d.export(d.token, "?format=xlsx")
	f := openXLSX(t, rec)
	if cd := rec.Header().Get("Content-Disposition"); cd != "attachment; filename=egov-tashkent-2019-attendees-2019-05-31.xlsx" {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if got := f.GetSheetList(); strings.Join(got, "|") != "Attendees|By country|By delegation" {
		t.Fatalf("sheets = %q", got)
	}
	sheet := "Attendees"

	t.Run("text cells hold the text as typed, neutralized where it could be a formula", func(t *testing.T) {
		want := map[string]string{
			"A1": "ID", "C1": "First name", "U1": "2019-05-30", "V1": "2019-05-31",
			"A2": regs[0].ID, "C2": "Дилноза", "D2": "Юсупова", "H2": "'+998712345678", "N2": "Ведущий научный сотрудник",
			"C3": "'@SUM(1)", "D3": "Oʻktam", "M3": `'=HYPERLINK("http://x")`, "N3": "'-1+2",
			"B4": "cancelled", "M4": "'+Information System Authority",
			"C5": "Gʻayrat", "D5": "Toʻxtayev", "T5": regs[3].CheckinCode,
		}
		for cell, text := range want {
			got, err := f.GetCellValue(sheet, cell)
			if err != nil || got != text {
				t.Errorf("%s = %q (%v), want %q", cell, got, err, text)
			}
			if typ, _ := f.GetCellType(sheet, cell); typ != excelize.CellTypeInlineString {
				t.Errorf("%s has cell type %v, want a string", cell, typ)
			}
			if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
				t.Errorf("%s holds a formula %q", cell, formula)
			}
		}
	})
	t.Run("times are date-time numbers with the event's wall clock", func(t *testing.T) {
		wall := func(day, hour, minute int) time.Time {
			return time.Date(2019, time.May, day, hour, minute, 0, 0, time.UTC)
		}
		want := map[string]time.Time{
			"Q2": wall(15, 10, 0), "R2": wall(15, 10, 0), "U2": wall(30, 8, 41), "V2": wall(31, 8, 52),
			"Q3": wall(15, 11, 0), "U4": wall(30, 8, 45), "V5": wall(31, 9, 3),
		}
		for cell, at := range want {
			raw, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			serial, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				t.Errorf("%s = %q, want a number", cell, raw)
				continue
			}
			got, err := excelize.ExcelDateToTime(serial, false)
			if err != nil || got.Sub(at).Abs() > time.Second {
				t.Errorf("%s = %v (%v), want %v", cell, got, err, at)
			}
			style, err := f.GetCellStyle(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			if st, err := f.GetStyle(style); err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != export.DateTimeFormat {
				t.Errorf("%s style %+v (%v), want the date-time format", cell, st, err)
			}
		}
		for _, cell := range []string{"R3", "U3", "V3", "V4", "U5"} {
			if got, _ := f.GetCellValue(sheet, cell); got != "" {
				t.Errorf("%s = %q, want an empty cell", cell, got)
			}
		}
	})
	t.Run("the header is bold, frozen and filtered", func(t *testing.T) {
		style, err := f.GetCellStyle(sheet, "U1")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("header style %+v (%v), want bold", st, err)
		}
		if panes, err := f.GetPanes(sheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("panes %+v (%v), want the first row frozen", panes, err)
		}
		names := f.GetDefinedName()
		filtered := false
		for _, n := range names {
			if n.Name == "_xlnm._FilterDatabase" && strings.Contains(n.RefersTo, "Attendees") &&
				strings.ReplaceAll(n.RefersTo, "$", "") == "'Attendees'!A1:V5" {
				filtered = true
			}
		}
		if !filtered {
			t.Errorf("defined names %+v, want an autofilter over Attendees A1:V5", names)
		}
		if w, err := f.GetColWidth(sheet, "M"); err != nil || w < 20 {
			t.Errorf("Organization column width %v (%v), want a wide column", w, err)
		}
	})
	t.Run("the By country sheet has the statistics", func(t *testing.T) {
		rows, err := f.GetRows("By country")
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{"Country code", "Country", "Registered", "Confirmed", "Pending", "Waitlisted", "Cancelled", "Expired", "2019-05-30", "2019-05-31", "Attended"},
			{"EE", "Estonia", "0", "0", "0", "0", "1", "0", "1", "0", "1"},
			{"KG", "Kyrgyzstan", "1", "0", "1", "0", "0", "0", "0", "0", "0"},
			{"UZ", "Uzbekistan", "2", "2", "0", "0", "0", "0", "1", "2", "2"},
			{"", "Total", "3", "2", "1", "0", "1", "0", "2", "2", "3"},
		}
		if len(rows) != len(want) {
			t.Fatalf("rows = %q", rows)
		}
		for i := range want {
			if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("row %d = %q, want %q", i+1, rows[i], want[i])
			}
		}
		if typ, _ := f.GetCellType("By country", "C4"); typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("counts are strings, want numbers")
		}
	})
}

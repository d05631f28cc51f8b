package documents_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// figures are the workshop's numbers: three delegations (and one with only
// a cancelled registration), two roles.
func figures() documents.Figures {
	counts := func(reg, att1, att2, att int) store.Counts {
		return store.Counts{Registered: reg, Attended: att, AttendedByDay: map[domain.Date]int{day1: att1, day2: att2}}
	}
	perDay := func(d1, d2 int) map[domain.Date]int { return map[domain.Date]int{day1: d1, day2: d2} }
	return documents.Figures{
		Stats: &store.Stats{
			Days:  []domain.Date{day1, day2},
			Total: counts(31, 24, 22, 27),
			ByDelegation: []store.DelegationStats{
				{Delegation: "FR", Counts: counts(0, 0, 0, 0)},
				{Delegation: "KZ", Counts: counts(6, 5, 4, 5)},
				{Delegation: "UZ", Counts: counts(20, 15, 14, 18)},
				{Delegation: "AM", Counts: counts(5, 4, 4, 4)},
			},
			ByRole: []store.RoleStats{
				{Role: "expert", Counts: counts(21, 17, 15, 19)},
				{Role: "speaker", Counts: counts(10, 7, 7, 8)},
			},
		},
		Registered: &store.RegisteredByDay{
			Total:        perDay(30, 28),
			ByDelegation: map[string]map[domain.Date]int{"KZ": perDay(6, 5), "UZ": perDay(19, 18), "AM": perDay(5, 5)},
			ByRole:       map[string]map[domain.Date]int{"expert": perDay(20, 19), "speaker": perDay(10, 9)},
		},
		Generated: time.Date(2019, time.June, 3, 5, 0, 0, 0, time.UTC),
	}
}

// numbersAfter returns the numbers on the first line that starts with
// label (after spaces), in order.
func numbersAfter(text, label string) string {
	for _, l := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), label); ok {
			return strings.Join(strings.Fields(rest), " ")
		}
	}
	return "(no line)"
}

// rowOrder lists labels in the order of the first table rows that start
// with them (after the row's number, if any).
func rowOrder(text string, labels ...string) string {
	var order []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimLeft(strings.TrimSpace(l), "0123456789 ")
		for _, label := range labels {
			if strings.HasPrefix(l, label+" ") && !slices.Contains(order, label) {
				order = append(order, label)
			}
		}
	}
	return strings.Join(order, ", ")
}

func TestAttendanceReportShowsDelegationsAndRolesByDayWithTotals(t *testing.T) {
	var b bytes.Buffer
	if err := documents.AttendanceReport(&b, workshop(), figures(), localizer(t, "en")); err != nil {
		t.Fatal(err)
	}
	if w, h := pageSize(t, b.Bytes()); w < 296 || w > 298 || h < 209 || h > 211 {
		t.Errorf("page %.1f × %.1f mm, want A4 landscape", w, h)
	}
	pages := pageTexts(t, b.Bytes())
	text := strings.Join(pages, "\f")
	for _, want := range []string{"Attendance report", "International workshop on e-government development",
		"30–31 May 2019 · Hyatt Regency Tashkent, Tashkent", "By delegation", "By role", "30 May", "31 May",
		"Whole event", "Registered", "Attended", "Registered and attended, by delegation",
		"Generated on 3 June 2019", fmt.Sprintf("Page 1 of %d", len(pages))} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the report:\n%s", want, text)
		}
	}
	// Each row: registered and attended on 30 May, on 31 May, for the whole event.
	rows := []struct{ label, want string }{
		{"Armenia", "5 4 5 4 5 4"},
		{"Kazakhstan", "6 5 5 4 6 5"},
		{"Uzbekistan", "19 15 18 14 20 18"},
		{"Expert", "20 17 19 15 21 19"},
		{"Speaker", "10 7 9 7 10 8"},
	}
	for _, r := range rows {
		if got := numbersAfter(text, r.label); got != r.want {
			t.Errorf("%s: %s, want %s", r.label, got, r.want)
		}
	}
	if got := strings.Count(text, "Total"); got != 2 {
		t.Errorf("%d total rows, want 2", got)
	}
	if got := numbersAfter(text, "Total"); got != "30 24 28 22 31 27" {
		t.Errorf("total: %s", got)
	}
	if strings.Contains(text, "France") {
		t.Error("a delegation with nobody registered or attending is listed")
	}
	if got := rowOrder(text, "Uzbekistan", "Kazakhstan", "Armenia"); got != "Armenia, Kazakhstan, Uzbekistan" {
		t.Errorf("delegations in the order %s, want by name", got)
	}
}

func TestAttendanceReportInRussianSortsDelegationsByTheirRussianNames(t *testing.T) {
	var b bytes.Buffer
	if err := documents.AttendanceReport(&b, workshop(), figures(), localizer(t, "ru")); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pageTexts(t, b.Bytes()), "\f")
	for _, want := range []string{"Отчёт о посещаемости", "По делегациям", "По ролям", "Записаны", "Пришли",
		"Всё мероприятие", "Итого", "Эксперт", "30 мая"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q:\n%s", want, text)
		}
	}
	if got := rowOrder(text, "Узбекистан", "Казахстан", "Армения"); got != "Армения, Казахстан, Узбекистан" {
		t.Errorf("delegations in the order %s, want by their Russian names", got)
	}
}

// An event of eight days has its days in two tables, so that numbers stay
// legible; the whole event's columns close the last.
func TestAttendanceReportOfALongEventSplitsItsDays(t *testing.T) {
	ev := workshop()
	ev.EndsOn = day1.AddDays(7)
	f := figures()
	f.Stats.Days = ev.Days()
	var b bytes.Buffer
	if err := documents.AttendanceReport(&b, ev, f, localizer(t, "en")); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pageTexts(t, b.Bytes()), "\f")
	if got := strings.Count(text, "By delegation"); got != 2 {
		t.Errorf("%d tables by delegation, want 2", got)
	}
	if got := strings.Count(text, "Whole event"); got != 2 {
		t.Errorf("whole event columns %d times, want twice (one per table kind)", got)
	}
	for _, d := range []string{"30 May", "3 June", "4 June", "6 June"} {
		if !strings.Contains(text, d) {
			t.Errorf("no column for %s", d)
		}
	}
}

func TestAttendanceReportWorkbookHasTheSameNumbersAndAChart(t *testing.T) {
	var b bytes.Buffer
	if err := documents.AttendanceReportXLSX(&b, workshop(), figures(), localizer(t, "en")); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ", "); got != "By delegation, By role" {
		t.Fatalf("sheets %s", got)
	}
	cases := []struct {
		sheet string
		rows  []string
	}{
		{"By delegation", []string{
			"Delegation | 30 May |  | 31 May |  | Whole event | ",
			" | Registered | Attended | Registered | Attended | Registered | Attended",
			"Armenia | 5 | 4 | 5 | 4 | 5 | 4",
			"Kazakhstan | 6 | 5 | 5 | 4 | 6 | 5",
			"Uzbekistan | 19 | 15 | 18 | 14 | 20 | 18",
			"Total | 30 | 24 | 28 | 22 | 31 | 27",
		}},
		{"By role", []string{
			"Role | 30 May |  | 31 May |  | Whole event | ",
			" | Registered | Attended | Registered | Attended | Registered | Attended",
			"Expert | 20 | 17 | 19 | 15 | 21 | 19",
			"Speaker | 10 | 7 | 9 | 7 | 10 | 8",
			"Total | 30 | 24 | 28 | 22 | 31 | 27",
		}},
	}
	for _, c := range cases {
		rows, err := x.GetRows(c.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 3+len(c.rows) || rows[0][0] != "International workshop on e-government development" {
			t.Fatalf("%s: rows %q", c.sheet, rows)
		}
		for i, want := range c.rows {
			row := rows[3+i]
			for len(row) < 7 {
				row = append(row, "")
			}
			if got := strings.Join(row[:7], " | "); got != want {
				t.Errorf("%s row %d: %q, want %q", c.sheet, 4+i, got, want)
			}
		}
	}
	// The chart is a spreadsheet chart of the delegation sheet's cells.
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var xml bytes.Buffer
			_, err = xml.ReadFrom(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			charts = append(charts, html.UnescapeString(xml.String()))
		}
	}
	if len(charts) != 1 || !strings.Contains(charts[0], "'By delegation'!$A$6:$A$8") {
		t.Errorf("%d charts; want one over 'By delegation'!$A$6:$A$8", len(charts))
	}
}

// The OECD's experts are a delegation of their own, named as the reader
// names it.
func TestAttendanceReportCountsOrganizationsAsDelegations(t *testing.T) {
	f := figures()
	oecd := store.Counts{Registered: 2, Attended: 2, AttendedByDay: map[domain.Date]int{day1: 2, day2: 1}}
	f.Stats.ByDelegation = append(f.Stats.ByDelegation, store.DelegationStats{Delegation: "OECD", Counts: oecd})
	f.Registered.ByDelegation["OECD"] = map[domain.Date]int{day1: 2, day2: 2}
	for lang, name := range map[string]string{"en": "OECD", "ru": "ОЭСР"} {
		var b bytes.Buffer
		if err := documents.AttendanceReport(&b, workshop(), f, localizer(t, lang)); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(pageTexts(t, b.Bytes()), "\f")
		if got := numbersAfter(text, name); got != "2 2 2 1 2 2" {
			t.Errorf("%s: %s row %q, want 2 2 2 1 2 2", lang, name, got)
		}
	}
}

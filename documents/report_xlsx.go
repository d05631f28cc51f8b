package documents

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// The workbook's first table row: rows 1 and 2 name the event and the
// report, rows 4 and 5 are the table's headings.
const (
	xlsxHeadRow  = 4
	xlsxFirstRow = 6
	xlsxFont     = "Arial" // as the attendee export: on every computer with a spreadsheet
)

// AttendanceReportXLSX writes ev's attendance report as an Excel workbook
// to w, in l's language: a sheet by delegation and one by role, each with
// the people registered and attended on each day and over the whole event
// and their total, the same numbers as AttendanceReport; the delegation
// sheet has the chart of registered and attended people by delegation, as
// a spreadsheet chart of its cells.
func AttendanceReportXLSX(w io.Writer, ev *domain.Event, f Figures, l *i18n.Localizer) error {
	ev = ev.In(l.Lang()) // the event's texts in the report's language
	x := excelize.NewFile()
	defer x.Close()
	byDelegation, byRole := reportTables(ev, f, l)
	st, err := newXLSXStyles(x)
	if err != nil {
		return fmt.Errorf("documents: report workbook: %w", err)
	}
	for i, t := range []reportTable{byDelegation, byRole} {
		name := sheetName(t.title)
		if i == 0 {
			err = x.SetSheetName("Sheet1", name)
		} else {
			_, err = x.NewSheet(name)
		}
		if err == nil {
			err = xlsxTable(x, name, ev, t, l, st, i == 0)
		}
		if err != nil {
			return fmt.Errorf("documents: report workbook: %w", err)
		}
	}
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("documents: write report workbook: %w", err)
	}
	return nil
}

type xlsxStyles struct{ title, subtitle, head, text, number, totalText, totalNumber, note int }

func newXLSXStyles(x *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	font := func(bold bool, size float64, color string) *excelize.Font {
		return &excelize.Font{Family: xlsxFont, Size: size, Bold: bold, Color: color}
	}
	thin := []excelize.Border{{Type: "bottom", Color: "AAAAAA", Style: 1}}
	top := []excelize.Border{{Type: "top", Color: "191919", Style: 2}}
	tintFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EAF0F7"}}
	for _, def := range []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: font(true, 14, "191919")}},
		{&s.subtitle, excelize.Style{Font: font(false, 10, "5F5F5F")}},
		{&s.head, excelize.Style{Font: font(true, 10, "191919"), Fill: tintFill, Border: thin,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&s.text, excelize.Style{Font: font(false, 10, "191919")}},
		{&s.number, excelize.Style{Font: font(false, 10, "191919"), NumFmt: 1}},
		{&s.totalText, excelize.Style{Font: font(true, 10, "191919"), Border: top}},
		{&s.totalNumber, excelize.Style{Font: font(true, 10, "191919"), Border: top, NumFmt: 1}},
		{&s.note, excelize.Style{Font: font(false, 9, "5F5F5F"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
	} {
		id, err := x.NewStyle(&def.style)
		if err != nil {
			return s, err
		}
		*def.dst = id
	}
	return s, nil
}

// xlsxTable writes t to the sheet, with the chart when withChart.
func xlsxTable(x *excelize.File, sheet string, ev *domain.Event, t reportTable, l *i18n.Localizer, st xlsxStyles, withChart bool) error {
	lang := l.Lang()
	days := ev.Days()
	cols := 1 + 2*(len(days)+1)
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row) // col and row are ≥ 1 here
		return name
	}
	var errs []error
	set := func(col, row int, v any, style int) {
		errs = append(errs, x.SetCellValue(sheet, cell(col, row), v), x.SetCellStyle(sheet, cell(col, row), cell(col, row), style))
	}
	merge := func(c1, r1, c2, r2 int) { errs = append(errs, x.MergeCell(sheet, cell(c1, r1), cell(c2, r2))) }

	set(1, 1, clean(ev.Title), st.title)
	when := i18n.FormatDateRange(lang, ev.StartsOn.Time(), ev.EndsOn.Time())
	set(1, 2, joinNonEmpty(" · ", l.T("doc.report.title", nil)+": "+t.title, when, place(ev)), st.subtitle)

	set(1, xlsxHeadRow, t.head, st.head)
	set(1, xlsxHeadRow+1, "", st.head)
	merge(1, xlsxHeadRow, 1, xlsxHeadRow+1)
	heads := make([]string, 0, len(days)+1)
	for _, d := range days {
		heads = append(heads, i18n.FormatDayMonth(lang, d.Time()))
	}
	heads = append(heads, l.T("doc.report.whole_event", nil))
	for i, h := range heads {
		c := 2 + 2*i
		set(c, xlsxHeadRow, h, st.head)
		set(c+1, xlsxHeadRow, "", st.head)
		merge(c, xlsxHeadRow, c+1, xlsxHeadRow)
		set(c, xlsxHeadRow+1, l.T("doc.report.registered", nil), st.head)
		set(c+1, xlsxHeadRow+1, l.T("doc.report.attended", nil), st.head)
	}
	write := func(row int, r reportRow, text, number int) {
		set(1, row, r.label, text)
		for i := range days {
			set(2+2*i, row, r.registered[i], number)
			set(3+2*i, row, r.attended[i], number)
		}
		set(cols-1, row, r.regTotal, number)
		set(cols, row, r.attTotal, number)
	}
	row := xlsxFirstRow
	for _, r := range t.rows {
		write(row, r, st.text, st.number)
		row++
	}
	write(row, t.total, st.totalText, st.totalNumber)
	last := row - 1 // the last row above the total

	noteRow := row + 2
	set(1, noteRow, l.T("doc.report.note", nil), st.note)
	merge(1, noteRow, cols, noteRow)
	errs = append(errs,
		x.SetRowHeight(sheet, noteRow, 54),
		x.SetColWidth(sheet, "A", "A", 34),
		x.SetColWidth(sheet, cell(2, 1)[:len(cell(2, 1))-1], strings.TrimRight(cell(cols, 1), "1"), 12),
		x.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: xlsxFirstRow - 1,
			TopLeftCell: cell(2, xlsxFirstRow), ActivePane: "bottomRight"}),
	)
	errs = append(errs, xlsxPrintSetup(x, sheet))
	if withChart && len(t.rows) > 0 {
		ref := "'" + strings.ReplaceAll(sheet, "'", "''") + "'!"
		abs := func(col, row int) string {
			c := cell(col, row)
			letters := strings.TrimRight(c, "0123456789")
			return "$" + letters + "$" + c[len(letters):]
		}
		categories := ref + abs(1, xlsxFirstRow) + ":" + abs(1, last)
		series := func(col int) excelize.ChartSeries {
			return excelize.ChartSeries{Name: ref + abs(col, xlsxHeadRow+1), Categories: categories,
				Values: ref + abs(col, xlsxFirstRow) + ":" + abs(col, last)}
		}
		reg, att := series(cols-1), series(cols)
		reg.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"96B4D7"}}
		att.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F497D"}}
		errs = append(errs, x.AddChart(sheet, cell(1, noteRow+2), &excelize.Chart{
			Type:      excelize.Bar,
			Series:    []excelize.ChartSeries{reg, att},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l.T("doc.report.chart", nil)}}},
			Legend:    excelize.ChartLegend{Position: "top"},
			Dimension: excelize.ChartDimension{Width: 720, Height: uint(120 + 36*len(t.rows))},
			YAxis:     excelize.ChartAxis{MajorGridLines: true},
			XAxis:     excelize.ChartAxis{ReverseOrder: true}, // the first delegation at the top, as in the table
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
		}))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// sheetName makes a title a valid sheet name: at most 31 characters,
// without the ones spreadsheets refuse.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, clean(s))
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// xlsxPrintSetup prints the sheet on A4 landscape, one page wide, with
// Excel's narrow margins, as the attendee export does.
func xlsxPrintSetup(x *excelize.File, sheet string) error {
	fit, landscape, a4, oneWide, anyTall := true, "landscape", 9, 1, 0
	if err := x.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	if err := x.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &oneWide, FitToHeight: &anyTall}); err != nil {
		return err
	}
	side, edge, band := 0.25, 0.75, 0.3
	return x.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side,
		Top: &edge, Bottom: &edge, Header: &band, Footer: &band})
}

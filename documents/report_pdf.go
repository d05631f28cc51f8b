package documents

import (
	"io"
	"strconv"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// Report geometry, in millimetres: A4 landscape.
const (
	reportMargin  = 14.0
	reportTop     = 12.0
	reportBottom  = a4Short - 15
	reportLabelW  = 70.0 // a table's first column
	reportMaxCol  = 24.0 // a column of numbers, at most
	reportRowH    = 6.0
	reportHeadH   = 5.5 // each of a table's two heading rows
	reportDaysMax = 5   // days per table: more go to a table of their own
	chartLabelW   = 62.0
	chartBarH     = 3.6
	chartRowGap   = 3.4
)

// AttendanceReport writes ev's attendance report as a PDF to w, in l's
// language, for the donor: A4 landscape pages headed with the event, a
// table by delegation and one by role with the people registered and
// attended on each day and over the whole event and their totals, a
// chart of registered and attended people by delegation, and a note that
// says what the numbers count. Tables of events longer than five days are
// split into several tables of five days each, so that numbers stay
// legible.
func AttendanceReport(w io.Writer, ev *domain.Event, f Figures, l *i18n.Localizer) error {
	ev = ev.In(l.Lang()) // the event's texts in the report's language
	r := &reportPDF{page: newPage(true, l.T("doc.report.title", nil)+" — "+ev.Title, l.Lang()), ev: ev, l: l, f: f}
	r.start()
	byDelegation, byRole := reportTables(ev, f, l)
	r.table(byDelegation)
	r.table(byRole)
	r.chart(byDelegation.rows)
	r.note()
	return r.write(w)
}

// reportPDF is a report being drawn: y is where the next thing goes.
type reportPDF struct {
	*page
	ev *domain.Event
	l  *i18n.Localizer
	f  Figures
	y  float64
}

func (r *reportPDF) width() float64 { return r.w - 2*reportMargin }

// start begins a page with the event's heading and the footer.
func (r *reportPDF) start() {
	r.AddPage()
	if r.PageNo() == 1 {
		r.reserveDigits(regular)
	}
	lang := r.l.Lang()
	when := i18n.FormatDateRange(lang, r.ev.StartsOn.Time(), r.ev.EndsOn.Time())
	r.y = r.eventHeader(reportMargin, reportTop, r.width(), r.l.T("doc.report.title", nil), r.ev, when, r.l) + 4
	note := ""
	if !r.f.Generated.IsZero() {
		note = r.l.T("doc.report.generated", map[string]any{"Date": i18n.FormatDate(lang, r.f.Generated.In(r.ev.Location()))})
	}
	r.footer(r.l, reportMargin, note)
}

// room starts a new page unless h millimetres fit below y, and says
// whether it did.
func (r *reportPDF) room(h float64) bool {
	if r.y+h <= reportBottom {
		return false
	}
	r.start()
	return true
}

// title draws a section's title.
func (r *reportPDF) title(s string) {
	r.font(bold, 11, accent)
	r.y = r.block(reportMargin, r.y, r.width(), r.lines(s, r.width(), 1), left) + 1.5
}

// table draws t, in parts of at most reportDaysMax days; the whole event's
// columns close the last part.
func (r *reportPDF) table(t reportTable) {
	days := r.ev.Days()
	for from := 0; from < len(days) || from == 0; from += reportDaysMax {
		to := min(from+reportDaysMax, len(days))
		r.tablePart(t, days, from, to, to == len(days))
	}
}

// tablePart draws the table's columns of days[from:to], and of the whole
// event when last.
func (r *reportPDF) tablePart(t reportTable, days []domain.Date, from, to int, last bool) {
	pairs := to - from
	if last {
		pairs++
	}
	colW := min(reportMaxCol, (r.width()-reportLabelW)/float64(2*pairs))
	heads := make([]string, 0, pairs)
	for _, d := range days[from:to] {
		heads = append(heads, i18n.FormatDayMonth(r.l.Lang(), d.Time()))
	}
	if last {
		heads = append(heads, r.l.T("doc.report.whole_event", nil))
	}
	cells := func(row reportRow) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, row.registered[i], row.attended[i])
		}
		if last {
			out = append(out, row.regTotal, row.attTotal)
		}
		return out
	}
	heading := func() {
		r.fill(tint)
		r.stroke(rule, 0.3)
		tableW := reportLabelW + float64(2*pairs)*colW
		r.Rect(reportMargin, r.y, tableW, 2*reportHeadH, "FD")
		r.font(bold, 8, ink)
		r.textAt(reportMargin+1.5, r.y+reportHeadH-r.lineHeight()/2, reportLabelW-3, r.ellipsize(t.head, reportLabelW-3), left)
		x := reportMargin + reportLabelW
		sub := [2]string{r.l.T("doc.report.registered", nil), r.l.T("doc.report.attended", nil)}
		for _, h := range heads {
			r.font(bold, 8, ink)
			r.textAt(x, r.y+0.6, 2*colW, r.ellipsize(h, 2*colW-2), center)
			r.font(regular, 7, muted)
			for i, s := range sub {
				r.textAt(x+float64(i)*colW+1, r.y+reportHeadH+0.4, colW-2, r.ellipsize(s, colW-2), right)
			}
			r.stroke(rule, 0.2)
			r.Line(x, r.y, x, r.y+2*reportHeadH)
			x += 2 * colW
		}
		r.y += 2 * reportHeadH
	}
	line := func(row reportRow, total bool, shade bool) {
		if r.room(reportRowH) {
			heading()
		}
		tableW := reportLabelW + float64(2*pairs)*colW
		if shade || total {
			r.fill(tint)
			r.Rect(reportMargin, r.y, tableW, reportRowH, "F")
		}
		style := regular
		if total {
			style = bold
			r.stroke(ink, 0.4)
			r.Line(reportMargin, r.y, reportMargin+tableW, r.y)
		}
		r.font(style, 8.5, ink)
		ty := r.y + (reportRowH-r.lineHeight())/2 + 0.2
		r.textAt(reportMargin+1.5, ty, reportLabelW-3, r.ellipsize(row.label, reportLabelW-3), left)
		x := reportMargin + reportLabelW
		for i, n := range cells(row) {
			if i%2 == 0 {
				r.stroke(faint, 0.2)
				r.Line(x, r.y, x, r.y+reportRowH)
			}
			r.textAt(x+1, ty, colW-2, strconv.Itoa(n), right)
			x += colW
		}
		r.y += reportRowH
	}

	// The title, the heading and the first row stay together.
	r.room(11 + 2*reportHeadH + reportRowH)
	r.title(t.title)
	heading()
	for i, row := range t.rows {
		line(row, false, i%2 == 1)
	}
	line(t.total, true, false)
	r.y += 7
}

// note says what the numbers count, at the end of the report.
func (r *reportPDF) note() {
	r.font(regular, 8, muted)
	ls := r.lines(r.l.T("doc.report.note", nil), r.width(), 0)
	r.room(float64(len(ls)) * r.lineHeight())
	r.font(regular, 8, muted)
	r.y = r.block(reportMargin, r.y, r.width(), ls, left)
}

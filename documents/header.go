package documents

import (
	"strconv"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// eventHeader draws the heading a sheet or report starts every page with:
// what the document is (kind, in the accent colour), the event's title,
// when and where it happens, and its co-organizers. Every part keeps to a
// bounded number of lines, so the heading's height does not depend on how
// long an organizer's texts are. It returns the y below it.
func (p *page) eventHeader(x, y, w float64, kind string, ev *domain.Event, when string, l *i18n.Localizer) float64 {
	p.font(bold, 8.5, accent)
	y = p.block(x, y, w, p.lines(kind, w, 1), left) + 0.8
	p.font(bold, 13, ink)
	y = p.block(x, y, w, p.lines(clean(ev.Title), w, 2), left) + 0.6
	p.font(regular, 9, ink)
	y = p.block(x, y, w, p.lines(upperFirst(joinNonEmpty(" · ", when, place(ev))), w, 2), left)
	if co := coOrganizers(ev); co != "" {
		p.font(regular, 8, muted)
		y = p.block(x, y, w, p.lines(l.T("doc.co_organizers", nil)+": "+co, w, 2), left)
	}
	return y
}

// footer draws "Page n of m" centred at the foot of the page, with note
// (the sheet's day, the report's date) at the left, so that a loose page
// says where it belongs.
func (p *page) footer(l *i18n.Localizer, margin float64, note string) {
	y := p.h - 10
	p.stroke(faint, 0.2)
	p.Line(margin, y-1.5, p.w-margin, y-1.5)
	p.font(regular, 7.5, muted)
	pageText := l.T("doc.page", map[string]any{"Param": strconv.Itoa(p.PageNo()), "Count": totalPages})
	p.textAt(margin, y, p.w-2*margin, pageText, center)
	if note != "" {
		p.textAt(margin, y, (p.w-2*margin)/2-20, p.ellipsize(note, (p.w-2*margin)/2-20), left)
	}
}

package documents

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Visa letter geometry, in millimetres: A4 portrait. Text stops at
// letterBottom, above the registration's reference and the page numbers.
const (
	letterMargin = 22.0
	letterTop    = 20.0
	letterBottom = a4Long - 24
)

// letter is a visa letter being drawn: its page and the top of the next
// line. Text that does not fit above letterBottom goes on a new page, so
// that no template the organizers may write (up to 5,000 characters), no
// host name and no passport name is ever cut.
type letter struct {
	*page
	l     *i18n.Localizer
	host  string
	width float64
	y     float64
}

// room starts a new page when h millimetres do not fit below y.
func (lt *letter) room(h float64) {
	if lt.y+h > letterBottom {
		lt.continuation()
	}
}

// continuation starts a further page, headed by the host's name over a
// rule, as letterhead paper's second sheets are.
func (lt *letter) continuation() {
	lt.AddPage()
	lt.font(regular, 8.5, muted)
	lt.y = lt.block(letterMargin, letterTop, lt.width, lt.lines(lt.host, lt.width, 0), left) + 1.5
	lt.stroke(faint, 0.3)
	lt.Line(letterMargin, lt.y, lt.w-letterMargin, lt.y)
	lt.y += 8
}

// paragraph draws s wrapped to the page's width in the current font, line
// by line, breaking pages between lines.
func (lt *letter) paragraph(s string, lh float64, a align) {
	for _, line := range lt.lines(s, lt.width, 0) {
		lt.room(lh)
		lt.textAt(letterMargin, lt.y, lt.width, line, a)
		lt.y += lh
	}
}

// visaLetterPDF draws the letter: the host's letterhead, the date and the
// addressee, the participant's passport details, the body from the
// event's template, and the signatory.
func visaLetterPDF(w io.Writer, ev *domain.Event, l *i18n.Localizer, h store.VisaLetterHolder, on time.Time) error {
	lang := l.Lang()
	ev = ev.In(lang)
	// The host and the signatory's title in the letter's language, where
	// the organizers gave them.
	s, reg, visa := ev.VisaLetters.In(lang), h.Registration, h.Visa
	lt := &letter{page: newPage(false, l.T("doc.visa.title", nil)+" — "+clean(visa.PassportName), lang),
		l: l, host: clean(s.HostName)}
	lt.width = lt.w - 2*letterMargin
	lt.AddPage()
	lt.y = letterTop

	// Letterhead: the host institution and its address, over a rule.
	lt.font(bold, 14, accent)
	lt.paragraph(lt.host, lt.lineHeight(), left)
	lt.font(regular, 9, muted)
	for _, line := range strings.Split(s.HostAddress, "\n") {
		lt.paragraph(clean(line), lt.lineHeight(), left)
	}
	lt.y += 2
	lt.stroke(accent, 0.6)
	lt.Line(letterMargin, lt.y, lt.w-letterMargin, lt.y)
	lt.y += 8

	// The date at the right, the addressee at the left.
	lt.font(regular, 10.5, ink)
	lt.room(14 + 20)
	date := i18n.FormatDate(lang, on.In(ev.Location()))
	lt.textAt(letterMargin, lt.y, lt.width, date, right)
	addressee := lt.lines(l.T("doc.visa.addressee", nil), lt.width-lt.GetStringWidth(date)-8, 0)
	lt.y = lt.block(letterMargin, lt.y, lt.width, addressee, left) + 14 - lt.lineHeight()

	lt.font(bold, 15, accent)
	lt.paragraph(strings.ToUpper(l.T("doc.visa.title", nil)), lt.lineHeight(), center)
	lt.y += 6

	lt.details(visaDetailRows(l, reg, visa, lang))
	lt.y += 8

	// The body: the event's template, filled in, paragraph by paragraph.
	body := domain.FillVisaTemplate(s.Template(lang), map[string]string{
		"name": clean(visa.PassportName), "passport_number": visa.PassportNumber,
		"nationality": l.Country(visa.Nationality), "date_of_birth": i18n.FormatDate(lang, visa.DateOfBirth.Time()),
		"passport_expiry": i18n.FormatDate(lang, visa.PassportExpiry.Time()),
		"event":           clean(ev.Title), "dates": i18n.FormatDateRange(lang, ev.StartsOn.Time(), ev.EndsOn.Time()),
		"venue": clean(ev.Venue), "city": clean(ev.City), "host": lt.host,
	})
	lt.font(regular, 11, ink)
	lh := lt.lineHeight() * 1.15
	for _, para := range strings.Split(body, "\n") {
		if para = clean(para); para != "" {
			lt.paragraph(para, lh, left)
			lt.y += 3
		}
	}

	lt.signature(s)
	lt.pageFooters(l.T("doc.visa.reference", map[string]any{"ID": reg.ID}))
	return lt.write(w)
}

// visaDetailRows are the participant's details the letter lists: the name
// as in the passport (and as they write it, when it differs), where they
// work, and the passport's particulars.
func visaDetailRows(l *i18n.Localizer, reg *domain.Registration, visa *domain.VisaDetails, lang string) [][2]string {
	rows := [][2]string{
		{l.T("doc.visa.name", nil), clean(visa.PassportName)},
		{l.T("doc.visa.passport_number", nil), visa.PassportNumber},
		{l.T("doc.visa.nationality", nil), l.Country(visa.Nationality)},
		{l.T("doc.visa.date_of_birth", nil), i18n.FormatDate(lang, visa.DateOfBirth.Time())},
		{l.T("doc.visa.passport_expiry", nil), i18n.FormatDate(lang, visa.PassportExpiry.Time())},
	}
	work := [][2]string{}
	if o := clean(reg.Organization); o != "" {
		work = append(work, [2]string{l.T("doc.visa.organization", nil), o})
	}
	if p := clean(reg.Position); p != "" {
		work = append(work, [2]string{l.T("doc.visa.position", nil), p})
	}
	rows = slices.Insert(rows, 1, work...)
	if native := clean(reg.FirstName + " " + reg.LastName); native != clean(visa.PassportName) {
		rows = slices.Insert(rows, 1, [2]string{l.T("doc.visa.native_name", nil), native})
	}
	return rows
}

// details draws the participant's details as a two-column table on a tint;
// a long value (a 100-character passport name) wraps, it is never cut.
func (lt *letter) details(rows [][2]string) {
	const labelW, pad, rowGap = 52.0, 4.0, 2.0
	valueW := lt.width - labelW - 2*pad
	lt.font(bold, 10.5, ink)
	lh := lt.lineHeight()
	wrapped := make([][]string, len(rows))
	height := 2 * pad
	for i, r := range rows {
		wrapped[i] = lt.lines(r[1], valueW, 0)
		height += float64(len(wrapped[i]))*lh + rowGap
	}
	lt.room(height)
	lt.fill(tint)
	lt.Rect(letterMargin, lt.y, lt.width, height-rowGap, "F")
	lt.y += pad
	for i, r := range rows {
		lt.font(regular, 9.5, muted)
		lt.textAt(letterMargin+pad, lt.y+0.5, labelW, lt.ellipsize(r[0], labelW-2), left)
		lt.font(bold, 10.5, ink)
		lt.y = lt.block(letterMargin+pad+labelW, lt.y, valueW, wrapped[i], left) + rowGap
	}
	lt.y += pad - rowGap
}

// signature draws the closing, a line to sign on, the signatory's name and
// title and the host, kept together: when they do not fit below the body,
// they go on a new page rather than over it.
func (lt *letter) signature(s *domain.VisaLetters) {
	const nameW = 120.0
	lt.font(bold, 11, ink)
	name := lt.lines(clean(s.SignatoryName), nameW, 0)
	nameLH := lt.lineHeight()
	lt.font(regular, 9.5, muted)
	below := append(lt.lines(clean(s.SignatoryTitle), nameW, 0), lt.lines(lt.host, nameW, 0)...)
	height := 8 + 22 + float64(len(name))*nameLH + float64(len(below))*lt.lineHeight()
	lt.y += 6
	lt.room(height)
	lt.font(regular, 10.5, ink)
	lt.textAt(letterMargin, lt.y, lt.width, lt.l.T("doc.visa.closing", nil), left)
	lt.y += 8 + 20
	lt.stroke(ink, 0.3)
	lt.Line(letterMargin, lt.y, letterMargin+80, lt.y)
	lt.y += 2
	lt.font(bold, 11, ink)
	lt.y = lt.block(letterMargin, lt.y, nameW, name, left)
	lt.font(regular, 9.5, muted)
	lt.y = lt.block(letterMargin, lt.y, nameW, below, left)
}

// pageFooters writes the registration's reference at the foot of every
// page and, on a letter of more than one page, "Page n of m", once the
// number of pages is known.
func (lt *letter) pageFooters(reference string) {
	n := lt.PageCount()
	for i := 1; i <= n; i++ {
		lt.SetPage(i)
		lt.font(regular, 7.5, muted)
		lt.textAt(letterMargin, lt.h-14, lt.width, reference, left)
		if n > 1 {
			pageText := lt.l.T("doc.page", map[string]any{"Param": strconv.Itoa(i), "Count": strconv.Itoa(n)})
			lt.textAt(letterMargin, lt.h-14, lt.width, pageText, right)
		}
	}
}

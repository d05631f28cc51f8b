package documents

import (
	"io"
	"iter"
	"slices"
	"strconv"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Sign-in sheet geometry, in millimetres: A4 portrait.
const (
	sheetMargin    = 14.0
	sheetTop       = 12.0
	sheetBottom    = a4Long - 15 // rows end above the footer
	sheetHeaderH   = 7.0         // the table's column headings
	sheetPad       = 1.6         // above and below a row's text
	sheetMinRow    = 11.0        // room to sign
	sheetNameLines = 2           // of the first name; the surname may take one more
	sheetOrgLines  = 4
	sheetDelLines  = 3
)

// sheetColumns are the table's columns: number, name, organization,
// delegation, signature; 182 mm in all.
var sheetColumns = [5]float64{10, 54, 52, 28, 38}

// SignInSheet writes the sign-in sheet of one day of ev as a PDF to w, in
// l's language: a heading with the event's title, co-organizers, the day
// and the venue on every page; one row per person with their name (in
// their own script, and in Latin script when given), organization,
// delegation and an empty box to sign in; "Page n of m" at the foot. A
// row is never split across pages.
//
// people are the participants in the order the sheet lists them, as
// store.Participants gives them for the day (Day set, so only people who
// registered for it). The sheet reads them one at a time and keeps none,
// so its memory is the PDF's own however many people there are; it also
// leaves out anyone not confirmed or not registered for the day, so that
// no one signs for a day they are not expected on. An error from people
// stops the sheet and is returned; nothing is written to w then.
//
// A day that is not one of ev's is a validation error on the field day.
func SignInSheet(w io.Writer, ev *domain.Event, day domain.Date, l *i18n.Localizer, people iter.Seq2[store.Participant, error]) error {
	ev = ev.In(l.Lang()) // the event's texts in the sheet's language
	if !ev.HasDay(day) {
		return domain.ValidationError([]domain.FieldError{domain.NewFieldError("day", "day", "")})
	}
	s := &signInSheet{
		page: newPage(false, l.T("doc.signin.title", nil)+" — "+ev.Title, l.Lang()),
		ev:   ev, day: day, l: l,
	}
	s.start()
	for p, err := range people {
		if err != nil {
			return err
		}
		if p.Status != domain.StatusConfirmed || !slices.Contains(p.Days, day) {
			continue
		}
		s.row(personOf(p, l))
	}
	if s.n == 0 {
		s.font(regular, 9, muted)
		s.textAt(sheetMargin, s.y+4, a4Short-2*sheetMargin, l.T("doc.signin.nobody", nil), center)
	}
	return s.write(w)
}

// signInSheet is a sheet being drawn: y is where the next row goes.
type signInSheet struct {
	*page
	ev  *domain.Event
	day domain.Date
	l   *i18n.Localizer
	y   float64
	n   int // rows so far
}

// start begins a page: heading, footer and the table's column headings.
func (s *signInSheet) start() {
	s.AddPage()
	if s.PageNo() == 1 {
		s.reserveDigits(regular)
	}
	width := a4Short - 2*sheetMargin
	days := s.ev.Days()
	dayNo := slices.Index(days, s.day) + 1
	kind := s.l.T("doc.signin.title", nil)
	if len(days) > 1 {
		kind += " · " + s.l.T("doc.signin.day", map[string]any{"Param": strconv.Itoa(dayNo), "Count": strconv.Itoa(len(days))})
	}
	when := i18n.FormatDateWithWeekday(s.l.Lang(), s.day.Time())
	y := s.eventHeader(sheetMargin, sheetTop, width, kind, s.ev, when, s.l) + 3
	s.footer(s.l, sheetMargin, i18n.FormatDate(s.l.Lang(), s.day.Time()))

	s.fill(tint)
	s.stroke(rule, 0.3)
	s.Rect(sheetMargin, y, width, sheetHeaderH, "FD")
	s.font(bold, 8, ink)
	headings := [5]string{s.l.T("doc.column.number", nil), s.l.T("doc.column.name", nil),
		s.l.T("doc.column.organization", nil), s.l.T("doc.column.delegation", nil), s.l.T("doc.column.signature", nil)}
	x := sheetMargin
	for i, h := range headings {
		s.textAt(x+1.5, y+(sheetHeaderH-s.lineHeight())/2+0.3, sheetColumns[i]-3, s.ellipsize(h, sheetColumns[i]-3), left)
		x += sheetColumns[i]
	}
	s.y = y + sheetHeaderH
}

// rowText is what one row shows, broken into lines for its columns.
type rowText struct {
	surname, first, latin, org, delegation []string
}

// layout breaks p's text into the columns' lines and measures the row.
func (s *signInSheet) layout(p person) (rowText, float64) {
	var t rowText
	nameW, orgW, delW := sheetColumns[1]-3, sheetColumns[2]-3, sheetColumns[3]-3
	s.SetFont(family, bold, 9.5)
	t.surname = s.lines(p.last, nameW, sheetNameLines+1)
	nameH := float64(len(t.surname)) * s.lineHeight()
	s.SetFont(family, regular, 9)
	t.first = s.lines(p.first, nameW, sheetNameLines)
	nameH += float64(len(t.first)) * s.lineHeight()
	if p.latin != "" {
		s.SetFont(family, regular, 7.5)
		t.latin = s.lines(p.latin, nameW, 2)
		nameH += 0.4 + float64(len(t.latin))*s.lineHeight()
	}
	s.SetFont(family, regular, 8.5)
	t.org = s.lines(p.organization, orgW, sheetOrgLines)
	t.delegation = s.lines(p.delegation, delW, sheetDelLines)
	textH := max(nameH, float64(max(len(t.org), len(t.delegation)))*s.lineHeight())
	return t, max(sheetMinRow, textH+2*sheetPad)
}

// row draws one person, on a new page when the row does not fit on this one.
func (s *signInSheet) row(p person) {
	t, h := s.layout(p)
	if s.y+h > sheetBottom {
		s.start()
	}
	s.n++
	top := s.y + sheetPad
	x := sheetMargin
	s.font(regular, 8, muted)
	s.textAt(x, top+0.3, sheetColumns[0]-1.5, strconv.Itoa(s.n), right)
	x += sheetColumns[0]

	s.font(bold, 9.5, ink)
	y := s.block(x+1.5, top, sheetColumns[1]-3, t.surname, left)
	s.font(regular, 9, ink)
	y = s.block(x+1.5, y, sheetColumns[1]-3, t.first, left)
	if len(t.latin) > 0 {
		s.font(regular, 7.5, muted)
		s.block(x+1.5, y+0.4, sheetColumns[1]-3, t.latin, left)
	}
	x += sheetColumns[1]

	s.font(regular, 8.5, ink)
	s.block(x+1.5, top+0.2, sheetColumns[2]-3, t.org, left)
	x += sheetColumns[2]
	s.block(x+1.5, top+0.2, sheetColumns[3]-3, t.delegation, left)

	// The grid: a rule under the row and between the columns, the table's
	// outer edges a little darker.
	s.stroke(faint, 0.2)
	x = sheetMargin
	for _, cw := range sheetColumns[:4] {
		x += cw
		s.Line(x, s.y, x, s.y+h)
	}
	s.stroke(rule, 0.3)
	s.Line(sheetMargin, s.y, sheetMargin, s.y+h)
	s.Line(a4Short-sheetMargin, s.y, a4Short-sheetMargin, s.y+h)
	s.Line(sheetMargin, s.y+h, a4Short-sheetMargin, s.y+h)
	s.y += h
}

package documents

import (
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Badge sheet geometry, in millimetres: A4 portrait holding two columns of
// four badges of 90 × 55 mm (the common size of badge holders and of
// perforated badge paper), edge to edge, centred on the page.
const (
	BadgeWidth     = 90.0
	BadgeHeight    = 55.0
	BadgeColumns   = 2
	BadgeRows      = 4
	BadgesPerSheet = BadgeColumns * BadgeRows

	badgeLeft   = (a4Short - BadgeColumns*BadgeWidth) / 2 // 15
	badgeTop    = (a4Long - BadgeRows*BadgeHeight) / 2    // 38.5
	badgePad    = 4.0
	badgeQR     = 22.0 // the QR symbol's side, its quiet zone included
	cutMarkGap  = 2.0  // between the badges' edge and a cut mark
	cutMarkSize = 6.0
)

// Badges writes name badges for people as a PDF to w: A4 sheets of eight
// badges of 90 × 55 mm with cut marks in the margins, each with the
// event's title, the name large (first name, then surname, shrunk to fit
// the width), the name in Latin script when given, the organization and
// delegation smaller, and the check-in QR code the door scans. Country
// names are in l's language.
//
// people are drawn in the order given, one at a time and kept no longer
// (store.Participants: everyone confirmed, or a selection by IDs); anyone
// not confirmed is left out, since their QR code would not let them in.
// It returns the number of badges drawn. An error from people stops the
// sheets and is returned; nothing is written to w then.
func Badges(w io.Writer, ev *domain.Event, l *i18n.Localizer, people iter.Seq2[store.Participant, error]) (int, error) {
	ev = ev.In(l.Lang()) // the event's texts in the sheet's language
	p := newPage(false, ev.Title, l.Lang())
	n := 0
	for part, err := range people {
		if err != nil {
			return 0, err
		}
		if part.Status != domain.StatusConfirmed {
			continue
		}
		slot := n % BadgesPerSheet
		if slot == 0 {
			p.AddPage()
			p.cutMarks()
		}
		x := badgeLeft + float64(slot%BadgeColumns)*BadgeWidth
		y := badgeTop + float64(slot/BadgeColumns)*BadgeHeight
		if err := p.badge(x, y, ev, personOf(part, l), part.CheckinCode); err != nil {
			return 0, err
		}
		n++
	}
	if n == 0 {
		p.AddPage() // a PDF needs a page; an empty sheet says there was no one
		p.cutMarks()
	}
	return n, p.write(w)
}

// cutMarks draws short lines in the margins on the line of every badge
// edge, clear of the badges, for a guillotine or a ruler and knife.
func (p *page) cutMarks() {
	p.stroke(rgb{0, 0, 0}, 0.2)
	right := badgeLeft + BadgeColumns*BadgeWidth
	bottom := badgeTop + BadgeRows*BadgeHeight
	for c := 0; c <= BadgeColumns; c++ {
		x := badgeLeft + float64(c)*BadgeWidth
		p.Line(x, badgeTop-cutMarkGap, x, badgeTop-cutMarkGap-cutMarkSize)
		p.Line(x, bottom+cutMarkGap, x, bottom+cutMarkGap+cutMarkSize)
	}
	for r := 0; r <= BadgeRows; r++ {
		y := badgeTop + float64(r)*BadgeHeight
		p.Line(badgeLeft-cutMarkGap, y, badgeLeft-cutMarkGap-cutMarkSize, y)
		p.Line(right+cutMarkGap, y, right+cutMarkGap+cutMarkSize, y)
	}
}

// badge draws one badge with its top left corner at (x, y).
func (p *page) badge(x, y float64, ev *domain.Event, who person, code string) error {
	// A faint outline, for scissors when there is no guillotine.
	p.stroke(faint, 0.15)
	p.Rect(x, y, BadgeWidth, BadgeHeight, "D")

	inner := BadgeWidth - 2*badgePad
	top := y + badgePad
	p.font(bold, 7, accent)
	top = p.block(x+badgePad, top, inner, p.lines(clean(ev.Title), inner, 2), left) + 0.8
	p.stroke(accent2, 0.4)
	p.Line(x+badgePad, top, x+BadgeWidth-badgePad, top)

	// The name, between the title and the QR code, over the whole width.
	qrTop := y + BadgeHeight - badgePad - badgeQR + 2 // the quiet zone is margin enough
	nameTop, nameBottom := top+1.5, qrTop-0.5
	maxSize, latinSize := 17.0, 7.5
	latinH := 0.0
	if who.latin != "" {
		maxSize, latinH = 14, mm(latinSize)*1.22
	}
	names := p.badgeName(who, inner, nameBottom-nameTop-latinH, maxSize)
	h := float64(len(names))*p.lineHeight() + latinH
	ny := nameTop + max(0, (nameBottom-nameTop-h)/2) // centred in its band
	ny = p.block(x+badgePad, ny, inner, names, left)
	if who.latin != "" {
		p.font(regular, latinSize, muted)
		p.textAt(x+badgePad, ny, inner, p.ellipsize(who.latin, inner), left)
	}

	// Organization and delegation at the bottom left, beside the QR code.
	textW := BadgeWidth - 2*badgePad - badgeQR
	bottom := y + BadgeHeight - badgePad
	p.font(bold, 8.5, accent)
	del := p.lines(who.delegation, textW, 2)
	delTop := bottom - float64(len(del))*p.lineHeight()
	p.block(x+badgePad, delTop, textW, del, left)
	p.font(regular, 7.5, ink)
	orgLines := int((delTop - 0.8 - (qrTop + 1)) / p.lineHeight())
	org := p.lines(who.organization, textW, min(3, max(orgLines, 1)))
	p.block(x+badgePad, delTop-0.8-float64(len(org))*p.lineHeight(), textW, org, left)

	if code == "" {
		return nil
	}
	return p.drawQR(x+BadgeWidth-badgePad-badgeQR+2, qrTop, badgeQR, code)
}

// badgeName sets the name's size and breaks it into lines: the first name
// on one line and the surname on the next, as large as fits the width, up
// to max points; a name too long for one line at 12 points takes two lines
// a part (hyphens and spaces are where it breaks), and one too long even
// then is cut with an ellipsis at 8 points. It leaves the font selected.
func (p *page) badgeName(who person, w, h, max float64) []string {
	parts := []string{who.first, who.last}
	if who.first == "" || who.last == "" {
		parts = []string{who.full()}
	}
	for size := max; ; size -= 0.5 {
		p.font(bold, size, ink)
		var out []string
		oneLineEach := true
		for _, part := range parts {
			ls := p.lines(part, w, 2)
			oneLineEach = oneLineEach && len(ls) <= 1
			out = append(out, ls...)
		}
		cut := slices.ContainsFunc(out, func(l string) bool { return strings.HasSuffix(l, "…") })
		fits := float64(len(out))*p.lineHeight() <= h && !cut
		if oneLineEach || (size <= 12 && fits) || size <= 8 {
			return out
		}
	}
}

package documents

import (
	"archive/zip"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// ErrNoVisaLetter is the answer for a registration a letter cannot be
// written for: the event offers none, the participant asked for none, or
// the registration is not confirmed (on an event that requires approval,
// confirmed means approved).
var ErrNoVisaLetter = &domain.Error{Code: domain.ENotFound,
	Message: "there is no visa invitation letter for this registration: it must be confirmed (and approved) and have asked for one"}

// Visa letter geometry, in millimetres: A4 portrait.
const (
	letterMargin = 22.0
	letterTop    = 20.0
)

// VisaLetterLanguage is the language of a participant's letter: theirs
// when a letter can be written in it, else English.
func VisaLetterLanguage(lang string) string {
	if slices.Contains(domain.VisaLetterLanguages, lang) {
		return lang
	}
	return "en"
}

// VisaLetter writes the visa invitation letter of h for ev as a one-page
// PDF to w, dated on, in h's letter language. A registration that is not
// confirmed, or an event that offers no letters, gets ErrNoVisaLetter and
// nothing is written: the rule is checked here, so no caller can hand out
// a letter by mistake.
func VisaLetter(w io.Writer, ev *domain.Event, b *i18n.Bundle, h store.VisaLetterHolder, on time.Time) error {
	if ev.VisaLetters == nil || h.Visa == nil || h.Registration.Status != domain.StatusConfirmed {
		return ErrNoVisaLetter
	}
	return visaLetterPDF(w, ev, b.Localizer(VisaLetterLanguage(h.Registration.Language)), h, on)
}

// VisaLetters writes a ZIP archive to w with the letter of every holder,
// one PDF each, read, drawn and written one at a time. It returns how many
// letters it wrote; as with Certificates, an error leaves w incomplete.
func VisaLetters(w io.Writer, ev *domain.Event, b *i18n.Bundle, holders iter.Seq2[store.VisaLetterHolder, error], on time.Time) (int, error) {
	zw := zip.NewWriter(w)
	n := 0
	for h, err := range holders {
		if err != nil {
			return n, err
		}
		n++
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%04d %s", n, VisaLetterFileName(h)),
			Method: zip.Store, Modified: on})
		if err != nil {
			return n, fmt.Errorf("documents: visa letters archive: %w", err)
		}
		if err := VisaLetter(f, ev, b, h, on); err != nil {
			return n, err
		}
	}
	if err := zw.Close(); err != nil {
		return n, fmt.Errorf("documents: visa letters archive: %w", err)
	}
	return n, nil
}

// VisaLetterFileName names a letter's file by the passport name.
func VisaLetterFileName(h store.VisaLetterHolder) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, clean(h.Visa.PassportName))
	if name == "" {
		name = "visa-letter"
	}
	return name + ".pdf"
}

// visaLetterPDF draws the letter: the host's letterhead, the date and the
// addressee, the participant's passport details, the body from the
// event's template, and the signatory.
func visaLetterPDF(w io.Writer, ev *domain.Event, l *i18n.Localizer, h store.VisaLetterHolder, on time.Time) error {
	lang := l.Lang()
	ev = ev.In(lang)
	s, reg, visa := ev.VisaLetters, h.Registration, h.Visa
	p := newPage(false, l.T("doc.visa.title", nil)+" — "+clean(visa.PassportName), lang)
	p.AddPage()
	width := p.w - 2*letterMargin

	// Letterhead: the host institution and its address, over a rule.
	p.font(bold, p.fitSize(clean(s.HostName), bold, width, 15, 10), accent)
	y := p.block(letterMargin, letterTop, width, p.lines(clean(s.HostName), width, 2), left)
	p.font(regular, 9, muted)
	for _, line := range strings.Split(s.HostAddress, "\n") {
		y = p.block(letterMargin, y, width, p.lines(clean(line), width, 2), left)
	}
	y += 2
	p.stroke(accent, 0.6)
	p.Line(letterMargin, y, p.w-letterMargin, y)
	y += 8

	// The date at the right, the addressee at the left.
	p.font(regular, 10.5, ink)
	p.textAt(letterMargin, y, width, i18n.FormatDate(lang, on.In(ev.Location())), right)
	p.textAt(letterMargin, y, width, l.T("doc.visa.addressee", nil), left)
	y += 14

	title := strings.ToUpper(l.T("doc.visa.title", nil))
	p.font(bold, 15, accent)
	y = p.block(letterMargin, y, width, []string{title}, center) + 6

	// The participant's details, as a two-column table.
	details := [][2]string{
		{l.T("doc.visa.name", nil), clean(visa.PassportName)},
		{l.T("doc.visa.passport_number", nil), visa.PassportNumber},
		{l.T("doc.visa.nationality", nil), l.Country(visa.Nationality)},
		{l.T("doc.visa.date_of_birth", nil), i18n.FormatDate(lang, visa.DateOfBirth.Time())},
		{l.T("doc.visa.passport_expiry", nil), i18n.FormatDate(lang, visa.PassportExpiry.Time())},
	}
	if native := clean(reg.FirstName + " " + reg.LastName); native != clean(visa.PassportName) {
		details = slices.Insert(details, 1, [2]string{l.T("doc.visa.native_name", nil), native})
	}
	labelW := 52.0
	p.fill(tint)
	p.Rect(letterMargin, y-2, width, float64(len(details))*6.5+4, "F")
	for _, d := range details {
		p.font(regular, 9.5, muted)
		p.textAt(letterMargin+4, y, labelW, d[0], left)
		p.font(bold, 10.5, ink)
		p.textAt(letterMargin+4+labelW, y, width-labelW-8, p.ellipsize(d[1], width-labelW-8), left)
		y += 6.5
	}
	y += 8

	// The body: the event's template, filled in, paragraph by paragraph.
	body := domain.FillVisaTemplate(s.Template(lang), map[string]string{
		"name": clean(visa.PassportName), "passport_number": visa.PassportNumber,
		"nationality": l.Country(visa.Nationality), "date_of_birth": i18n.FormatDate(lang, visa.DateOfBirth.Time()),
		"passport_expiry": i18n.FormatDate(lang, visa.PassportExpiry.Time()),
		"event":           clean(ev.Title), "dates": i18n.FormatDateRange(lang, ev.StartsOn.Time(), ev.EndsOn.Time()),
		"venue": clean(ev.Venue), "city": clean(ev.City), "host": clean(s.HostName),
	})
	p.font(regular, 11, ink)
	lh := p.lineHeight() * 1.15
	bottom := p.h - 70
	for _, para := range strings.Split(body, "\n") {
		para = clean(para)
		if para == "" {
			continue
		}
		for _, line := range p.lines(para, width, 0) {
			if y > bottom { // the signature must fit: a longer template is cut
				break
			}
			p.Text(letterMargin, p.baseline(y), line)
			y += lh
		}
		y += 3
	}

	// The signatory: a line to sign on, the name, the title and the host.
	sy := min(y+18, p.h-62)
	p.font(regular, 10.5, ink)
	p.textAt(letterMargin, sy-8, width, l.T("doc.visa.closing", nil), left)
	p.stroke(ink, 0.3)
	p.Line(letterMargin, sy+12, letterMargin+80, sy+12)
	p.font(bold, 11, ink)
	ny := p.block(letterMargin, sy+14, 120, p.lines(clean(s.SignatoryName), 120, 1), left)
	p.font(regular, 9.5, muted)
	ny = p.block(letterMargin, ny, 120, p.lines(clean(s.SignatoryTitle), 120, 2), left)
	p.block(letterMargin, ny, 120, p.lines(clean(s.HostName), 120, 2), left)

	p.font(regular, 7.5, muted)
	p.textAt(letterMargin, p.h-14, width, l.T("doc.visa.reference", map[string]any{"ID": reg.ID}), left)
	return p.write(w)
}

package documents

import (
	"archive/zip"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// ErrNoCertificate is the answer for a person who does not meet the
// event's certificate rule: for them there is no certificate to give.
var ErrNoCertificate = &domain.Error{Code: domain.ENotFound, Message: "this person does not meet the event's certificate rule"}

// Certificate geometry, in millimetres: A4 landscape.
const (
	certMargin  = 8.0  // the outer frame's inset
	certInset   = 30.0 // the text's inset from the page's sides
	certSignTop = 172.0
)

// Certificate writes p's certificate of attendance of ev as a one-page PDF
// to w, in p's language (English for one attend does not speak): the
// co-organizers, the person's name (and in Latin script when given), the
// event, its dates and place, the days attended and the hours
// (s.HoursFor), and the signatory's name and title. A person who does not
// meet s.Rule gets ErrNoCertificate and nothing is written: the rule is
// checked here, so no caller can hand out a certificate by mistake.
func Certificate(w io.Writer, ev *domain.Event, s domain.CertificateSettings, b *i18n.Bundle, p store.Participant) error {
	if !s.Rule.Met(ev, p.Attended) {
		return ErrNoCertificate
	}
	return certificatePDF(w, ev, s, b.Localizer(p.Language), p)
}

// Certificates writes a ZIP archive to w with the certificate of everyone
// in people who meets s.Rule (store.Participants with Attended set), one
// PDF each, named by number and name. People are read, drawn and written
// one at a time, so memory holds one certificate whatever their number.
// It returns how many certificates it wrote. Since the archive is written
// as it goes, an error leaves w with an incomplete archive: a caller that
// answers a request should stop the answer rather than end it.
func Certificates(w io.Writer, ev *domain.Event, s domain.CertificateSettings, b *i18n.Bundle, people iter.Seq2[store.Participant, error]) (int, error) {
	zw := zip.NewWriter(w)
	n := 0
	now := time.Now()
	for p, err := range people {
		if err != nil {
			return n, err
		}
		if !s.Rule.Met(ev, p.Attended) {
			continue
		}
		n++
		// PDFs are compressed inside already: storing them saves the time
		// deflating would take for a few per cent.
		f, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%04d %s", n, CertificateFileName(p)),
			Method: zip.Store, Modified: now})
		if err != nil {
			return n, fmt.Errorf("documents: certificates archive: %w", err)
		}
		if err := certificatePDF(f, ev, s, b.Localizer(p.Language), p); err != nil {
			return n, err
		}
	}
	if err := zw.Close(); err != nil {
		return n, fmt.Errorf("documents: certificates archive: %w", err)
	}
	return n, nil
}

// CertificateFileName names p's certificate file: the surname and first
// name, with the characters file systems refuse replaced.
func CertificateFileName(p store.Participant) string {
	name := joinNonEmpty(" ", clean(p.LastName), clean(p.FirstName))
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "certificate"
	}
	return name + ".pdf"
}

// certificatePDF draws the certificate (the rule already checked).
func certificatePDF(w io.Writer, ev *domain.Event, s domain.CertificateSettings, l *i18n.Localizer, part store.Participant) error {
	lang := l.Lang()
	ev = ev.In(lang) // each certificate names the event in its holder's language
	who := personOf(part, l)
	p := newPage(true, l.T("doc.certificate.title", nil)+" — "+who.full(), lang)
	p.AddPage()
	width := p.w - 2*certInset

	// Two frames: a strong one and a fine one inside it.
	p.stroke(accent, 1.2)
	p.Rect(certMargin, certMargin, p.w-2*certMargin, p.h-2*certMargin, "D")
	p.stroke(accent2, 0.3)
	p.Rect(certMargin+3, certMargin+3, p.w-2*certMargin-6, p.h-2*certMargin-6, "D")

	y := 22.0
	if co := coOrganizers(ev); co != "" {
		p.font(regular, 9.5, muted)
		y = p.block(certInset, y, width, p.lines(co, width, 2), center)
	}
	title := strings.ToUpper(l.T("doc.certificate.title", nil))
	p.font(bold, p.fitSize(title, bold, width, 28, 16), accent)
	y = p.block(certInset, max(y+6, 34), width, p.lines(title, width, 2), center) + 7

	// The body, centred between the title and the signatures.
	name := who.full()
	if lang != "en" { // Russian and Uzbek lists and letters put the surname first
		name = who.surnameFirst()
	}
	days := l.T("doc.certificate.days", map[string]any{
		"Param": strconv.Itoa(domain.AttendedDays(ev, part.Attended)), "Count": strconv.Itoa(len(ev.Days()))})
	if h := s.HoursFor(ev, part.Attended); h > 0 {
		days += " · " + l.Plural("doc.certificate.hours", h, nil)
	}
	when := i18n.FormatDateRange(lang, ev.StartsOn.Time(), ev.EndsOn.Time())
	body := []certText{
		{text: l.T("doc.certificate.lead", nil), size: 14, color: ink, after: 3},
		{text: name, style: bold, size: 30, min: 18, color: ink, lines: 2, after: 0.5},
		{text: who.latin, size: 12, color: muted, lines: 1, after: 0},
		{rule: true, after: 8},
		{text: l.T("doc.certificate.attended", nil), size: 14, color: ink, lines: 2, after: 3},
		{text: clean(ev.Title), style: bold, size: 20, min: 14, color: accent, lines: 3, after: 3},
		{text: joinNonEmpty(", ", when, place(ev)), size: 13, color: ink, lines: 2, after: 3},
		{text: days, size: 11, color: muted, lines: 1},
	}
	h := 0.0
	for i := range body {
		h += p.layoutCertText(&body[i], width)
	}
	y = max(y+6, y+(certSignTop-18-y-h)/2)
	for _, t := range body {
		if t.rule {
			p.stroke(accent2, 0.4)
			p.Line(p.w/2-45, y+t.after/2, p.w/2+45, y+t.after/2)
		} else if len(t.out) > 0 {
			p.font(t.style, t.fitted, t.color)
			p.block(certInset, y, width, t.out, center)
		}
		y += t.height
	}

	// The signatory at the left, the place and date at the right, each
	// over its own line.
	blockW := 95.0
	lx, rx := certInset+5, p.w-certInset-5-blockW
	p.stroke(ink, 0.3)
	p.Line(lx, certSignTop, lx+blockW, certSignTop)
	p.Line(rx, certSignTop, rx+blockW, certSignTop)
	p.font(bold, 11, ink)
	sy := p.block(lx, certSignTop+1.5, blockW, p.lines(clean(s.SignatoryName), blockW, 1), left)
	p.font(regular, 9.5, muted)
	p.block(lx, sy, blockW, p.lines(clean(s.SignatoryTitle), blockW, 2), left)
	p.font(regular, 11, ink)
	issued := joinNonEmpty(", ", clean(ev.City), i18n.FormatDate(lang, ev.EndsOn.Time()))
	p.textAt(rx, certSignTop-1.5-p.lineHeight(), blockW, p.ellipsize(issued, blockW), right)
	return p.write(w)
}

// certText is one part of a certificate's body: text in a style, at most
// lines lines (0: one), shrunk from size down to min to fit the width; or
// a short rule. after is the space below it.
type certText struct {
	text      string
	style     string
	size, min float64
	color     rgb
	lines     int
	rule      bool
	after     float64
	out       []string // laid out
	fitted    float64  // the size used
	height    float64  // with after
}

// layoutCertText breaks t into lines and returns its height.
func (p *page) layoutCertText(t *certText, w float64) float64 {
	t.height = t.after
	if t.rule || t.text == "" {
		return t.height
	}
	t.fitted = t.size
	if t.min > 0 {
		t.fitted = p.fitSize(t.text, t.style, w, t.size, t.min)
	}
	p.SetFont(family, t.style, t.fitted)
	t.out = p.lines(t.text, w, max(t.lines, 1))
	t.height += float64(len(t.out)) * p.lineHeight()
	return t.height
}

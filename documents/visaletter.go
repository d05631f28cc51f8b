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

// VisaLetterLanguage is the language of a participant's letter: theirs
// when a letter can be written in it, else English.
func VisaLetterLanguage(lang string) string {
	if slices.Contains(domain.VisaLetterLanguages, lang) {
		return lang
	}
	return "en"
}

// VisaLetter writes the visa invitation letter of h for ev as a PDF to w
// (one page, or more for a long template), dated on, in h's letter
// language. A registration that is not
// confirmed, or an event that offers no letters, gets ErrNoVisaLetter and
// nothing is written: the rule is checked here, so no caller can hand out
// a letter by mistake.
func VisaLetter(w io.Writer, ev *domain.Event, b *i18n.Bundle, h store.VisaLetterHolder, on time.Time) error {
	if !HasVisaLetter(ev, h) {
		return ErrNoVisaLetter
	}
	return visaLetterPDF(w, ev, b.Localizer(VisaLetterLanguage(h.Registration.Language)), h, on)
}

// HasVisaLetter reports whether h is entitled to a letter from ev: the
// event offers them, the participant asked for one, and the registration
// is confirmed.
func HasVisaLetter(ev *domain.Event, h store.VisaLetterHolder) bool {
	return ev.VisaLetters != nil && h.Visa != nil && h.Registration.Status == domain.StatusConfirmed
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

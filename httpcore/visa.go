package httpcore

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
)

// Visa invitation letters (issue 17), served alike to the JSON API and the
// dashboard (organizers) and to participants from their link. A letter
// holds passport details: like every paper, it is never cached.

// VisaLetter sends the letter of registration id of ev to an organizer;
// 404 with the reason when there is none (the event offers none, the
// participant asked for none, or the registration is not confirmed, which
// on an event that requires approval means not approved).
func (s *Core) VisaLetter(c *gin.Context, ev *domain.Event, id string) {
	ctx := c.Request.Context()
	h, err := s.Store.VisaLetterHolder(ctx, ev.ID, id)
	if err == nil && !documents.HasVisaLetter(ev, h) {
		err = documents.ErrNoVisaLetter
	}
	if err == nil { // the letter shows a passport number: its download is audited
		err = s.Store.RecordVisaLetterDownload(ctx, Organizer(c).ID, ev.ID, h.Registration.ID)
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	name := ev.Slug + "-" + documents.VisaLetterFileName(h)
	on := s.Now()
	s.sendPaper(c, mediaPDF, name, documents.VisaLetterLanguage(h.Registration.Language), func(w io.Writer) error {
		return documents.VisaLetter(w, ev, s.I18n, h, on)
	})
}

// VisaLetters sends the letters of every confirmed participant who asked
// for one, as a ZIP drawn as it is sent (with the certificates' timeout);
// 404 when the event offers none or there is no letter to write. The
// download is audited, with how many letters it holds.
func (s *Core) VisaLetters(c *gin.Context, ev *domain.Event) {
	if ev.VisaLetters == nil {
		s.Error(c, domain.Errorf(domain.ENotFound, "this event offers no visa invitation letters"))
		return
	}
	if _, err := s.Store.RecordVisaLettersDownload(c.Request.Context(), Organizer(c).ID, ev.ID); err != nil {
		s.Error(c, err)
		return
	}
	if err := http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(s.Config.CertificatesTimeout)); err != nil {
		s.Log.WarnContext(c.Request.Context(), "visa letters: cannot extend the write deadline")
	}
	ctx, cancel := s.paperContext(c, s.Config.CertificatesTimeout)
	defer cancel()
	holders := s.Store.VisaLetterHolders(ctx, ev.ID)
	on := s.Now()
	s.sendPaper(c, mediaZIP, ev.Slug+"-visa-letters.zip", "", func(w io.Writer) error {
		_, err := documents.VisaLetters(w, ev, s.I18n, holders, on)
		return err
	})
}

// ParticipantVisaLetter sends a participant their own letter; anyone
// without one gets the page saying why, in lang.
func (s *Core) ParticipantVisaLetter(c *gin.Context, ev *domain.Event, id, lang string) {
	h, err := s.Store.VisaLetterHolder(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if !documents.HasVisaLetter(ev, h) {
		s.Message(c, http.StatusNotFound, lang, "no_visa_letter")
		return
	}
	on := s.Now()
	s.sendPaper(c, mediaPDF, ev.Slug+"-"+documents.VisaLetterFileName(h), documents.VisaLetterLanguage(h.Registration.Language),
		func(w io.Writer) error { return documents.VisaLetter(w, ev, s.I18n, h, on) })
}

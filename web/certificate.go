package web

import (
	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// LinkCertificate sends the participant's certificate of attendance, in
// their language, once the event has ended and if they meet its rule;
// anyone else gets a page saying why there is none, never a certificate.
func (s *Web) LinkCertificate(c *gin.Context) { s.linkDocument(c, s.ParticipantCertificate) }

// LinkVisaLetter sends the participant's visa invitation letter, once
// their registration is confirmed (approved, on an event that requires
// approval) and if they asked for one; anyone else gets a page saying why.
func (s *Web) LinkVisaLetter(c *gin.Context) { s.linkDocument(c, s.ParticipantVisaLetter) }

// linkDocument finds the registration behind a participant's link and
// lets serve send its document in the participant's language.
func (s *Web) linkDocument(c *gin.Context, serve func(c *gin.Context, ev *domain.Event, id, lang string)) {
	hash, ok := linkHash(c)
	if !ok {
		s.linkNotFound(c)
		return
	}
	l, err := s.Store.LinkByToken(c.Request.Context(), hash)
	if err != nil {
		s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "link_not_found")
		return
	}
	lang := s.PageLang(c.Writer, c.Request, l.Registration.Language)
	c.Header("X-Robots-Tag", "noindex")
	serve(c, l.Event, l.Registration.ID, lang)
}

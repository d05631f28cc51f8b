package web

import (
	"github.com/gin-gonic/gin"
)

// LinkCertificate sends the participant's certificate of attendance, in
// their language, once the event has ended and if they meet its rule;
// anyone else gets a page saying why there is none, never a certificate.
func (s *Web) LinkCertificate(c *gin.Context) {
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
	s.ParticipantCertificate(c, l.Event, l.Registration.ID, lang)
}

// LinkVisaLetter sends the participant's visa invitation letter, once
// their registration is confirmed (approved, on an event that requires
// approval) and if they asked for one; anyone else gets a page saying why.
func (s *Web) LinkVisaLetter(c *gin.Context) {
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
	s.ParticipantVisaLetter(c, l.Event, l.Registration.ID, lang)
}

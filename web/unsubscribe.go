package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// unsubscribePage is the page of an organizer message's unsubscribe link.
type unsubscribePage struct {
	Event string // the event's title in the page's language
	Done  bool   // the participant is unsubscribed
	// Already says the participant had unsubscribed before this visit.
	Already bool
}

// unsubscribeTarget opens the path's unsubscribe token; when it names
// nothing it answers 404 itself and reports false.
func (s *Web) unsubscribeTarget(c *gin.Context) (*domain.Registration, *domain.Event, bool) {
	reg, ev, err := s.Store.UnsubscribeTarget(c.Request.Context(), c.Param("token"))
	if err != nil {
		s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "link_not_found")
		return nil, nil, false
	}
	return reg, ev, true
}

// UnsubscribePage asks the participant to confirm; a GET never changes
// anything (mail scanners follow links).
func (s *Web) UnsubscribePage(c *gin.Context) {
	reg, ev, ok := s.unsubscribeTarget(c)
	if !ok {
		return
	}
	already, err := s.Store.OptedOut(c.Request.Context(), reg.ID)
	if err != nil {
		s.PageError(c, s.PageLang(c.Writer, c.Request, reg.Language), err, "link_not_found")
		return
	}
	s.renderUnsubscribe(c, reg, ev, already, already)
}

// Unsubscribe records the participant's wish to get no more organizer
// messages about the event: from the page's button, or from a mail
// program's one-click POST (RFC 8058), which carries no cookie, no session
// and no form token, so none is asked for. Repeating it changes nothing.
func (s *Web) Unsubscribe(c *gin.Context) {
	reg, ev, ok := s.unsubscribeTarget(c)
	if !ok {
		return
	}
	already, err := s.Store.OptedOut(c.Request.Context(), reg.ID)
	if err == nil && !already {
		err = s.Store.Unsubscribe(c.Request.Context(), reg.ID)
	}
	if err != nil {
		s.PageError(c, s.PageLang(c.Writer, c.Request, reg.Language), err, "link_not_found")
		return
	}
	s.renderUnsubscribe(c, reg, ev, true, already)
}

func (s *Web) renderUnsubscribe(c *gin.Context, reg *domain.Registration, ev *domain.Event, done, already bool) {
	lang := s.PageLang(c.Writer, c.Request, reg.Language)
	v := s.NewView(c.Request, lang, "")
	switch {
	case already:
		v.Title = v.T("unsubscribe.already.title")
	case done:
		v.Title = v.T("unsubscribe.done.title")
	default:
		v.Title = v.T("unsubscribe.title")
	}
	v.Page = unsubscribePage{Event: ev.In(lang).Title, Done: done, Already: already}
	s.pages.Render(c, http.StatusOK, "unsubscribe", v)
}

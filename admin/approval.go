package admin

import (
	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// Decide approves or rejects the applications ticked in the registration
// list (the form's "id" values), with an optional message for their
// emails. The button pressed names the decision. All of them are decided
// at once, under the same capacity rules as one: approving more than there
// are seats left seats the first in the list's order and waitlists the rest.
func (s *Admin) Decide(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	act, done := domain.Approve, "approved"
	if c.PostForm("decision") == string(domain.Reject) {
		act, done = domain.Reject, "rejected"
	}
	ids, msg, err := domain.DecisionInput{IDs: c.PostFormArray("id"), Message: c.PostForm("message")}.Validate()
	if e, ok := domain.AsError(err); ok {
		outcome := "message"
		if len(c.PostFormArray("id")) == 0 {
			outcome = "none_ticked"
		} else if e.Fields[0].Field != "message" {
			s.PageError(c, lang, err, "not_found")
			return
		}
		s.backToList(c, "error", outcome, "registrations")
		return
	}
	_, err = s.Store.DecideRegistrations(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), act, ids, msg)
	if domain.ErrorCode(err) == domain.EConflict {
		// Someone else changed one of them meanwhile (cancelled, decided):
		// nothing was decided, and the list shows them as they are now.
		s.backToList(c, "error", "not_awaiting", "registrations")
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.backToList(c, "done", done, "registrations")
}

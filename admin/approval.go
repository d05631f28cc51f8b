package admin

import (
	"net/http"

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
	// The buttons send "approve" or "reject"; anything else (or nothing)
	// decides nothing, rather than approving by default.
	var act domain.Action
	var done string
	switch c.PostForm("decision") {
	case string(domain.Approve):
		act, done = domain.Approve, "approved"
	case string(domain.Reject):
		act, done = domain.Reject, "rejected"
	default:
		s.Message(c, http.StatusUnprocessableEntity, lang, "decision")
		return
	}
	ids, msg, err := domain.DecisionInput{IDs: c.PostFormArray("id"), Message: c.PostForm("message")}.Validate()
	if e, ok := domain.AsError(err); ok {
		switch {
		case len(c.PostFormArray("id")) == 0:
			s.backToList(c, "error", "none_ticked", "registrations")
		case e.Fields[len(e.Fields)-1].Field == "message":
			s.Message(c, http.StatusUnprocessableEntity, lang, "decision_message")
		default:
			s.PageError(c, lang, err, "not_found")
		}
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

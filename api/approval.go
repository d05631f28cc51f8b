package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// ApproveRegistration approves one application: it takes a seat, or the
// waiting list when every seat is held. The optional message goes into
// the participant's email; the body may be empty.
func (s *API) ApproveRegistration(c *gin.Context) {
	s.changeWithMessage(c, s.Store.ApproveRegistration)
}

// RejectRegistration rejects one application, with an optional message
// for the courteous email it sends.
func (s *API) RejectRegistration(c *gin.Context) {
	s.changeWithMessage(c, s.Store.RejectRegistration)
}

// ApproveRegistrations approves several applications at once, in the
// order given: those that find a seat are confirmed, the rest waitlisted.
func (s *API) ApproveRegistrations(c *gin.Context) { s.decideMany(c, domain.Approve) }

// RejectRegistrations rejects several applications at once.
func (s *API) RejectRegistrations(c *gin.Context) { s.decideMany(c, domain.Reject) }

func (s *API) decideMany(c *gin.Context, act domain.Action) {
	var in domain.DecisionInput
	if !s.DecodeJSON(c, &in) {
		return
	}
	ids, msg, err := in.Validate()
	if err != nil {
		s.Error(c, err)
		return
	}
	regs, err := s.Store.DecideRegistrations(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), act, ids, msg)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"registrations": regs})
}

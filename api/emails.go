package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// listEmails shows an event's outbox to its organizers, e.g. ?status=failed.
func (s *Server) listEmails(c *gin.Context) {
	ev, err := s.store.ManagedEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	status := c.Query("status")
	switch domain.EmailStatus(status) {
	case "", domain.EmailQueued, domain.EmailSending, domain.EmailSent, domain.EmailFailed:
	default:
		s.Error(c, domain.ValidationError([]domain.FieldError{{Field: "status", Code: "oneof",
			Param: "queued sending sent failed", Message: "Status must be one of: queued, sending, sent, failed."}}))
		return
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.Error(c, domain.ValidationError([]domain.FieldError{{Field: "limit", Code: "range", Param: "1-1000",
				Message: "Limit must be a whole number from 1 to 1000."}}))
			return
		}
		limit = n
	}
	emails, err := s.store.EventEmails(c.Request.Context(), ev.ID, status, limit)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"emails": emails})
}

// retryEmail queues a failed email again.
func (s *Server) retryEmail(c *gin.Context) {
	pp := params(c)
	id := pp.positive("id")
	if !pp.ok(s) {
		return
	}
	ev, err := s.store.ManagedEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	e, err := s.store.RetryEmail(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

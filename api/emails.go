package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// ListEmails shows an event's outbox to its organizers, e.g. ?status=failed.
func (s *API) ListEmails(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	status := c.Query("status")
	switch domain.EmailStatus(status) {
	case "", domain.EmailQueued, domain.EmailSending, domain.EmailSent, domain.EmailFailed:
	default:
		s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError("status", "oneof", "queued sending sent failed")}))
		return
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError("limit", "range", "1-1000")}))
			return
		}
		limit = n
	}
	emails, err := s.Store.EventEmails(c.Request.Context(), ev.ID, status, limit)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"emails": emails})
}

// RetryEmail queues a failed email again.
func (s *API) RetryEmail(c *gin.Context) {
	pp := params(c)
	id := pp.positive("id")
	if !pp.ok(s) {
		return
	}
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	e, err := s.Store.RetryEmail(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/store"
)

// statsView is an event's statistics as the API shows them.
type statsView struct {
	Event string `json:"event"`
	*store.Stats
}

// EventStats shows registration and attendance counts for the event, by
// country and by role.
func (s *API) EventStats(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	st, err := s.Store.EventStats(c.Request.Context(), ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, statsView{Event: ev.Slug, Stats: st})
}

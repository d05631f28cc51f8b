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

// eventStats shows registration and attendance counts for the event, by
// country and by role.
func (s *Server) eventStats(c *gin.Context) {
	ev, err := s.store.ManagedEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	st, err := s.store.EventStats(c.Request.Context(), ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, statsView{Event: ev.Slug, Stats: st})
}

package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// eventView is an event as the API shows it, with what clients would
// otherwise compute: its days, seats left and whether registration is open.
type eventView struct {
	*domain.Event
	Days              []domain.Date `json:"days"`
	SeatsLeft         *int          `json:"seats_left"`
	RegistrationOpen  bool          `json:"registration_open"`
	RegistrationState string        `json:"registration_state"`
}

func (s *Server) view(ev *domain.Event) eventView {
	closure := ev.RegistrationClosure(s.now())
	state := string(closure)
	if closure == "" {
		state = "open"
	}
	return eventView{Event: ev, Days: ev.Days(), SeatsLeft: ev.SeatsLeft(), RegistrationOpen: closure == "", RegistrationState: state}
}

// listEvents shows published events to everyone; with a token, the
// organizer's own events, published or not.
func (s *Server) listEvents(c *gin.Context) {
	var (
		evs []*domain.Event
		err error
	)
	if o := organizer(c); o != nil {
		evs, err = s.store.ManagedEvents(c.Request.Context(), o.ID)
	} else {
		evs, err = s.store.PublishedEvents(c.Request.Context(), c.Query("upcoming") == "true")
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	out := make([]eventView, len(evs))
	for i, ev := range evs {
		out[i] = s.view(ev)
	}
	c.JSON(http.StatusOK, gin.H{"events": out})
}

// getEvent shows a published event, or an unpublished one to its organizers.
func (s *Server) getEvent(c *gin.Context) {
	ev, err := s.store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if o := organizer(c); o != nil && domain.ErrorCode(err) == domain.ENotFound {
		ev, err = s.store.ManagedEvent(c.Request.Context(), o.ID, c.Param("slug"))
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, s.view(ev))
}

func (s *Server) createEvent(c *gin.Context) {
	var in domain.EventInput
	if !s.decodeJSON(c, &in) {
		return
	}
	ev, err := s.rules.NewEvent(in)
	if err != nil {
		s.Error(c, err)
		return
	}
	if err := s.store.CreateEvent(c.Request.Context(), organizer(c).ID, ev); err != nil {
		s.Error(c, err)
		return
	}
	c.Header("Location", "/api/v1/events/"+ev.Slug)
	c.JSON(http.StatusCreated, s.view(ev))
}

func (s *Server) updateEvent(c *gin.Context) {
	var in domain.EventInput
	if !s.decodeJSON(c, &in) {
		return
	}
	ev, err := s.store.UpdateEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"), func(ev *domain.Event) error {
		return s.rules.ApplyPatch(ev, in)
	})
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, s.view(ev))
}

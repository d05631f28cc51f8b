package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// eventView is an event as the API shows it, with what clients would
// otherwise compute: its days, seats left and whether registration is open.
type eventView struct {
	*domain.Event
	Days              []domain.Date `json:"days"`
	SeatsLeft         *int          `json:"seats_left"`
	RegistrationOpen  bool          `json:"registration_open"`
	RegistrationState string        `json:"registration_state"`
	// State is where the event stands: draft, published, registration
	// closed or past.
	State domain.EventState `json:"state"`
	// Certificate is shown to the event's organizers only, when the event
	// offers certificates.
	Certificate *domain.CertificateSettings `json:"certificate,omitempty"`
}

func (s *API) view(ev *domain.Event) eventView {
	closure := ev.RegistrationClosure(s.Now())
	state := string(closure)
	if closure == "" {
		state = "open"
	}
	return eventView{Event: ev, Days: ev.Days(), SeatsLeft: ev.SeatsLeft(), RegistrationOpen: closure == "", RegistrationState: state,
		State: ev.State(s.Now())}
}

// ListEvents shows published events to everyone; with a token, the
// organizer's own events, published or not.
func (s *API) ListEvents(c *gin.Context) {
	var (
		evs []*domain.Event
		err error
	)
	if o := httpcore.Organizer(c); o != nil {
		evs, err = s.Store.ManagedEvents(c.Request.Context(), o.ID)
	} else {
		evs, err = s.Store.PublishedEvents(c.Request.Context(), c.Query("upcoming") == "true")
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

// GetEvent shows a published event, or an unpublished one to its organizers.
func (s *API) GetEvent(c *gin.Context) {
	ev, err := s.Store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if o := httpcore.Organizer(c); o != nil && domain.ErrorCode(err) == domain.ENotFound {
		ev, err = s.Store.ManagedEvent(c.Request.Context(), o.ID, c.Param("slug"))
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	v := s.view(ev)
	if o := httpcore.Organizer(c); o != nil {
		if _, merr := s.Store.ManagedEvent(c.Request.Context(), o.ID, ev.Slug); merr == nil {
			if v.Certificate, err = s.certificateOf(c.Request.Context(), ev); err != nil {
				s.Error(c, err)
				return
			}
		}
	}
	c.JSON(http.StatusOK, v)
}

// CreateEvent creates an event of the organizer's (201).
func (s *API) CreateEvent(c *gin.Context) {
	var in eventBody
	if !s.DecodeJSON(c, &in) {
		return
	}
	ev, err := s.Rules.NewEvent(in.EventInput)
	if err != nil {
		s.Error(c, err)
		return
	}
	cs, err := s.certificateSettings(in, ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	if err := s.Store.CreateEvent(c.Request.Context(), httpcore.Organizer(c).ID, ev, certificateChange(in, cs)); err != nil {
		s.Error(c, err)
		return
	}
	v := s.view(ev)
	v.Certificate = cs
	c.Header("Location", "/api/v1/events/"+ev.Slug)
	c.JSON(http.StatusCreated, v)
}

// UpdateEvent changes the fields the body sends; the event after the
// change is validated as a whole.
func (s *API) UpdateEvent(c *gin.Context) {
	var in eventBody
	if !s.DecodeJSON(c, &in) {
		return
	}
	var cert store.CertificateChange
	ev, err := s.Store.UpdateEvent(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), func(ev *domain.Event) error {
		if err := s.Rules.ApplyPatch(ev, in.EventInput); err != nil {
			return err
		}
		// Checked against the event as changed, and stored with it.
		cs, err := s.certificateSettings(in, ev)
		cert = certificateChange(in, cs)
		return err
	}, &cert)
	if err != nil {
		s.Error(c, err)
		return
	}
	v := s.view(ev)
	if v.Certificate, err = s.certificateOf(c.Request.Context(), ev); err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

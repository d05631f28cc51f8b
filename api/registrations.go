package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/store"
)

// registrationMessages are the English answers to a registration request
// (other languages: api.accepted.* in the message files). They are the same
// for a new and a repeated email, so the API reveals nothing about who
// registered.
var registrationMessages = map[domain.Status]string{
	domain.StatusPending:          "Thank you. Check your inbox: we sent a link to confirm your registration.",
	domain.StatusWaitlisted:       "The event is full, so you are on the waiting list. Check your inbox to confirm your email address; we will write when a seat frees up.",
	domain.StatusAwaitingApproval: "Thank you. The organizers review each registration; check your inbox to confirm your email address, and we will write when they decide.",
}

// closedMessages explain a closed registration.
var closedMessages = map[domain.Closure]string{
	domain.NotYetOpen: "Registration for this event has not opened yet.",
	domain.Closed:     "Registration for this event is closed.",
	domain.Past:       "This event has already taken place.",
}

// openEvent loads a published event and checks that registration is open.
func (s *API) openEvent(c *gin.Context) (*domain.Event, bool) {
	ev, err := s.Store.RegistrationEvent(c.Request.Context(), c.Param("slug"))
	if err == nil {
		if closure := ev.RegistrationClosure(s.Now()); closure != "" {
			err = &domain.Error{Code: domain.EClosed, Message: closedMessages[closure],
				Extra: map[string]any{"reason": string(closure)}}
		}
	}
	if err != nil {
		s.CountRegistration(store.RegisterResult{}, err)
		s.Error(c, err)
		return nil, false
	}
	return ev, true
}

// CreateRegistration registers a participant (202), or, with an
// organizer's token, takes a walk-in at the desk.
func (s *API) CreateRegistration(c *gin.Context) {
	// With an organizer's token this is a walk-in at the desk (see
	// createWalkIn); a wrong token is 401, never the public flow.
	if httpcore.Organizer(c) != nil {
		s.createWalkIn(c)
		return
	}
	// The answer speaks the participant's language (reply_lang.go), so the
	// body, which may name it, is read before the event is checked.
	httpcore.ReplyInAcceptLanguage(c)
	var in domain.RegistrationInput
	if !s.DecodeJSONThen(c, &in, func() { replyLanguageOf(c, &in) }) {
		s.Metrics.Registration(metrics.Invalid)
		return
	}
	ev, ok := s.openEvent(c)
	if !ok {
		return
	}
	res, err := s.SubmitRegistration(c.Request.Context(), ev, in)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": res.Status, "message": s.acceptedMessage(c, res.Status)})
}

// ListRegistrations lists an event's registrations a page at a time,
// with the list's filters.
func (s *API) ListRegistrations(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	f, err := s.ListFilter(c, ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	page, err := s.Store.Registrations(c.Request.Context(), ev.ID, f)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"registrations": page.Registrations, "next_cursor": nextCursor(page.NextCursor)})
}

// GetRegistration shows one registration to the event's organizers.
func (s *API) GetRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	reg, err := s.Store.Registration(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

type cancelBody struct {
	Message string `json:"message"`
}

// CancelRegistration is an organizer's cancellation; the optional message
// goes into the participant's email. The body may be empty.
func (s *API) CancelRegistration(c *gin.Context) {
	s.changeWithMessage(c, s.Store.CancelRegistration)
}

// changeWithMessage applies an organizer's change to one registration
// (cancel, approve, reject) that takes an optional message for the email
// it sends: the body, {"message": …}, may be empty.
func (s *API) changeWithMessage(c *gin.Context, change func(ctx context.Context, organizerID int64, slug, regID, message string) (*domain.Registration, error)) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	var body cancelBody
	if c.Request.ContentLength != 0 && c.GetHeader("Content-Type") != "" {
		if !s.DecodeJSON(c, &body) {
			return
		}
	}
	msg, err := domain.CancelMessage(body.Message)
	if err != nil {
		s.Error(c, err)
		return
	}
	reg, err := change(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), id, msg)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

// PromoteRegistration moves someone from the waiting list by hand.
func (s *API) PromoteRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	reg, err := s.Store.PromoteRegistration(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

// EraseRegistration anonymizes a participant: DELETE .../registrations/{id}?erase=true.
// Without erase=true nothing is deleted, since a registration is otherwise
// cancelled, not removed.
func (s *API) EraseRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	if c.Query("erase") != "true" {
		s.Error(c, domain.ValidationError([]domain.FieldError{{Field: "erase", Code: "required",
			Message: "Add ?erase=true to anonymize this participant for good; to cancel instead, POST .../cancel."}}))
		return
	}
	if err := s.Store.EraseRegistration(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), id); err != nil {
		s.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

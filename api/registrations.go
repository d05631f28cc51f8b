package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// registrationMessages are the English answers to a registration request
// (other languages: api.accepted.* in the message files). They are the same
// for a new and a repeated email, so the API reveals nothing about who
// registered.
var registrationMessages = map[domain.Status]string{
	domain.StatusPending:    "Thank you. Check your inbox: we sent a link to confirm your registration.",
	domain.StatusWaitlisted: "The event is full, so you are on the waiting list. Check your inbox to confirm your email address; we will write when a seat frees up.",
}

// closedMessages explain a closed registration.
var closedMessages = map[domain.Closure]string{
	domain.NotYetOpen: "Registration for this event has not opened yet.",
	domain.Closed:     "Registration for this event is closed.",
	domain.Past:       "This event has already taken place.",
}

// OpenEvent loads a published event and checks that registration is open,
// for both the API and the web form.
func (s *Server) openEvent(c *gin.Context) (*domain.Event, bool) {
	ev, err := s.store.RegistrationEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return nil, false
	}
	if closure := ev.RegistrationClosure(s.now()); closure != "" {
		s.Error(c, &domain.Error{Code: domain.EClosed, Message: closedMessages[closure],
			Extra: map[string]any{"reason": string(closure)}})
		return nil, false
	}
	return ev, true
}

func (s *Server) createRegistration(c *gin.Context) {
	// With an organizer's token this is a walk-in at the desk (see
	// createWalkIn); a wrong token is 401, never the public flow.
	if organizer(c) != nil {
		s.createWalkIn(c)
		return
	}
	// The answer speaks the participant's language (reply_lang.go), so the
	// body, which may name it, is read before the event is checked.
	replyInAcceptLanguage(c)
	var in domain.RegistrationInput
	if !s.decodeJSONThen(c, &in, func() { replyLanguageOf(c, &in) }) {
		return
	}
	ev, ok := s.openEvent(c)
	if !ok {
		return
	}
	res, err := s.submitRegistration(c.Request.Context(), ev, in)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"status": res.Status, "message": s.acceptedMessage(c, res.Status)})
}

// submitRegistration is the one path from a participant's input to a stored
// registration and its email, shared by the JSON API and the web form.
func (s *Server) submitRegistration(ctx context.Context, ev *domain.Event, in domain.RegistrationInput) (store.RegisterResult, error) {
	reg, err := s.rules.NewRegistration(in, ev, s.now())
	if err != nil {
		return store.RegisterResult{}, err
	}
	return s.store.Register(ctx, ev, reg)
}

// Registration listing limits.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

func (s *Server) listRegistrations(c *gin.Context) {
	ev, err := s.store.ManagedEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	f, err := registrationFilter(c)
	if err != nil {
		s.Error(c, err)
		return
	}
	page, err := s.store.Registrations(c.Request.Context(), ev.ID, f)
	if err != nil {
		s.Error(c, err)
		return
	}
	var next any
	if page.NextCursor != "" {
		next = page.NextCursor
	}
	c.JSON(http.StatusOK, gin.H{"registrations": page.Registrations, "next_cursor": next})
}

// registrationFilter reads and checks the list's query parameters, naming
// every bad one at once.
func registrationFilter(c *gin.Context) (store.RegistrationFilter, error) {
	f := store.RegistrationFilter{
		Status:  strings.TrimSpace(c.Query("status")),
		Country: strings.ToUpper(strings.TrimSpace(c.Query("country"))),
		Query:   strings.TrimSpace(c.Query("q")),
		Cursor:  c.Query("cursor"),
		Limit:   defaultPageSize,
	}
	var fields []domain.FieldError
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			fields = append(fields, domain.FieldError{Field: "limit", Code: "range", Param: "1-200",
				Message: "Limit must be a whole number from 1 to 200."})
		} else {
			f.Limit = n
		}
	}
	if f.Status != "" && !domain.ValidStatus(f.Status) {
		fields = append(fields, domain.FieldError{Field: "status", Code: "oneof", Param: "pending confirmed waitlisted cancelled expired",
			Message: "Status must be one of: pending, confirmed, waitlisted, cancelled, expired."})
	}
	if f.Country != "" && !domain.ValidCountry(f.Country) {
		fields = append(fields, domain.NewFieldError("country", "iso3166", ""))
	}
	if len([]rune(f.Query)) > 200 || domain.HasControl(f.Query) {
		fields = append(fields, domain.FieldError{Field: "q", Code: "max", Param: "200",
			Message: "The search text must be at most 200 characters, without control characters."})
	}
	if f.Cursor != "" {
		if _, err := store.DecodeCursor(f.Cursor); err != nil {
			fields = append(fields, domain.FieldError{Field: "cursor", Code: "invalid", Message: "Cursor is not one this server issued."})
		}
	}
	return f, domain.ValidationError(fields)
}

func (s *Server) getRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	ev, err := s.store.ManagedEvent(c.Request.Context(), organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	reg, err := s.store.Registration(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

type cancelBody struct {
	Message string `json:"message"`
}

// cancelRegistration is an organizer's cancellation; the optional message
// goes into the participant's email. The body may be empty.
func (s *Server) cancelRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	var body cancelBody
	if c.Request.ContentLength != 0 && c.GetHeader("Content-Type") != "" {
		if !s.decodeJSON(c, &body) {
			return
		}
	}
	msg, err := domain.CancelMessage(body.Message)
	if err != nil {
		s.Error(c, err)
		return
	}
	reg, err := s.store.CancelRegistration(c.Request.Context(), organizer(c).ID, c.Param("slug"), id, msg)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

// promoteRegistration moves someone from the waiting list by hand.
func (s *Server) promoteRegistration(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	reg, err := s.store.PromoteRegistration(c.Request.Context(), organizer(c).ID, c.Param("slug"), id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

// eraseRegistration anonymizes a participant: DELETE .../registrations/{id}?erase=true.
// Without erase=true nothing is deleted, since a registration is otherwise
// cancelled, not removed.
func (s *Server) eraseRegistration(c *gin.Context) {
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
	if err := s.store.EraseRegistration(c.Request.Context(), organizer(c).ID, c.Param("slug"), id); err != nil {
		s.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

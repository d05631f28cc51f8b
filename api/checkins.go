package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// checkinBody is a check-in request: who (exactly one of code and
// registration_id) and, optionally, which day.
type checkinBody struct {
	Code           string `json:"code"`
	RegistrationID string `json:"registration_id"`
	Day            string `json:"day"`
}

// checkinRequest checks a check-in body and turns it into a store request,
// naming every bad field at once.
func checkinRequest(b checkinBody) (store.CheckinRequest, error) {
	req := store.CheckinRequest{
		Code:           domain.NormalizeCheckinCode(strings.TrimSpace(b.Code)),
		RegistrationID: strings.TrimSpace(b.RegistrationID),
	}
	var fields []domain.FieldError
	switch {
	case req.Code == "" && req.RegistrationID == "":
		msg := "Send the check-in code or the registration id."
		fields = append(fields,
			domain.FieldError{Field: "code", Code: "required_without", Param: "registration_id", Message: msg},
			domain.FieldError{Field: "registration_id", Code: "required_without", Param: "code", Message: msg})
	case req.Code != "" && req.RegistrationID != "":
		msg := "Send either the check-in code or the registration id, not both."
		fields = append(fields,
			domain.FieldError{Field: "code", Code: "excluded_with", Param: "registration_id", Message: msg},
			domain.FieldError{Field: "registration_id", Code: "excluded_with", Param: "code", Message: msg})
	case req.RegistrationID != "" && !domain.ValidUUID(req.RegistrationID):
		fields = append(fields, domain.FieldError{Field: "registration_id", Code: "uuid",
			Message: "Registration id must be a UUID."})
	}
	day, err := optionalDay(b.Day)
	if err != nil {
		fields = append(fields, domain.NewFieldError("day", "date", ""))
	}
	req.Day = day
	return req, domain.ValidationError(fields)
}

// optionalDay parses an optional YYYY-MM-DD; "" is the zero date (today).
func optionalDay(s string) (domain.Date, error) {
	if s = strings.TrimSpace(s); s == "" {
		return domain.Date{}, nil
	}
	return domain.ParseDate(s)
}

// dayOutsideEvent is the field error for a check-in day the event does not
// have.
func dayOutsideEvent(ev *domain.Event, day domain.Date) domain.FieldError {
	return domain.FieldError{Field: "day", Code: "day", Param: ev.StartsOn.String() + "/" + ev.EndsOn.String(),
		Message: fmt.Sprintf("Day %s is not one of the event's dates (%s to %s).", day, ev.StartsOn, ev.EndsOn)}
}

// CreateCheckin records attendance: 201 for the first check-in of the
// person that day, 200 with that same first record for any repeat.
func (s *API) CreateCheckin(c *gin.Context) {
	var body checkinBody
	if !s.DecodeJSON(c, &body) {
		return
	}
	req, err := checkinRequest(body)
	if err != nil {
		s.Error(c, err)
		return
	}
	ci, created, err := s.Store.CheckIn(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), req)
	if err != nil {
		s.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, ci)
}

// DeleteCheckin undoes a check-in (a badge scanned by mistake).
func (s *API) DeleteCheckin(c *gin.Context) {
	pp := params(c)
	regID, day := pp.uuid("registration_id"), pp.date("day")
	if !pp.ok(s) {
		return
	}
	err := s.Store.UndoCheckIn(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), regID, day)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// walkInBody is a registration an organizer takes at the desk: the
// participant's fields (consent included: they agree at the desk) and
// whether to check them in at once.
type walkInBody struct {
	domain.RegistrationInput
	CheckIn bool   `json:"check_in"`
	Day     string `json:"day"` // with check_in; default today in the event's time zone
}

// walkInView is the registration with the check-in made with it, if any.
type walkInView struct {
	*domain.Registration
	Checkin *store.Checkin `json:"checkin,omitempty"`
}

// createWalkIn is createRegistration called with an organizer's token: the
// registration is created confirmed, whether or not registration is open,
// and the confirmation email with the check-in code is queued. It answers
// 201 with the full registration, or 200 with the existing one when the
// email is registered already (a cancelled or expired one is revived and
// counts as new). With check_in the person is also checked in; a walk-in
// that lands on the waiting list (the event is full) is not, and the
// answer shows its status.
func (s *API) createWalkIn(c *gin.Context) {
	ctx := c.Request.Context()
	org := httpcore.Organizer(c)
	// Registering someone is not door staff's job: only roles that change
	// registrations may.
	ev, _, err := s.Member(c, domain.PermChangeRegistrations)
	if err != nil {
		s.Error(c, err)
		return
	}
	var body walkInBody
	if !s.DecodeJSON(c, &body) {
		return
	}
	reg, err := s.Rules.NewRegistration(body.RegistrationInput, ev, s.Now())
	var fields []domain.FieldError
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		fields = e.Fields
	} else if err != nil {
		s.Error(c, err)
		return
	}
	// The day is checked before anything is stored, so a bad day leaves no
	// registration behind.
	day, err := optionalDay(body.Day)
	if err != nil {
		fields = append(fields, domain.NewFieldError("day", "date", ""))
	} else if body.CheckIn {
		if day.IsZero() {
			day = domain.DateOf(s.Now().In(ev.Location()))
		}
		if !ev.HasDay(day) {
			fields = append(fields, dayOutsideEvent(ev, day))
		}
	}
	if err := domain.ValidationError(fields); err != nil {
		s.Error(c, err)
		return
	}
	var checkIn *store.CheckinRequest
	if body.CheckIn {
		// Registered and checked in in one transaction: both or neither.
		checkIn = &store.CheckinRequest{Day: day}
	}
	res, err := s.Store.RegisterWalkIn(ctx, ev, reg, org.ID, checkIn)
	if err != nil {
		s.Error(c, err)
		return
	}
	view := walkInView{Checkin: res.Checkin}
	// Read back as stored, with the confirmation time and any change the
	// check-in made.
	if view.Registration, err = s.Store.Registration(ctx, ev.ID, res.Registration.ID); err != nil {
		s.Error(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/events/"+ev.Slug+"/registrations/"+res.Registration.ID)
	}
	c.JSON(status, view)
}

package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

type tokenBody struct {
	Token string `json:"token"`
}

// linkView is what the JSON API shows of a registration reached by its link:
// enough for the participant, nothing about anyone else.
type linkView struct {
	Status      domain.Status `json:"status"`
	FirstName   string        `json:"first_name"`
	LastName    string        `json:"last_name"`
	Event       string        `json:"event"`
	EventTitle  string        `json:"event_title"`
	StartsOn    domain.Date   `json:"starts_on"`
	EndsOn      domain.Date   `json:"ends_on"`
	Days        []domain.Date `json:"days"`
	CheckinCode string        `json:"checkin_code,omitempty"`
}

func newLinkView(l *store.Link) linkView {
	v := linkView{Status: l.Registration.Status, FirstName: l.Registration.FirstName, LastName: l.Registration.LastName,
		Event: l.Event.Slug, EventTitle: l.Event.In(l.Registration.Language).Title, StartsOn: l.Event.StartsOn, EndsOn: l.Event.EndsOn,
		Days: l.Registration.Days}
	if l.Registration.Status == domain.StatusConfirmed {
		v.CheckinCode = l.Registration.CheckinCode
	}
	return v
}

// linkToken reads {"token": ...} and checks its form before any lookup.
func (s *API) linkToken(c *gin.Context) ([]byte, bool) {
	var body tokenBody
	if !s.DecodeJSON(c, &body) {
		return nil, false
	}
	if body.Token == "" {
		s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError("token", "required", "")}))
		return nil, false
	}
	if !domain.ValidTokenSyntax(body.Token) {
		s.Error(c, domain.Errorf(domain.ENotFound, "this link is not valid"))
		return nil, false
	}
	return domain.HashToken(body.Token), true
}

// ConfirmByToken confirms the registration behind an emailed link
// (idempotent).
func (s *API) ConfirmByToken(c *gin.Context) {
	hash, ok := s.linkToken(c)
	if !ok {
		return
	}
	l, err := s.Store.ConfirmByToken(c.Request.Context(), hash)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, newLinkView(l))
}

// CancelByToken cancels the registration behind an emailed link
// (idempotent).
func (s *API) CancelByToken(c *gin.Context) {
	hash, ok := s.linkToken(c)
	if !ok {
		return
	}
	l, err := s.Store.CancelByToken(c.Request.Context(), hash)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, newLinkView(l))
}

// PersonalData lets a participant download everything attend holds about
// them, from their manage link. It only reads.
func (s *API) PersonalData(c *gin.Context) {
	token := c.Param("token")
	if !domain.ValidTokenSyntax(token) {
		s.Error(c, domain.Errorf(domain.ENotFound, "this link is not valid"))
		return
	}
	data, err := s.Store.PersonalDataByToken(c.Request.Context(), domain.HashToken(token))
	if err != nil {
		s.Error(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="attend-my-data.json"`)
	c.Header("Cache-Control", "no-store")
	c.IndentedJSON(http.StatusOK, data)
}

package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// requestLocalizer is the language a public read answers in: ?lang=, then
// Accept-Language, then English.
func (s *API) requestLocalizer(c *gin.Context) *i18n.Localizer {
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		return s.I18n.Localizer(lang)
	}
	if lang, ok := i18n.MatchAcceptLanguage(c.GetHeader("Accept-Language")); ok {
		return s.I18n.Localizer(lang)
	}
	return s.I18n.Localizer(i18n.DefaultLanguage)
}

// EventForm describes a published event's registration form, fixed fields
// and the event's questions, in the language asked, for clients that draw
// their own form.
func (s *API) EventForm(c *gin.Context) {
	ev, err := s.Store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	c.Header("Content-Language", s.requestLocalizer(c).Lang())
	c.JSON(http.StatusOK, s.requestLocalizer(c).Form(ev))
}

// delegationView is one delegation as GET /api/v1/delegations lists it.
type delegationView struct {
	Code     string `json:"code"`
	Kind     string `json:"kind"` // country or organization
	Name     string `json:"name"` // as lists show it: a country's name, an organization's short name
	FullName string `json:"full_name"`
}

// Delegations lists what a participant may represent, organizations first
// (they are few), then countries, each sorted by name in the language
// asked.
func (s *API) Delegations(c *gin.Context) {
	l := s.requestLocalizer(c)
	d := s.Rules.Delegations()
	orgs := d.Organizations()
	out := make([]delegationView, 0, len(orgs)+250)
	for _, o := range l.Organizations() {
		out = append(out, delegationView{Code: o.Code, Kind: "organization", Name: l.Delegation(o.Code), FullName: l.DelegationName(o.Code)})
	}
	for _, country := range s.I18n.Countries(l.Lang()) {
		out = append(out, delegationView{Code: country.Code, Kind: "country", Name: country.Name, FullName: country.Name})
	}
	c.Header("Content-Language", l.Lang())
	c.JSON(http.StatusOK, gin.H{"delegations": out})
}

// updateBody is POST /api/v1/registrations/update: the link's token and
// the fields to change.
type updateBody struct {
	Token string `json:"token"`
	domain.RegistrationEdit
}

// UpdateByToken lets a participant change their registration from their
// emailed link until registration closes, with the rules of registering;
// the answer is the registration as it stands and what changed, and the
// participant gets an email listing the changes. It speaks
// Accept-Language, else the language the body or the registration has.
func (s *API) UpdateByToken(c *gin.Context) {
	httpcore.ReplyInAcceptLanguage(c)
	var body updateBody
	if !s.DecodeJSONThen(c, &body, func() {
		if body.Language != nil && httpcore.ReplyLang(c) == "" {
			if lang, ok := i18n.Match(*body.Language); ok {
				httpcore.ReplyIn(c, lang)
			}
		}
	}) {
		return
	}
	if body.Token == "" {
		s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError("token", "required", "")}))
		return
	}
	if !domain.ValidTokenSyntax(body.Token) {
		s.Error(c, domain.Errorf(domain.ENotFound, "this link is not valid"))
		return
	}
	l, changes, err := s.Store.EditByToken(c.Request.Context(), domain.HashToken(body.Token),
		func(reg *domain.Registration, ev *domain.Event, now time.Time) (*domain.Registration, []domain.Change, error) {
			if httpcore.ReplyLang(c) == "" {
				httpcore.ReplyIn(c, reg.Language)
			}
			return s.Rules.EditRegistration(reg, body.RegistrationEdit, ev, now)
		})
	if err != nil {
		s.Error(c, err)
		return
	}
	if changes == nil {
		changes = []domain.Change{}
	}
	c.JSON(http.StatusOK, gin.H{"registration": l.Registration, "changes": changes})
}

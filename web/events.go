package web

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/store"
)

// eventCard is an event in the list of upcoming events.
type eventCard struct {
	Href, Title, Dates, Place string
	State                     string // message id of the registration state
	StateClass                string
}

type indexPage struct{ Events []eventCard }

type eventPage struct {
	Event        httpcore.EventInfo
	Form         *formView // nil when registration is not open
	Registration string    // why the form is (not) there
	Note         string    // more about it: the closing time, the waiting list
}

type thanksPage struct {
	Event      httpcore.EventInfo
	Waitlisted bool
	Review     bool // the event requires approval: the registration is under review
	Within     int
	Back       string
}

type privacyPage struct{ Contact string }

// Index lists the upcoming published events.
func (s *Web) Index(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	evs, err := s.Store.PublishedEvents(c.Request.Context(), true)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("index.title")
	var p indexPage
	for _, ev := range evs {
		info := s.EventInfo(ev, v.L)
		p.Events = append(p.Events, eventCard{
			Href: "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang, Title: info.Title, Dates: info.Dates,
			Place: info.Place, State: info.State, StateClass: info.StateClass,
		})
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "index", v)
}

// Event shows an event and, while registration is open, its form.
func (s *Web) Event(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, err := s.Store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.renderEvent(c, http.StatusOK, ev, lang, nil, nil)
}

// renderEvent draws the event page: with the form (holding values and
// field errors when they are given) while registration is open, and the
// reason instead of it otherwise.
func (s *Web) renderEvent(c *gin.Context, status int, ev *domain.Event, lang string, values url.Values, fields []domain.FieldError) {
	v := s.NewView(c.Request, lang, "/events/"+ev.Slug)
	p := eventPage{Event: s.EventInfo(ev, v.L)}
	v.Title = p.Event.Title
	if s.renderInvitationOnly(c, status, ev, v, p, values) {
		return
	}
	switch closure := ev.RegistrationClosure(s.Now()); closure {
	case domain.Past:
		p.Registration = v.T("closure.past")
	case domain.Closed:
		p.Registration = v.T("closure.closed")
	case domain.NotYetOpen:
		p.Registration = v.T("closure.not_yet_open")
		if ev.RegistrationOpensAt != nil {
			d, t, z := httpcore.LocalTime(lang, ev, *ev.RegistrationOpensAt)
			p.Note = v.T("closure.opens_at", "Date", d, "Time", t, "Zone", z)
		}
	default:
		p.Form = s.newFormView(ev, lang, values, fields)
		p.Registration = v.T("event.open")
		if ev.RegistrationClosesAt != nil {
			d, t, z := httpcore.LocalTime(lang, ev, *ev.RegistrationClosesAt)
			p.Registration = v.T("event.open_until", "Date", d, "Time", t, "Zone", z)
		}
		switch {
		case ev.RequiresApproval:
			p.Note = v.T("event.approval")
		case p.Form.Waitlist:
			p.Note = v.T("event.waitlist")
		}
		v.Error = p.Form.HasErrors()
	}
	v.Page = p
	s.pages.Render(c, status, "event", v)
}

// Register takes the registration form. It runs the same rules and the
// same store call as the JSON API (httpcore.Core.SubmitRegistration);
// errors come back as the form again with 422, every value kept.
func (s *Web) Register(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, err := s.Store.RegistrationEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.CountRegistration(store.RegisterResult{}, err)
		s.PageError(c, lang, err, "not_found")
		return
	}
	if ev.RegistrationClosure(s.Now()) != "" {
		s.Metrics.Registration(metrics.Closed)
		s.renderEvent(c, http.StatusConflict, ev, lang, nil, nil)
		return
	}
	if !s.ParseForm(c, lang) {
		s.Metrics.Registration(metrics.Invalid)
		return
	}
	form := c.Request.PostForm
	if strings.TrimSpace(form.Get(honeypotField)) != "" {
		// Answer a bot exactly as a person, and keep nothing.
		s.Metrics.Registration(metrics.Honeypot)
		s.redirectThanks(c, ev, lang, statusFor(ev))
		return
	}
	res, err := s.SubmitRegistration(c.Request.Context(), ev, registrationInput(form, lang, ev))
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		s.renderEvent(c, http.StatusUnprocessableEntity, ev, lang, form, e.Fields)
		return
	}
	if domain.ErrorCode(err) == domain.EInvitationRequired {
		s.renderEvent(c, http.StatusForbidden, ev, lang, nil, nil) // the page says how to ask for one
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.redirectThanks(c, ev, lang, res.Status)
}

// statusFor is the status a participant's registration for ev would get now.
func statusFor(ev *domain.Event) domain.Status {
	return domain.PlanRequest(ev, domain.ByParticipant).Answer(ev)
}

func (s *Web) redirectThanks(c *gin.Context, ev *domain.Event, lang string, status domain.Status) {
	q := url.Values{"status": {string(status)}, "lang": {lang}}
	c.Redirect(http.StatusSeeOther, "/events/"+url.PathEscape(ev.Slug)+"/thanks?"+q.Encode())
	c.Abort()
}

// RegisterPage sends a GET of the form's address (a reload, a bookmark)
// to the event page.
func (s *Web) RegisterPage(c *gin.Context) {
	target := "/events/" + url.PathEscape(c.Param("slug"))
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		target += "?lang=" + lang
	}
	c.Redirect(http.StatusSeeOther, target)
}

// Thanks tells a person what happens next. It says the same whether the
// address was new or already registered, so it reveals nothing about others.
func (s *Web) Thanks(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, err := s.Store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	v := s.NewView(c.Request, lang, "")
	p := thanksPage{Event: s.EventInfo(ev, v.L), Waitlisted: c.Query("status") == string(domain.StatusWaitlisted),
		Review: c.Query("status") == string(domain.StatusAwaitingApproval),
		Within: ev.ConfirmWithinHours, Back: "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang}
	v.Title = v.T("thanks.title")
	switch {
	case p.Waitlisted:
		v.Title = v.T("thanks.title_waitlisted")
	case p.Review:
		v.Title = v.T("thanks.title_review")
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "thanks", v)
}

// Privacy is the privacy notice the consent box links to.
func (s *Web) Privacy(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("privacy.title")
	var p privacyPage
	if a, err := mail.ParseAddress(s.Config.MailReplyTo); err == nil {
		p.Contact = a.Address
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "privacy", v)
}

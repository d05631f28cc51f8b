package api

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// eventCard is an event in the list of upcoming events.
type eventCard struct {
	Href, Title, Dates, Place string
	State                     string // message id of the registration state
	StateClass                string
}

// eventInfo is what the event page shows about an event.
type eventInfo struct {
	Slug, Title, Dates, Hours, Venue, Place string
	CoOrganizers, Languages, Description    []string
	Seats                                   string // "12 seats left"; empty without a capacity
	Full                                    bool
	State, StateClass                       string
}

type indexPage struct{ Events []eventCard }

type eventPage struct {
	Event        eventInfo
	Form         *formView // nil when registration is not open
	Registration string    // why the form is (not) there
	Note         string    // more about it: the closing time, the waiting list
}

type thanksPage struct {
	Event      eventInfo
	Waitlisted bool
	Within     int
	Back       string
}

type privacyPage struct{ Contact string }

// registrationState names an event's registration state for people: a
// message id and a CSS class.
func (s *Server) registrationState(ev *domain.Event) (id, class string) {
	switch ev.RegistrationClosure(s.now()) {
	case domain.Past:
		return "state.past", "muted"
	case domain.Closed:
		return "state.closed", "muted"
	case domain.NotYetOpen:
		return "state.not_yet_open", "muted"
	}
	if isFull(ev) {
		return "state.waitlist", "warn"
	}
	return "state.open", "ok"
}

func (s *Server) eventInfo(ev *domain.Event, l *i18n.Localizer) eventInfo {
	lang := l.Lang()
	loc := ev.Location()
	start, end := ev.StartsAt(), ev.EndsAt()
	info := eventInfo{
		Slug:         ev.Slug,
		Title:        ev.Title,
		Dates:        i18n.FormatDateRange(lang, ev.StartsOn.In(loc), ev.EndsOn.In(loc)),
		Hours:        l.T("event.hours_value", map[string]any{"Start": ev.DayStartsAt, "End": ev.DayEndsAt, "Zone": utcOffset(start)}),
		Venue:        ev.Venue,
		CoOrganizers: ev.CoOrganizers,
		Full:         isFull(ev),
	}
	if utcOffset(start) != utcOffset(end) { // a clock change during the event
		info.Hours = l.T("event.hours_value", map[string]any{"Start": ev.DayStartsAt, "End": ev.DayEndsAt, "Zone": ev.Timezone})
	}
	var place []string
	if ev.City != "" {
		place = append(place, ev.City)
	}
	if ev.Country != "" {
		place = append(place, l.Country(ev.Country))
	}
	info.Place = strings.Join(place, ", ")
	for _, code := range ev.Languages {
		info.Languages = append(info.Languages, l.LanguageName(code))
	}
	for _, p := range strings.Split(strings.ReplaceAll(ev.Description, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			info.Description = append(info.Description, p)
		}
	}
	if left := ev.SeatsLeft(); left != nil {
		if *left > 0 {
			info.Seats = l.Plural("event.seats_left", *left, nil)
		} else {
			info.Seats = l.T("event.no_seats_left", nil)
		}
	}
	info.State, info.StateClass = s.registrationState(ev)
	return info
}

// webIndex lists the upcoming published events.
func (s *Server) webIndex(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	evs, err := s.store.PublishedEvents(c.Request.Context(), true)
	if err != nil {
		s.webError(c, lang, err, "not_found")
		return
	}
	v := s.newView(c.Request, lang, "")
	v.Title = v.T("index.title")
	var p indexPage
	for _, ev := range evs {
		info := s.eventInfo(ev, v.L)
		p.Events = append(p.Events, eventCard{
			Href: "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang, Title: ev.Title, Dates: info.Dates,
			Place: info.Place, State: info.State, StateClass: info.StateClass,
		})
	}
	v.Page = p
	s.renderGin(c, http.StatusOK, "index", v)
}

// webEvent shows an event and, while registration is open, its form.
func (s *Server) webEvent(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	ev, err := s.store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.webError(c, lang, err, "not_found")
		return
	}
	s.renderEvent(c, http.StatusOK, ev, lang, nil, nil)
}

// renderEvent draws the event page: with the form (holding values and
// field errors when they are given) while registration is open, and the
// reason instead of it otherwise.
func (s *Server) renderEvent(c *gin.Context, status int, ev *domain.Event, lang string, values url.Values, fields []domain.FieldError) {
	v := s.newView(c.Request, lang, "/events/"+ev.Slug)
	p := eventPage{Event: s.eventInfo(ev, v.L)}
	v.Title = ev.Title
	switch closure := ev.RegistrationClosure(s.now()); closure {
	case domain.Past:
		p.Registration = v.T("closure.past")
	case domain.Closed:
		p.Registration = v.T("closure.closed")
	case domain.NotYetOpen:
		p.Registration = v.T("closure.not_yet_open")
		if ev.RegistrationOpensAt != nil {
			d, t, z := localTime(lang, ev, *ev.RegistrationOpensAt)
			p.Note = v.T("closure.opens_at", "Date", d, "Time", t, "Zone", z)
		}
	default:
		p.Form = s.newFormView(ev, lang, values, fields)
		p.Registration = v.T("event.open")
		if ev.RegistrationClosesAt != nil {
			d, t, z := localTime(lang, ev, *ev.RegistrationClosesAt)
			p.Registration = v.T("event.open_until", "Date", d, "Time", t, "Zone", z)
		}
		if p.Form.Waitlist {
			p.Note = v.T("event.waitlist")
		}
		v.Error = p.Form.HasErrors()
	}
	v.Page = p
	s.renderGin(c, status, "event", v)
}

// webRegister takes the registration form. It runs the same rules and the
// same store call as the JSON API (submitRegistration); errors come back
// as the form again with 422, every value kept.
func (s *Server) webRegister(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	ev, err := s.store.RegistrationEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.webError(c, lang, err, "not_found")
		return
	}
	if ev.RegistrationClosure(s.now()) != "" {
		s.renderEvent(c, http.StatusConflict, ev, lang, nil, nil)
		return
	}
	if !s.parseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	if strings.TrimSpace(form.Get(honeypotField)) != "" {
		// Answer a bot exactly as a person, and keep nothing.
		s.redirectThanks(c, ev, lang, statusFor(ev))
		return
	}
	res, err := s.submitRegistration(c.Request.Context(), ev, registrationInput(form, lang))
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		s.renderEvent(c, http.StatusUnprocessableEntity, ev, lang, form, e.Fields)
		return
	}
	if err != nil {
		s.webError(c, lang, err, "not_found")
		return
	}
	s.redirectThanks(c, ev, lang, res.Status)
}

// statusFor is the status a registration for ev would get now.
func statusFor(ev *domain.Event) domain.Status {
	if isFull(ev) {
		return domain.StatusWaitlisted
	}
	return domain.StatusPending
}

func (s *Server) redirectThanks(c *gin.Context, ev *domain.Event, lang string, status domain.Status) {
	q := url.Values{"status": {string(status)}, "lang": {lang}}
	c.Redirect(http.StatusSeeOther, "/events/"+url.PathEscape(ev.Slug)+"/thanks?"+q.Encode())
	c.Abort()
}

// webRegisterPage sends a GET of the form's address (a reload, a bookmark)
// to the event page.
func (s *Server) webRegisterPage(c *gin.Context) {
	target := "/events/" + url.PathEscape(c.Param("slug"))
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		target += "?lang=" + lang
	}
	c.Redirect(http.StatusSeeOther, target)
}

// webThanks tells a person what happens next. It says the same whether the
// address was new or already registered, so it reveals nothing about others.
func (s *Server) webThanks(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	ev, err := s.store.PublishedEvent(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.webError(c, lang, err, "not_found")
		return
	}
	v := s.newView(c.Request, lang, "")
	p := thanksPage{Event: s.eventInfo(ev, v.L), Waitlisted: c.Query("status") == string(domain.StatusWaitlisted),
		Within: ev.ConfirmWithinHours, Back: "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang}
	v.Title = v.T("thanks.title")
	if p.Waitlisted {
		v.Title = v.T("thanks.title_waitlisted")
	}
	v.Page = p
	s.renderGin(c, http.StatusOK, "thanks", v)
}

// webPrivacy is the privacy notice the consent box links to.
func (s *Server) webPrivacy(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	v := s.newView(c.Request, lang, "")
	v.Title = v.T("privacy.title")
	var p privacyPage
	if a, err := mail.ParseAddress(s.cfg.MailReplyTo); err == nil {
		p.Contact = a.Address
	}
	v.Page = p
	s.renderGin(c, http.StatusOK, "privacy", v)
}

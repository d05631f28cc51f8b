package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// The participant changes their own registration from the personal page
// (/r/{token}/edit) until registration closes: the same form as for
// registering, filled in with the registration, without the email
// address (the link was sent to it) or the consent (given already). The
// change runs the rules of registering (domain.Rules.EditRegistration) in
// the store's transaction, which emails the participant the list of what
// changed.

// editPage is the edit form's page.
type editPage struct {
	Event     httpcore.EventInfo
	Form      *formView
	BackHref  string
	Closed    bool // registration has closed, or the registration is over: nothing can change
	ClosedWhy string
}

// editable reports whether a registration can still be changed, and why
// not when it cannot.
func (s *Web) editable(l *store.Link) (bool, string) {
	switch c := l.Event.RegistrationClosure(s.Now()); c {
	case domain.Closed, domain.Past:
		return false, "link.edit_closed"
	}
	if l.Registration.Status == domain.StatusCancelled || l.Registration.Status == domain.StatusExpired {
		return false, "link.edit_over"
	}
	return true, ""
}

// EditPage shows the edit form of the registration behind a link.
func (s *Web) EditPage(c *gin.Context) {
	l, lang, ok := s.linkFromPath(c)
	if !ok {
		return
	}
	s.renderEdit(c, http.StatusOK, l, lang, registrationValues(l.Registration, l.Event), nil)
}

// Edit takes the edit form: back to the personal page, which says the
// change is saved, or the form again with 422 and every error.
func (s *Web) Edit(c *gin.Context) {
	hash, ok := linkHash(c)
	if !ok {
		s.linkNotFound(c)
		return
	}
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	var link *store.Link
	_, changes, err := s.Store.EditByToken(c.Request.Context(), hash,
		func(reg *domain.Registration, ev *domain.Event, now time.Time) (*domain.Registration, []domain.Change, error) {
			link = &store.Link{Registration: reg, Event: ev}
			return s.Rules.EditRegistration(reg, registrationEdit(form, ev), ev, now)
		})
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid && link != nil {
		s.renderEdit(c, http.StatusUnprocessableEntity, link, s.PageLang(c.Writer, c.Request, link.Registration.Language), form, e.Fields)
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	q := url.Values{"saved": {"1"}}
	if len(changes) == 0 {
		q.Set("saved", "0")
	}
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		q.Set("lang", lang)
	}
	c.Redirect(http.StatusSeeOther, "/r/"+url.PathEscape(c.Param("token"))+"?"+q.Encode())
}

func (s *Web) renderEdit(c *gin.Context, status int, l *store.Link, lang string, values url.Values, fields []domain.FieldError) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("link.edit_title")
	p := editPage{Event: s.EventInfo(l.Event, v.L), BackHref: "/r/" + url.PathEscape(c.Param("token")) + "?lang=" + lang}
	if ok, why := s.editable(l); !ok {
		p.Closed, p.ClosedWhy = true, v.T(why)
	} else {
		f := s.newFormView(l.Event, lang, values, fields)
		f.Editing, f.Email = true, l.Registration.Email
		f.Action = "/r/" + url.PathEscape(c.Param("token")) + "/edit?lang=" + lang
		p.Form = f
		v.Error = f.HasErrors()
	}
	v.Page = p
	c.Header("X-Robots-Tag", "noindex")
	s.pages.Render(c, status, "edit", v)
}

// registrationValues are a registration as the form's values, to edit it.
func registrationValues(reg *domain.Registration, ev *domain.Event) url.Values {
	v := url.Values{
		"first_name": {reg.FirstName}, "last_name": {reg.LastName},
		"latin_first_name": {reg.LatinFirstName}, "latin_last_name": {reg.LatinLastName},
		"phone": {reg.Phone}, "country": {reg.Country}, "organization": {reg.Organization},
		"position": {reg.Position}, "role": {reg.Role}, "language": {reg.Language},
		"days": domain.DateStrings(reg.Days), "delegation": {""},
	}
	if reg.Delegation != reg.Country {
		v.Set("delegation", reg.Delegation)
	}
	for k, vals := range answerValues(reg, ev.Questions) {
		v[k] = vals
	}
	return v
}

// registrationEdit reads the edit form: every field it draws is sent, and
// a question left unanswered (no box ticked) removes its answer. An empty
// delegation ("my country") is the country.
func registrationEdit(form url.Values, ev *domain.Event) domain.RegistrationEdit {
	str := func(name string) *string {
		if !form.Has(name) {
			return nil
		}
		s := form.Get(name)
		return &s
	}
	ed := domain.RegistrationEdit{
		FirstName: str("first_name"), LastName: str("last_name"),
		LatinFirstName: str("latin_first_name"), LatinLastName: str("latin_last_name"),
		Phone: str("phone"), Country: str("country"), Delegation: str("delegation"),
		Organization: str("organization"), Position: str("position"), Role: str("role"), Language: str("language"),
		Answers: ev.Questions.AnswersFromForm(form),
	}
	if len(ev.Days()) > 1 { // the form draws the days only then
		days := form["days"]
		ed.Days = &days
	}
	for _, q := range ev.Questions.Asked() {
		if _, ok := ed.Answers[q.Key]; !ok {
			ed.Answers[q.Key] = nil
		}
	}
	return ed
}

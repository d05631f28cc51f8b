package web

import (
	"net/http"
	"net/mail"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// The pages of invitations (issue 17): BASE_URL/i/{token}, a person's
// personal invitation, which opens the registration form filled in from
// the invitation and offers to decline; and BASE_URL/n/{token}, a
// country's focal point's page for nominating people up to a quota.

// renderInvitationOnly draws, instead of the form, the page of an
// invitation-only event opened without an invitation: it says how to ask
// for one. It reports whether it answered.
func (s *Web) renderInvitationOnly(c *gin.Context, status int, ev *domain.Event, v httpcore.View, p eventPage, values url.Values) bool {
	if !ev.InvitationOnly || values.Get("invitation") != "" || ev.RegistrationClosure(s.Now()) != "" {
		return false
	}
	p.Registration = v.T("invitation.only")
	p.Note = s.howToAskForInvitation(v)
	v.Error = status == http.StatusForbidden
	v.Page = p
	s.pages.Render(c, status, "event", v)
	return true
}

// howToAskForMore names whom a focal point may ask for a larger quota.
func (s *Web) howToAskForMore(v httpcore.View) string {
	if a, err := mail.ParseAddress(s.Config.MailReplyTo); err == nil {
		return v.T("nominations.ask_more_contact", "Contact", a.Address)
	}
	return v.T("nominations.ask_more")
}

// howToAskForInvitation names whom to write to for an invitation: the
// address replies go to, when the deployment has one.
func (s *Web) howToAskForInvitation(v httpcore.View) string {
	if a, err := mail.ParseAddress(s.Config.MailReplyTo); err == nil {
		return v.T("invitation.ask_contact", "Contact", a.Address)
	}
	return v.T("invitation.ask")
}

// invitationPage is the answer of an invitation link that no longer
// leads to the form: registered, declined or expired.
type invitationPage struct {
	Event     httpcore.EventInfo
	EventHref string
	Text      string
	Class     string // the panel's: ok, or warn for a link that no longer works
}

// Invitation opens a personal invitation: the event's form, filled in
// with what the organizers know, while registration is open; otherwise
// what became of the invitation. The visit is recorded ("opened").
func (s *Web) Invitation(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	hash, ok := s.pathHash(c)
	if !ok {
		return
	}
	l, err := s.Store.OpenInvitation(c.Request.Context(), hash)
	if err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	if _, chosen := c.GetQuery("lang"); !chosen && l.Invitee.Language != "" {
		lang = l.Invitee.Language
	}
	switch {
	case l.Invitee.State == domain.InviteeRegistered:
		s.invitationAnswer(c, http.StatusOK, l, lang, "invitation.registered")
	case l.Invitee.State == domain.InviteeDeclined:
		s.invitationAnswer(c, http.StatusOK, l, lang, "invitation.declined")
	case l.Invitee.State == domain.InviteeWithdrawn:
		s.invitationAnswer(c, http.StatusGone, l, lang, "invitation.withdrawn")
	default:
		in := l.Invitee
		values := url.Values{"invitation": {c.Param("token")}, "first_name": {in.FirstName}, "last_name": {in.LastName},
			"email": {in.Email}, "organization": {in.Organization}, "position": {in.Position},
			"delegation": {in.Delegation}, "language": {lang}, "days": domain.DateStrings(l.Event.Days())}
		if _, isOrg := s.Rules.Delegations().Organization(in.Delegation); !isOrg && in.Delegation != "" {
			values.Set("country", in.Delegation)
		}
		s.renderEvent(c, http.StatusOK, l.Event, lang, values, nil)
	}
}

// DeclineInvitation records that the invited person will not come.
func (s *Web) DeclineInvitation(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	hash, ok := s.pathHash(c)
	if !ok {
		return
	}
	l, err := s.Store.DeclineInvitation(c.Request.Context(), hash)
	if err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	s.invitationAnswer(c, http.StatusOK, l, lang, "invitation.declined")
}

func (s *Web) invitationAnswer(c *gin.Context, status int, l *store.InviteeLink, lang, text string) {
	v := s.NewView(c.Request, lang, "")
	p := invitationPage{Event: s.EventInfo(l.Event, v.L), Text: v.T(text), Class: "ok",
		EventHref: "/events/" + url.PathEscape(l.Event.Slug) + "?lang=" + lang}
	if status >= 400 {
		p.Class, v.Error = "warn", true
	}
	v.Title = p.Event.Title
	v.Page = p
	s.pages.Render(c, status, "invitation", v)
}

// nominationsPage is a focal point's page.
type nominationsPage struct {
	Event      httpcore.EventInfo
	Delegation string
	Quota      int
	Left       int
	Nominees   []domain.Invitee
	Open       bool   // nominations are still taken
	Notice     string // what the last request did
	Refusal    string // why the last nomination was refused
	// QuotaUsed says that every place is taken, and AskMore whom to ask
	// for more.
	QuotaUsed, AskMore string
	Values             url.Values
	Errors             map[string]string
	Action             string
	Fields             []string // the form's fields, in order
}

// Nominations shows a focal point's page.
func (s *Web) Nominations(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	hash, ok := s.pathHash(c)
	if !ok {
		return
	}
	n, err := s.Store.NominationsByToken(c.Request.Context(), hash)
	if err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	lang = focalPointLang(c, n, lang)
	notice := ""
	if c.Query("saved") == "1" {
		notice = "nominations.saved"
	}
	s.renderNominations(c, http.StatusOK, n, lang, nil, nil, notice, "")
}

// Nominate takes a focal point's nomination: 303 back to the page, 422
// with the form again for bad input, 409 beyond the quota.
func (s *Web) Nominate(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	hash, ok := s.pathHash(c)
	if !ok {
		return
	}
	if !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	in := domain.InviteeInput{FirstName: form.Get("first_name"), LastName: form.Get("last_name"),
		Email: form.Get("email"), Organization: form.Get("organization"), Position: form.Get("position")}
	done, err := s.Store.Nominate(c.Request.Context(), hash, s.Rules, in)
	if err == nil {
		lang = focalPointLang(c, done, lang)
		c.Redirect(http.StatusSeeOther, "/n/"+c.Param("token")+"?saved=1&lang="+lang)
		return
	}
	e, isDomain := domain.AsError(err)
	if !isDomain || (e.Code != domain.EInvalid && e.Code != domain.EConflict && e.Code != domain.EClosed) {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	n, lerr := s.Store.NominationsByToken(c.Request.Context(), hash)
	if lerr != nil {
		s.PageError(c, lang, lerr, "link_not_found")
		return
	}
	lang = focalPointLang(c, n, lang)
	refusal, status := "", http.StatusUnprocessableEntity
	switch {
	case e.Extra["reason"] == "quota_reached":
		refusal, status = "nominations.quota_reached", http.StatusConflict
	case e.Code == domain.EClosed:
		refusal, status = "nominations.closed", http.StatusConflict
	case e.Code == domain.EConflict:
		status = http.StatusConflict
	}
	s.renderNominations(c, status, n, lang, form, e.Fields, "", refusal)
}

func (s *Web) renderNominations(c *gin.Context, status int, n *store.Nominations, lang string, values url.Values, fields []domain.FieldError, notice, refusal string) {
	v := s.NewView(c.Request, lang, "")
	if values == nil {
		values = url.Values{}
	}
	fp := n.FocalPoint
	p := nominationsPage{Event: s.EventInfo(n.Event, v.L), Delegation: v.L.Delegation(fp.Delegation),
		Quota: fp.Quota, Left: max(fp.Quota-fp.Nominated, 0), Nominees: n.Nominees, Values: values,
		Errors: map[string]string{}, Fields: []string{"first_name", "last_name", "email", "organization", "position"}, Action: "/n/" + c.Param("token") + "?lang=" + lang,
		Open: s.Now().Before(domain.InviteeDeadline(n.Event))}
	if notice != "" {
		p.Notice = v.T(notice)
	}
	if refusal != "" {
		p.Refusal = v.T(refusal, "Quota", strconv.Itoa(fp.Quota))
	}
	if p.Open && p.Left == 0 {
		p.QuotaUsed = v.T("nominations.quota_used", "Quota", strconv.Itoa(fp.Quota))
		p.AskMore = s.howToAskForMore(v)
	}
	for _, fe := range fields {
		p.Errors[fe.Field] = v.L.FieldError(fe)
	}
	v.Title = v.T("nominations.title", "Delegation", p.Delegation)
	v.Error = len(fields) > 0 || refusal != ""
	v.Page = p
	s.pages.Render(c, status, "nominations", v)
}

// focalPointLang is the language of a focal point's page: the one chosen
// on the page (?lang=), else the one the organizers gave the focal point,
// which their email was written in, whatever the browser says.
func focalPointLang(c *gin.Context, n *store.Nominations, lang string) string {
	if _, chosen := c.GetQuery("lang"); !chosen && n.FocalPoint.Language != "" {
		return n.FocalPoint.Language
	}
	return lang
}

// pathHash is the hash of the path's token; a malformed one is answered
// as an unknown link.
func (s *Web) pathHash(c *gin.Context) ([]byte, bool) {
	hash, ok := linkHash(c)
	if !ok {
		s.linkNotFound(c)
	}
	return hash, ok
}

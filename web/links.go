package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// The personal page behind the links in emails: BASE_URL/r/{token}. Reading
// it never changes anything (mail scanners open links before people do);
// confirming and cancelling are buttons that POST. The token is secret: it
// is hashed before lookup and never logged (the request log shows only the
// route pattern, /r/:token).

// linkPage is what the personal page shows.
type linkPage struct {
	Event       httpcore.EventInfo
	EventHref   string
	Name        string
	Status      string // translated label
	StatusClass string
	Text        string
	Days        []string // the person's days, when the event has several
	CheckinCode string
	Intent      string // "confirm" or "cancel" from ?action=, to highlight
	ConfirmURL  string // empty when confirming makes no sense now
	ConfirmText string
	CancelURL   string
	CancelText  string
	CancelNote  string // what cancelling gives up
	Position    string // a verified waitlisted person's place in the order of promotion
	Past        bool
	RegisterURL string // to register again after a cancellation or expiry
	// The participant's own answers and delegation, the way to change the
	// registration while registration is open, and what the last change
	// did (?saved=1: saved, 0: nothing to change).
	Delegation string
	Answers    []answerLine
	EditURL    string
	Saved      string
	// CertificateURL is the participant's certificate of attendance, once
	// earned (httpcore.EarnedCertificate).
	CertificateURL string
	// VisaLetterURL is the participant's visa invitation letter, once the
	// registration that asked for one is confirmed.
	VisaLetterURL string
}

// answerLine is one question and its answer, as the personal page lists it.
type answerLine struct{ Question, Answer string }

// linkHash checks the token's form before any lookup.
func linkHash(c *gin.Context) ([]byte, bool) {
	token := c.Param("token")
	if !domain.ValidTokenSyntax(token) {
		return nil, false
	}
	return domain.HashToken(token), true
}

// linkNotFound answers an unknown or malformed token.
func (s *Web) linkNotFound(c *gin.Context) {
	s.PageError(c, s.BrowserLang(c.Writer, c.Request), domain.Errorf(domain.ENotFound, "no such link"), "link_not_found")
}

// linkFromPath is the registration behind the path's token and the language
// of its pages; when there is none it answers 404 itself and reports false.
func (s *Web) linkFromPath(c *gin.Context) (*store.Link, string, bool) {
	hash, ok := linkHash(c)
	if !ok {
		s.linkNotFound(c)
		return nil, "", false
	}
	l, err := s.Store.LinkByToken(c.Request.Context(), hash)
	if err != nil {
		s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "link_not_found")
		return nil, "", false
	}
	// The registration's own language comes before the browser's: it is the
	// one the person chose, and the one the email that led here was in.
	return l, s.PageLang(c.Writer, c.Request, l.Registration.Language), true
}

// Link shows a registration reached by its emailed link.
func (s *Web) Link(c *gin.Context) {
	l, lang, ok := s.linkFromPath(c)
	if !ok {
		return
	}
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("link.title")
	p := s.linkPage(c, l, v.L)
	if l.Registration.Status == domain.StatusWaitlisted && l.Registration.AddressVerified && !p.Past {
		n, err := s.Store.WaitlistPosition(c.Request.Context(), l.Registration.ID)
		if err != nil {
			s.PageError(c, lang, err, "link_not_found")
			return
		}
		if n > 0 {
			p.Position = v.L.T("link.waitlist_position", map[string]any{"Count": n})
		}
	}
	if _, _, earned, err := s.EarnedCertificate(c.Request.Context(), l.Event, l.Registration.ID); err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	} else if earned {
		p.CertificateURL = c.Request.URL.Path + "/certificate.pdf"
	}
	if l.Event.VisaLetters != nil && l.Registration.Status == domain.StatusConfirmed {
		visa, err := s.Store.VisaOf(c.Request.Context(), l.Registration.ID)
		if err != nil {
			s.PageError(c, lang, err, "link_not_found")
			return
		}
		if visa != nil {
			p.VisaLetterURL = c.Request.URL.Path + "/visa-letter.pdf"
		}
	}
	v.Page = p
	c.Header("X-Robots-Tag", "noindex")
	s.pages.Render(c, http.StatusOK, "link", v)
}

func (s *Web) linkPage(c *gin.Context, l *store.Link, loc *i18n.Localizer) linkPage {
	lang := loc.Lang()
	reg, ev := l.Registration, l.Event
	self := c.Request.URL.Path
	p := linkPage{
		Event:     s.EventInfo(ev, loc),
		EventHref: "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang,
		Name:      reg.FirstName + " " + reg.LastName,
		Status:    loc.Status(reg.Status),
		Text:      loc.T(linkText(reg), nil),
		Past:      ev.RegistrationClosure(s.Now()) == domain.Past,
	}
	switch c.Query("action") {
	case "confirm", "cancel":
		p.Intent = c.Query("action")
	}
	switch c.Query("saved") {
	case "1":
		p.Saved = loc.T("link.saved", nil)
	case "0":
		p.Saved = loc.T("link.unchanged", nil)
	}
	if reg.Delegation != reg.Country {
		p.Delegation = loc.DelegationName(reg.Delegation)
	}
	for _, q := range ev.Questions {
		if a, ok := reg.Answers[q.Key]; ok {
			p.Answers = append(p.Answers, answerLine{Question: loc.Text(q.Label, ev.Languages), Answer: loc.Answer(q, a, ev.Languages)})
		}
	}
	if ok, _ := s.editable(l); ok {
		p.EditURL = self + "/edit?lang=" + lang
	}
	if len(ev.Days()) > 1 {
		for _, d := range reg.Days {
			p.Days = append(p.Days, i18n.FormatDateWithWeekday(lang, d.In(ev.Location())))
		}
	}
	switch reg.Status {
	case domain.StatusConfirmed:
		p.StatusClass = "ok"
		p.CheckinCode = reg.CheckinCode
	case domain.StatusPending, domain.StatusWaitlisted, domain.StatusAwaitingApproval:
		p.StatusClass = "warn"
	default:
		p.StatusClass = "muted"
	}
	if p.Past {
		return p
	}
	action := func(name string) string { return self + "/" + name + "?lang=" + lang }
	switch reg.Status {
	case domain.StatusPending:
		p.ConfirmURL, p.ConfirmText = action("confirm"), loc.T("link.confirm", nil)
		p.CancelURL, p.CancelText = action("cancel"), loc.T("link.cancel", nil)
		p.CancelNote = loc.T("link.cancel_note", nil)
	case domain.StatusWaitlisted:
		if !reg.AddressVerified {
			p.ConfirmURL, p.ConfirmText = action("confirm"), loc.T("link.confirm_waitlisted", nil)
		}
		p.CancelURL, p.CancelText = action("cancel"), loc.T("link.cancel_waitlisted", nil)
		p.CancelNote = loc.T("link.cancel_note_no_seat", nil)
	case domain.StatusAwaitingApproval:
		if !reg.AddressVerified {
			p.ConfirmURL, p.ConfirmText = action("confirm"), loc.T("link.confirm_waitlisted", nil)
		}
		p.CancelURL, p.CancelText = action("cancel"), loc.T("link.cancel_application", nil)
		p.CancelNote = loc.T("link.cancel_note_no_seat", nil)
	case domain.StatusRejected:
		// A rejection stands: registering again would not change it.
	case domain.StatusConfirmed:
		p.CancelURL, p.CancelText = action("cancel"), loc.T("link.cancel", nil)
		p.CancelNote = loc.T("link.cancel_note", nil)
	default:
		if ev.Published && ev.RegistrationClosure(s.Now()) == "" {
			p.RegisterURL = p.EventHref
		}
	}
	return p
}

// linkText is the message key that explains a registration's status on
// its page: on the waiting list or under review, whether the address
// still has to be confirmed.
func linkText(reg *domain.Registration) string {
	key := "link.text." + string(reg.Status)
	if reg.AddressVerified && (reg.Status == domain.StatusWaitlisted || reg.Status == domain.StatusAwaitingApproval) {
		key += "_verified"
	}
	return key
}

// LinkConfirm confirms the registration behind a link, then shows it.
func (s *Web) LinkConfirm(c *gin.Context) {
	s.linkAction(c, s.Store.ConfirmByToken)
}

// LinkCancel cancels the registration behind a link, then shows it.
func (s *Web) LinkCancel(c *gin.Context) {
	s.linkAction(c, s.Store.CancelByToken)
}

// linkAction runs a state change and redirects (303) to the personal page,
// which shows the new status; a reload of that page repeats nothing.
func (s *Web) linkAction(c *gin.Context, change func(context.Context, []byte) (*store.Link, error)) {
	hash, ok := linkHash(c)
	if !ok {
		s.linkNotFound(c)
		return
	}
	if _, err := change(c.Request.Context(), hash); err != nil {
		s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "link_not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, s.linkURL(c, ""))
}

// LinkActionPage sends a GET of an action's address (an old link, a
// reload) to the personal page with that action highlighted; GET never
// changes anything.
func (s *Web) LinkActionPage(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, ok := linkHash(c); !ok {
			s.linkNotFound(c)
			return
		}
		c.Redirect(http.StatusSeeOther, s.linkURL(c, action))
	}
}

// linkURL is the personal page of the request's token, keeping ?lang=.
func (s *Web) linkURL(c *gin.Context, action string) string {
	q := url.Values{}
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		q.Set("lang", lang)
	}
	if action != "" {
		q.Set("action", action)
	}
	u := "/r/" + url.PathEscape(c.Param("token"))
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

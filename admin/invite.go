package admin

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// Someone added to an event's team without a password gets an emailed
// link, /admin/invite/{token}, that sets one: it works once, until it
// expires (store.AcceptInvitation). Setting the password signs them in.

// invitePage is the form behind an invitation link.
type invitePage struct {
	Intro  string
	Action string
	Form   *form
}

// invitation finds the invitation of the link in the path, or answers with
// the page that says why it does not work.
func (s *Admin) invitation(c *gin.Context, lang string) (*store.Invitation, []byte, bool) {
	token := c.Param("token")
	if !domain.ValidTokenSyntax(token) {
		s.Message(c, http.StatusNotFound, lang, "link_not_found")
		return nil, nil, false
	}
	hash := domain.HashToken(token)
	inv, err := s.Store.InvitationByToken(c.Request.Context(), hash)
	switch domain.ErrorCode(err) {
	case "":
		return inv, hash, true
	case domain.EGone:
		s.Message(c, http.StatusGone, lang, "invite_gone")
	default:
		s.PageError(c, lang, err, "link_not_found")
	}
	return nil, nil, false
}

// InvitePage shows the form that sets a new member's name and password.
func (s *Admin) InvitePage(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	c.Header("X-Robots-Tag", "noindex")
	inv, _, ok := s.invitation(c, lang)
	if !ok {
		return
	}
	s.renderInvite(c, http.StatusOK, inv, lang, url.Values{}, nil)
}

func (s *Admin) renderInvite(c *gin.Context, status int, inv *store.Invitation, lang string, values url.Values, fields []domain.FieldError) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.invite.title")
	v.Error = len(fields) > 0
	values.Del("password")
	values.Del("password_again")
	v.Page = invitePage{
		Intro: v.T("admin.invite.intro", "Param", inv.EventTitle(lang), "ID", v.T("admin.team_role."+string(inv.Role)),
			"Address", inv.Email),
		Action: c.Request.URL.Path,
		Form:   newForm(v.L, values, fields, []string{"name", "password", "password_again"}),
	}
	s.pages.Render(c, status, "admin_invite", v)
}

// AcceptInvite sets the name and password and signs the new member in.
func (s *Admin) AcceptInvite(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	c.Header("X-Robots-Tag", "noindex")
	inv, hash, ok := s.invitation(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	ctx := c.Request.Context()
	form := c.Request.PostForm
	var fields []domain.FieldError
	o, err := domain.NewOrganizer(inv.Email, form.Get("name"))
	if e, ok := domain.AsError(err); ok {
		for _, f := range e.Fields {
			if f.Field == "name" {
				fields = append(fields, f)
			}
		}
	}
	pwHash, err := domain.HashPassword(form.Get("password"))
	if e, ok := domain.AsError(err); ok {
		fields = append(fields, e.Fields...)
	} else if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if form.Get("password") != form.Get("password_again") {
		fields = append(fields, domain.FieldError{Field: "password_again", Code: "match", Message: "The two passwords differ."})
	}
	if len(fields) > 0 {
		s.renderInvite(c, http.StatusUnprocessableEntity, inv, lang, form, fields)
		return
	}
	org, err := s.Store.AcceptInvitation(ctx, hash, o.Name, pwHash)
	if domain.ErrorCode(err) == domain.EGone {
		s.Message(c, http.StatusGone, lang, "invite_gone")
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "link_not_found")
		return
	}
	s.startSession(c, lang, org.ID, "invitation accepted", "/admin")
}

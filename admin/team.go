package admin

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Allow lets a member of the event's team through when their role grants
// p (httpcore.Core.Member). Anyone else sees the "not found" page, as if
// the event did not exist; a member whose role does not grant p sees a
// page saying so, with 403.
func (s *Admin) Allow(p domain.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, _, err := s.Member(c, p); err != nil {
			s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "not_found")
			return
		}
		c.Next()
	}
}

// can reports whether the signed-in member's role grants p, for pages that
// offer actions by role.
func can(c *gin.Context, p domain.Permission) bool { return httpcore.MemberRole(c).Can(p) }

// teamPage is an event's team and, for its owner, the form that changes it.
type teamPage struct {
	Admin     adminBar
	Notice    *notice
	Event     httpcore.EventInfo
	Back      string
	Members   []memberRow
	CanManage bool
	Form      *form
	Action    string
	Roles     []httpcore.Option
	Languages []httpcore.Option
}

type memberRow struct {
	Email, Name, Role, Added string
	Invited                  bool
	RemoveAction             string // empty for the owner, or when the viewer may not remove
}

// Team shows the event's team; its owner may add and remove people.
func (s *Admin) Team(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	s.renderTeam(c, http.StatusOK, ev, lang, url.Values{}, nil)
}

func (s *Admin) renderTeam(c *gin.Context, status int, ev *domain.Event, lang string, values url.Values, fields []domain.FieldError) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.team.title")
	self := eventAdminPath(ev.Slug)
	p := teamPage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, v.L), Back: self,
		CanManage: can(c, domain.PermManageTeam), Action: self + "/team"}
	if p.Notice == nil {
		if done, who := c.Query("done"), c.Query("who"); who != "" {
			if id, ok := map[string]string{"added": "admin.done.member_added", "invited": "admin.done.member_invited",
				"removed": "admin.done.member_removed"}[done]; ok {
				p.Notice = &notice{Text: v.T(id, "Address", who), Class: "ok"}
			}
		}
	}
	members, err := s.Store.Members(c.Request.Context(), ev.ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, m := range members {
		d, _, _ := httpcore.LocalTime(lang, ev, m.AddedAt)
		row := memberRow{Email: m.Email, Name: m.Name, Role: v.T("admin.team_role." + string(m.Role)), Added: d, Invited: m.Invited}
		if m.Name == m.Email {
			row.Name = "" // an invited account has no name of its own yet
		}
		if p.CanManage && m.Role != domain.RoleOwner {
			row.RemoveAction = self + "/team/remove"
		}
		p.Members = append(p.Members, row)
	}
	if p.CanManage {
		if values.Get("language") == "" {
			values.Set("language", lang)
		}
		if values.Get("role") == "" {
			values.Set("role", string(domain.RoleDoor))
		}
		p.Form = newForm(v.L, values, fields, []string{"email", "role", "language"})
		for _, r := range domain.MemberRoles {
			p.Roles = append(p.Roles, httpcore.Option{Value: string(r), Label: v.T("admin.team_role." + string(r)), Selected: values.Get("role") == string(r)})
		}
		for _, code := range i18n.Supported {
			p.Languages = append(p.Languages, httpcore.Option{Value: code, Label: v.L.LanguageName(code), Selected: values.Get("language") == code})
		}
		v.Error = len(fields) > 0
	}
	v.Page = p
	s.pages.Render(c, status, "admin_team", v)
}

// AddMember takes the team form: the person is added (or their role
// changed) and, without a password, invited by email. A refused form comes
// back with 422 and what was typed.
func (s *Admin) AddMember(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	m, err := domain.MemberInput{Email: form.Get("email"), Role: form.Get("role"), Language: form.Get("language")}.Validate()
	if err == nil {
		var res store.AddMemberResult
		res, err = s.Store.AddMember(c.Request.Context(), httpcore.Organizer(c).ID, ev, m)
		if err == nil {
			done := "added"
			if res.Invited {
				done = "invited"
			}
			c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/team?"+url.Values{"done": {done}, "who": {m.Email}}.Encode())
			return
		}
	}
	if e, ok := domain.AsError(err); ok && len(e.Fields) > 0 {
		s.renderTeam(c, http.StatusUnprocessableEntity, ev, lang, form, e.Fields)
		return
	}
	s.PageError(c, lang, err, "not_found")
}

// RemoveMember takes someone off the team.
func (s *Admin) RemoveMember(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	email := c.PostForm("email")
	if err := s.Store.RemoveMember(c.Request.Context(), httpcore.Organizer(c).ID, ev, email); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/team?"+url.Values{"done": {"removed"}, "who": {email}}.Encode())
}

package admin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// auditPage is a page of an event's audit log.
type auditPage struct {
	Admin     adminBar
	Notice    *notice
	Event     httpcore.EventInfo
	Back      string
	Action    string // the filter form's target
	Actions   []httpcore.Option
	Entries   []auditRow
	NextHref  string
	FirstHref string
}

// auditRow is one entry as people read it.
type auditRow struct {
	At, Who, Action string
	About           []string
}

// Audit shows the event's audit log, newest first, a page at a time,
// optionally of one action.
func (s *Admin) Audit(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.audit.title")
	self := eventAdminPath(ev.Slug) + "/audit"
	p := auditPage{Admin: adminBarOf(c), Event: s.EventInfo(ev, v.L), Back: eventAdminPath(ev.Slug), Action: self}
	q, err := domain.ParseAuditQuery(c.Query)
	if err != nil {
		q = domain.AuditQuery{Limit: domain.DefaultPageSize}
		p.Notice = &notice{Text: v.T("admin.error.filter"), Class: "error"}
	}
	page, err := s.Store.AuditLog(c.Request.Context(), ev.ID, store.AuditFilter{Action: q.Action, Limit: q.Limit, Cursor: q.Cursor})
	if domain.ErrorCode(err) == domain.EInvalid { // a cursor typed by hand
		q.Cursor = ""
		p.Notice = &notice{Text: v.T("admin.error.filter"), Class: "error"}
		page, err = s.Store.AuditLog(c.Request.Context(), ev.ID, store.AuditFilter{Action: q.Action, Limit: q.Limit})
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, a := range domain.AuditActions {
		p.Actions = append(p.Actions, httpcore.Option{Value: string(a), Label: v.T("admin.audit.action." + string(a)),
			Selected: string(a) == q.Action})
	}
	for _, e := range page.Entries {
		p.Entries = append(p.Entries, auditRowOf(e, ev, v.L))
	}
	keep := url.Values{}
	if q.Action != "" {
		keep.Set("action", q.Action)
	}
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		if q.Action != "" {
			next.Set("action", q.Action)
		}
		p.NextHref = self + "?" + next.Encode()
	}
	if q.Cursor != "" {
		p.FirstHref = self
		if len(keep) > 0 {
			p.FirstHref += "?" + keep.Encode()
		}
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "admin_audit", v)
}

// auditRowOf describes an entry in l's language: when (in the event's time
// zone), who, what, and about whom or what.
func auditRowOf(e domain.AuditEntry, ev *domain.Event, l *i18n.Localizer) auditRow {
	lang := l.Lang()
	d, t, z := httpcore.LocalTime(lang, ev, e.At)
	r := auditRow{At: d + " " + t + " " + z, Who: l.T("admin.audit.nobody", nil),
		Action: l.T("admin.audit.action."+string(e.Action), nil)}
	if e.Actor != nil {
		r.Who = *e.Actor
	}
	if e.RegistrationID != nil {
		r.About = append(r.About, l.T("admin.audit.registration", map[string]any{"ID": *e.RegistrationID}))
	}
	if e.Day != nil {
		r.About = append(r.About, l.T("admin.audit.day", map[string]any{"Date": i18n.FormatDate(lang, e.Day.In(ev.Location()))}))
	}
	if e.Member != nil {
		who := *e.Member
		if e.Detail.Role != "" {
			who += " (" + l.T("admin.team_role."+string(e.Detail.Role), nil) + ")"
		}
		r.About = append(r.About, who)
	}
	if len(e.Detail.Fields) > 0 {
		names := make([]string, len(e.Detail.Fields))
		for i, f := range e.Detail.Fields {
			names[i] = l.FieldLabel(f)
		}
		r.About = append(r.About, l.T("admin.audit.fields", map[string]any{"Param": strings.Join(names, ", ")}))
	}
	if e.Detail.Format != "" {
		r.About = append(r.About, l.T("admin.audit.format", map[string]any{"Param": strings.ToUpper(e.Detail.Format)}))
	}
	if e.Detail.Status != "" || e.Detail.Country != "" || e.Detail.Search {
		r.About = append(r.About, l.T("admin.audit.filtered", nil))
	}
	return r
}

package admin

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// webhooksPage is the signed-in organizer's webhook endpoints and the form
// that adds one. Secret is set on the one view that follows the creation
// of an endpoint: it is never shown again.
type webhooksPage struct {
	Admin     adminBar
	Notice    *notice
	Hooks     []webhookRow
	Events    []httpcore.Option
	Types     []httpcore.Option
	URL       string
	Personal  bool
	Error     string
	TypeError string
	Secret    string
}

type webhookRow struct {
	ID                               int64
	URL, Scope, Types, State, Detail string
	Active, Personal                 bool
	Deliveries                       []deliveryRow
}

// webhookNotices are the outcomes a redirect back to the page names.
var webhookNotices = map[string]string{
	"removed": "admin.webhooks.done_removed", "enabled": "admin.webhooks.done_enabled",
	"disabled": "admin.webhooks.done_disabled", "created": "admin.webhooks.done_created",
}

// Webhooks shows the organizer's webhook endpoints, and the secret of the
// one just created when this is the view its creation redirected to.
func (s *Admin) Webhooks(c *gin.Context) {
	s.renderWebhooks(c, http.StatusOK, webhooksPage{Secret: s.takeSecretFlash(c, httpcore.Organizer(c).ID)})
}

func (s *Admin) renderWebhooks(c *gin.Context, status int, p webhooksPage) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ctx := c.Request.Context()
	org := httpcore.Organizer(c)
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.webhooks.title")
	p.Admin = adminBarOf(c)
	if id, ok := webhookNotices[c.Query("done")]; ok && status == http.StatusOK {
		p.Notice = &notice{Text: v.T(id), Class: "ok"}
	}
	hooks, err := s.Store.Webhooks(ctx, org.ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, w := range hooks {
		row := webhookRow{ID: w.ID, URL: w.URL, Scope: v.T("admin.webhooks.all_events"), Active: w.Active,
			Personal: w.IncludePersonalData, State: v.T("admin.webhooks.active")}
		if w.Event != nil {
			row.Scope = *w.Event
		}
		if !w.Active {
			row.State = v.T("admin.webhooks.disabled")
		}
		if w.ConsecutiveFailures > 0 {
			row.Detail = v.T("admin.webhooks.failures", "Count", w.ConsecutiveFailures)
		}
		row.Types = v.T("admin.webhooks.all_types")
		if len(w.EventTypes) < len(domain.WebhookTypes) {
			row.Types = strings.Join(w.EventTypes, ", ")
		}
		if row.Deliveries, err = s.recentDeliveryRows(c, v, org.ID, w.ID); err != nil {
			s.PageError(c, lang, err, "not_found")
			return
		}
		p.Hooks = append(p.Hooks, row)
	}
	evs, err := s.Store.TeamEvents(ctx, org.ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	selected := c.PostForm("event")
	p.Events = []httpcore.Option{{Value: "", Label: v.T("admin.webhooks.all_events"), Selected: selected == ""}}
	for _, te := range evs {
		if te.Role.Can(domain.PermReadRegistrations) {
			p.Events = append(p.Events, httpcore.Option{Value: te.Event.Slug, Label: te.Event.In(lang).Title,
				Selected: selected == te.Event.Slug})
		}
	}
	chosen := c.PostFormArray("types")
	for _, t := range domain.WebhookTypes {
		p.Types = append(p.Types, httpcore.Option{Value: t, Label: t,
			Selected: c.Request.Method == http.MethodGet || slices.Contains(chosen, t)})
	}
	v.Error = p.Error != "" || p.TypeError != ""
	v.Page = p
	if p.Secret != "" {
		c.Header("Cache-Control", "no-store")
	}
	s.pages.Render(c, status, "admin_webhooks", v)
}

// AddWebhook takes the form: an endpoint for all the organizer's events or
// one of them, with the event types chosen. It redirects to the page,
// which shows the secret once (a reload adds nothing); a refused form
// comes back with 422 and what was typed.
func (s *Admin) AddWebhook(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	ctx := c.Request.Context()
	org := httpcore.Organizer(c)
	v := s.NewView(c.Request, lang, "")
	p := webhooksPage{URL: c.PostForm("url"), Personal: c.PostForm("personal") == "on"}
	in := domain.WebhookInput{URL: domain.Some(p.URL), IncludePersonalData: domain.Some(p.Personal),
		EventTypes: domain.Some(c.PostFormArray("types"))}
	ch, err := in.Validate(true, s.Config.WebhookAllowPrivate)
	if e, ok := domain.AsError(err); ok {
		for _, f := range e.Fields {
			if f.Field == "event_types" {
				p.TypeError = v.T("admin.webhooks.error_types")
			} else {
				p.Error = v.T("admin.webhooks.error_url")
			}
		}
		s.renderWebhooks(c, http.StatusUnprocessableEntity, p)
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	var eventID *int64
	if slug := c.PostForm("event"); slug != "" {
		ev, role, err := s.Store.Membership(ctx, org.ID, slug)
		if err != nil || !role.Can(domain.PermReadRegistrations) {
			p.Error = v.T("admin.webhooks.error_event")
			s.renderWebhooks(c, http.StatusUnprocessableEntity, p)
			return
		}
		eventID = &ev.ID
	}
	_, secret, err := s.Store.CreateWebhook(ctx, org.ID, eventID, ch, s.Config.WebhookMaxEndpoints)
	if domain.ErrorCode(err) == domain.EConflict {
		p.Error = v.T("admin.webhooks.error_limit")
		s.renderWebhooks(c, http.StatusConflict, p)
		return
	}
	if err == nil {
		err = s.setSecretFlash(c, org.ID, secret)
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?done=created")
}

// SetWebhookActive disables an endpoint (active=off) or enables it again.
func (s *Admin) SetWebhookActive(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	id, ok := s.webhookID(c, lang)
	if !ok {
		return
	}
	active := c.PostForm("active") == "on"
	if _, err := s.Store.UpdateWebhook(c.Request.Context(), httpcore.Organizer(c).ID, id,
		domain.WebhookChange{Active: &active}); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	done := "disabled"
	if active {
		done = "enabled"
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?done="+done)
}

// RemoveWebhook deletes an endpoint and its deliveries.
func (s *Admin) RemoveWebhook(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	id, ok := s.webhookID(c, lang)
	if !ok {
		return
	}
	if err := s.Store.DeleteWebhook(c.Request.Context(), httpcore.Organizer(c).ID, id); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?done=removed")
}

// webhookID reads the endpoint's id from the path after the form; a
// malformed one is "not found", as another organizer's is.
func (s *Admin) webhookID(c *gin.Context, lang string) (int64, bool) {
	if !s.ParseForm(c, lang) {
		return 0, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.PageError(c, lang, domain.Errorf(domain.ENotFound, "no such webhook"), "not_found")
		return 0, false
	}
	return id, true
}

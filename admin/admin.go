// Package admin is the organizers' dashboard: HTML pages behind a session
// cookie (auth.go) for what the JSON API (package api) offers behind a
// token: the events, their statistics and registrations, failed emails,
// exports, and the check-in desk at the door (checkin.go). The pages share
// the public pages' layout, rendering and language choice through
// httpcore; every change is a POST that redirects (303) back to a page,
// with the outcome named in ?done= or ?error=. Another organizer's event
// is "not found", as in the API. Package server declares the routes.
package admin

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/templates"
)

// pageNames are the dashboard's page templates, templates/web/<name>.html.tmpl,
// each parsed with the dashboard's own partials.
var pageNames = []string{"admin_login", "admin_events", "admin_event", "admin_checkin", "admin_questions",
	"admin_event_form", "admin_team", "admin_audit", "admin_invite", "admin_invitations", "admin_webhooks",
	"admin_messages", "admin_message"}

// Admin holds the dashboard's dependencies: the shared core, the page
// templates and the sign-in guard.
type Admin struct {
	*httpcore.Core
	pages *httpcore.Pages
	guard *loginGuard
	// renderer previews an organizer's message as a participant gets it.
	renderer *notify.Renderer
}

// New builds the dashboard over core. It fails only for a broken page
// template, which the tests catch before a release.
func New(core *httpcore.Core) (*Admin, error) {
	pages, err := core.ParsePages(pageNames, "web/admin_partials.html.tmpl")
	if err != nil {
		return nil, err
	}
	cfg := core.Config
	guard := newLoginGuard(loginGuardConfig{
		pairLimit: cfg.LoginRateLimit, clientLimit: cfg.LoginIPRateLimit, window: cfg.LoginRateWindow,
		delay: cfg.LoginDelay, delayMax: cfg.LoginDelayMax,
		concurrency: cfg.PasswordHashConcurrency, slotWait: cfg.PasswordHashWait,
		check: core.CheckPassword, now: core.Now,
	})
	renderer, err := notify.NewRendererWith(templates.FS, core.I18n)
	if err != nil {
		return nil, err
	}
	return &Admin{Core: core, pages: pages, guard: guard, renderer: renderer}, nil
}

// adminBar is the strip at the top of every dashboard page: who is signed
// in, and the way out.
type adminBar struct{ Email, Name string }

func adminBarOf(c *gin.Context) adminBar {
	o := httpcore.Organizer(c)
	return adminBar{Email: o.Email, Name: o.Name}
}

// notice is a one-line result shown at the top of a page.
type notice struct{ Text, Class string }

// adminNotices are the outcomes a redirect may name: ?done=<key> or
// ?error=<key>, each a message id and a notice class.
var adminNotices = map[string]struct{ id, class string }{
	"done:cancelled":         {"admin.done.cancelled", "ok"},
	"done:promoted":          {"admin.done.promoted", "ok"},
	"done:approved":          {"admin.done.approved", "ok"},
	"done:rejected":          {"admin.done.rejected", "ok"},
	"error:none_ticked":      {"admin.error.none_ticked", "error"},
	"error:not_awaiting":     {"admin.error.not_awaiting", "error"},
	"done:retried":           {"admin.done.retried", "ok"},
	"done:created":           {"admin.done.created", "ok"},
	"done:created_published": {"admin.done.created_published", "ok"},
	"done:saved":             {"admin.done.saved", "ok"},
	"done:published":         {"admin.done.published", "ok"},
	"done:unpublished":       {"admin.done.unpublished", "ok"},
	"error:full":             {"admin.error.full", "error"},
	"error:not_waitlisted":   {"admin.error.not_waitlisted", "error"},
	"error:not_failed":       {"admin.error.not_failed", "error"},
	"error:message":          {"admin.error.message", "error"},
	"error:filter":           {"admin.error.filter", "error"},
	"done:questions":         {"admin.questions.saved", "ok"},
	"done:certificate":       {"admin.done.certificate", "ok"},
	"error:certificate":      {"admin.error.certificate", "error"},
	"done:message_sent":      {"admin.done.message_sent", "ok"},
	"done:message_saved":     {"admin.done.message_saved", "ok"},
	"done:message_test":      {"admin.done.message_test", "ok"},
	"done:message_cancelled": {"admin.done.message_cancelled", "ok"},
	"error:message_state":    {"admin.error.message_state", "error"},
}

// pageNotice reads the outcome named in the query, if it is one we know.
func pageNotice(c *gin.Context, v httpcore.View) *notice {
	for _, kind := range []string{"error", "done"} {
		if n, ok := adminNotices[kind+":"+c.Query(kind)]; ok {
			return &notice{Text: v.T(n.id), Class: n.class}
		}
	}
	return nil
}

// eventAdminPath is the dashboard page of an event.
func eventAdminPath(slug string) string { return "/admin/events/" + url.PathEscape(slug) }

// managedEvent loads the signed-in organizer's event named in the path; any
// other answers 404, like a missing one.
func (s *Admin) managedEvent(c *gin.Context, lang string) (*domain.Event, bool) {
	if ev := httpcore.MemberEvent(c); ev != nil { // loaded by Allow
		return ev, true
	}
	ev, err := s.Store.ManagedEvent(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return nil, false
	}
	return ev, true
}

// statusBadge is a registration status as organizers read it: a label
// and the badge's class.
func statusBadge(l *i18n.Localizer, st domain.Status) (label, class string) {
	switch st {
	case domain.StatusConfirmed:
		class = "ok"
	case domain.StatusPending:
		class = "warn"
	case domain.StatusWaitlisted, domain.StatusAwaitingApproval:
		class = "info"
	default:
		class = "muted"
	}
	return l.T("admin.status."+string(st), nil), class
}

// adminEventsPage lists the events of the organizer's teams.
type adminEventsPage struct {
	Admin  adminBar
	Notice *notice
	Events []adminEventRow
}

type adminEventRow struct {
	Title, Href, DoorHref, PublicHref string
	Dates, State, StateClass, Role    string
	Registered, Confirmed, Waitlisted int
	CheckedInToday                    int
	Seats                             string // "12 / 40", or "12" without a capacity
	// Awaiting names the applications waiting for a decision, linking
	// to them; empty when there are none (or the role may not decide).
	Awaiting, AwaitingHref string
}

// stateClasses are the badges of the event states.
var stateClasses = map[domain.EventState]string{domain.StateDraft: "muted", domain.StatePublished: "ok",
	domain.StateRegistrationClosed: "warn", domain.StatePast: "muted"}

// Events is the dashboard's home: the events of the organizer's teams,
// newest first, each with its state, its numbers and the organizer's role.
// Door staff are sent from it to the check-in page, the one page theirs.
func (s *Admin) Events(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ctx := c.Request.Context()
	evs, err := s.Store.TeamEvents(ctx, httpcore.Organizer(c).ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.events.title")
	p := adminEventsPage{Admin: adminBarOf(c), Notice: pageNotice(c, v)}
	now := s.Now()
	for _, te := range evs {
		ev := te.Event
		loc := ev.Location()
		state := ev.State(now)
		row := adminEventRow{
			Title: ev.In(lang).Title, Href: eventAdminPath(ev.Slug), DoorHref: eventAdminPath(ev.Slug) + "/checkin",
			Dates: i18n.FormatDateRange(lang, ev.StartsOn.In(loc), ev.EndsOn.In(loc)),
			State: "admin.state." + string(state), StateClass: stateClasses[state],
			Role:       v.T("admin.team_role." + string(te.Role)),
			Registered: te.Registered, Confirmed: te.Confirmed, Waitlisted: te.Waitlisted, CheckedInToday: te.CheckedInToday,
			Seats: strconv.Itoa(ev.SeatsHeld),
		}
		if te.AwaitingApproval > 0 && te.Role.Can(domain.PermChangeRegistrations) {
			row.Awaiting = v.N("admin.events.awaiting", te.AwaitingApproval)
			row.AwaitingHref = row.Href + "?status=" + string(domain.StatusAwaitingApproval) + "#registrations"
		}
		if !te.Role.Can(domain.PermReadRegistrations) {
			row.Href = row.DoorHref
		}
		if ev.Capacity != nil {
			row.Seats += " / " + strconv.Itoa(*ev.Capacity)
		}
		if ev.Published {
			row.PublicHref = "/events/" + url.PathEscape(ev.Slug)
		}
		p.Events = append(p.Events, row)
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "admin_events", v)
}

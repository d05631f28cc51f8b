package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// apiPermissions says, independently of the route table, what each
// organizer route of an event needs. A route missing here fails the test
// below, so a new route has to be given its permission.
var apiPermissions = map[string]domain.Permission{
	"GET /api/v1/events/:slug":                                   domain.PermSeeEvent,
	"GET /api/v1/events/:slug/form":                              domain.PermSeeEvent,
	"GET /api/v1/events/:slug/invitations":                       domain.PermReadRegistrations,
	"POST /api/v1/events/:slug/invitations":                      domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/invitations/:id/withdraw":         domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/invitations/:id/resend":           domain.PermChangeRegistrations,
	"GET /api/v1/events/:slug/focal-points":                      domain.PermReadRegistrations,
	"POST /api/v1/events/:slug/focal-points":                     domain.PermChangeRegistrations,
	"PATCH /api/v1/events/:slug":                                 domain.PermEditEvent,
	"POST /api/v1/events/:slug/registrations":                    domain.PermChangeRegistrations, // a walk-in, with a token
	"GET /api/v1/events/:slug/registrations":                     domain.PermReadRegistrations,
	"GET /api/v1/events/:slug/registrations/:id":                 domain.PermReadRegistrations,
	"POST /api/v1/events/:slug/registrations/:id/cancel":         domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/registrations/:id/promote":        domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/registrations/:id/approve":        domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/registrations/:id/reject":         domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/registrations/approve":            domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/registrations/reject":             domain.PermChangeRegistrations,
	"GET /api/v1/events/:slug/documents/visa-letters.zip":        domain.PermExport,
	"GET /api/v1/events/:slug/registrations/:id/visa-letter.pdf": domain.PermExport,
	"DELETE /api/v1/events/:slug/registrations/:id":              domain.PermChangeRegistrations,
	"GET /api/v1/events/:slug/registrations/export":              domain.PermExport,
	"GET /api/v1/events/:slug/emails":                            domain.PermReadRegistrations,
	"POST /api/v1/events/:slug/emails/:id/retry":                 domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/checkins":                         domain.PermCheckIn,
	"DELETE /api/v1/events/:slug/checkins/:registration_id/:day": domain.PermCheckIn,
	"GET /api/v1/events/:slug/stats":                             domain.PermReadRegistrations,
	"GET /api/v1/events/:slug/members":                           domain.PermReadTeam,
	"POST /api/v1/events/:slug/members":                          domain.PermManageTeam,
	"DELETE /api/v1/events/:slug/members/:email":                 domain.PermManageTeam,
	"GET /api/v1/events/:slug/audit":                             domain.PermReadAudit,
	"GET /api/v1/events/:slug/documents/sign-in-sheet.pdf":       domain.PermExport,
	"GET /api/v1/events/:slug/documents/badges.pdf":              domain.PermExport,
	"GET /api/v1/events/:slug/documents/certificates.zip":        domain.PermExport,
	"GET /api/v1/events/:slug/documents/certificates/:file":      domain.PermExport,
	"GET /api/v1/events/:slug/documents/attendance-report.pdf":   domain.PermExport,
	"GET /api/v1/events/:slug/documents/attendance-report.xlsx":  domain.PermExport,
	"GET /api/v1/events/:slug/messages":                          domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages":                         domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/preview":                 domain.PermChangeRegistrations,
	"GET /api/v1/events/:slug/messages/:id":                      domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/:id/preview":             domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/:id/send":                domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/:id/test":                domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/:id/retry-failed":        domain.PermChangeRegistrations,
	"POST /api/v1/events/:slug/messages/:id/cancel":              domain.PermChangeRegistrations,
}

// TestEveryOrganizerRouteChecksTheRole walks every route of an event for
// each role on its team: a route the role does not grant answers 403 and
// changes nothing; one it grants gets past the check (whatever the
// handler then says of the request). Door staff go first, then
// organizers, then the owner, so that what a role may change is still
// there for the next.
func TestEveryOrganizerRouteChecksTheRole(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	day := servertest.EventBody("egov", nil)["starts_on"].(string)
	walkIn := servertest.Decode[struct {
		ID string `json:"id"`
	}](t, a.Post("/api/v1/events/egov/registrations", a.Token, servertest.Participant("walkin@example.uz", nil)), http.StatusCreated)
	regID := walkIn.ID
	var emailID int64
	if err := a.DB.Get(&emailID, `SELECT id FROM emails ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	message := servertest.Decode[struct {
		ID int64 `json:"id"`
	}](t, a.Post("/api/v1/events/egov/messages", a.Token, map[string]any{
		"texts": map[string]any{"en": map[string]any{"subject": "Slides", "body": "The slides."}}}), http.StatusCreated)
	tokens := map[domain.TeamRole]string{domain.RoleOwner: a.Token}
	for _, role := range domain.MemberRoles {
		o, token := a.Organizer(string(role) + "@example.org")
		tokens[role] = token
		rec := a.Post("/api/v1/events/egov/members", a.Token, map[string]any{"email": o.Email, "role": role})
		if rec.Code != http.StatusCreated {
			t.Fatalf("add %s: %d %s", role, rec.Code, rec.Body)
		}
	}

	type call struct {
		route string
		req   servertest.Request
	}
	var calls []call
	for _, r := range a.Srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/events/:slug") {
			continue
		}
		route := r.Method + " " + r.Path
		if _, ok := apiPermissions[route]; !ok {
			t.Errorf("%s is not classified: give it its permission in apiPermissions (and in the route table)", route)
			continue
		}
		path := servertest.RouteParam.ReplaceAllStringFunc(r.Path, func(p string) string {
			switch p[1:] {
			case "slug":
				return "egov"
			case "day":
				return day
			case "email":
				return "someone@example.org"
			case "id":
				if strings.Contains(r.Path, "/emails/") {
					return fmt.Sprint(emailID)
				}
				if strings.Contains(r.Path, "/messages/") {
					return fmt.Sprint(message.ID)
				}
			}
			return regID
		})
		body := `{}`
		switch {
		case strings.HasSuffix(r.Path, "/checkins"):
			body = servertest.JSONText(t, map[string]any{"registration_id": regID, "day": day})
		case strings.HasSuffix(r.Path, "/members"):
			body = `{"email": "someone@example.org", "role": "door"}`
		case strings.HasSuffix(r.Path, "/registrations") && r.Method == http.MethodPost:
			body = servertest.JSONText(t, servertest.Participant("another@example.uz", nil))
		case r.Method == http.MethodPatch:
			body = `{"description": "Changed by the team"}`
		}
		query := "?format=csv"
		if r.Method == http.MethodDelete {
			query = "?erase=true"
		}
		calls = append(calls, call{route, servertest.Request{Method: r.Method, Path: path + query, Body: body}})
	}
	if len(calls) < 18 {
		t.Fatalf("only %d event routes found; is the route table complete?", len(calls))
	}

	state := func() int {
		return servertest.CountRows(t, a, `SELECT (SELECT count(*) FROM registrations WHERE status <> 'cancelled' AND erased_at IS NULL)
			+ (SELECT count(*) FROM checkins) + (SELECT count(*) FROM emails) + (SELECT count(*) FROM audit_log)
			+ (SELECT count(*) FROM event_organizers) + (SELECT count(*) FROM events WHERE description <> '')`)
	}
	for _, role := range []domain.TeamRole{domain.RoleDoor, domain.RoleOrganizer, domain.RoleOwner} {
		before := state()
		for _, c := range calls {
			if role.Can(apiPermissions[c.route]) {
				continue
			}
			c.req.Token = tokens[role]
			rec := a.Do(c.req)
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "/problems/forbidden") {
				t.Errorf("%s: %s answered %d, want 403 forbidden: %s", role, c.route, rec.Code, rec.Body)
			}
		}
		if after := state(); after != before {
			t.Errorf("%s: refused requests changed the database (%d → %d)", role, before, after)
		}
		for _, c := range calls {
			if !role.Can(apiPermissions[c.route]) {
				continue
			}
			c.req.Token = tokens[role]
			rec := a.Do(c.req)
			if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized ||
				(rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "no such event")) {
				t.Errorf("%s: %s answered %d, want it let through: %s", role, c.route, rec.Code, rec.Body)
			}
		}
	}
}

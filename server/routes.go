package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// routes is the one place where every route is declared: the JSON API
// under /api/v1, the public pages, and the dashboard under /admin.
func (s *Server) routes() {
	r, core, a, w, adm := s.engine, s.core, s.api, s.web, s.admin
	r.Use(httpcore.RequestIDs(), core.Measure(), core.Logging(), core.Recovery(), core.Limits())
	r.NoRoute(func(c *gin.Context) {
		if httpcore.IsAPIPath(c.Request.URL.Path) {
			core.Error(c, domain.Errorf(domain.ENotFound, "no such endpoint"))
			return
		}
		core.Message(c, http.StatusNotFound, core.BrowserLang(c.Writer, c.Request), "not_found")
	})
	r.NoMethod(func(c *gin.Context) {
		core.BadRequest(c, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			c.Request.Method+" is not supported here")
	})

	r.GET("/healthz", a.Healthz)
	r.GET("/readyz", a.Readyz)

	// The JSON API (package api). Participants register and use their
	// links; organizers use a token.
	v1 := r.Group("/api/v1")
	v1.GET("/openapi.yaml", a.OpenAPI)
	v1.GET("/events", a.OptionalOrganizer(), a.ListEvents)
	v1.GET("/events/:slug", a.OptionalOrganizer(), a.GetEvent)
	v1.POST("/events/:slug/registrations", core.LimitRegistrations, a.OptionalOrganizer(), a.CreateRegistration)
	v1.POST("/registrations/confirm", httpcore.NoStore, a.ConfirmByToken)
	v1.POST("/registrations/cancel", httpcore.NoStore, a.CancelByToken)
	v1.POST("/registrations/update", httpcore.NoStore, a.UpdateByToken)
	v1.GET("/events/:slug/form", a.OptionalOrganizer(), a.EventForm)
	v1.GET("/delegations", a.OptionalOrganizer(), a.Delegations)
	r.GET("/r/:token/data", httpcore.NoStore, a.PersonalData)

	// Organizers, with a token. Every route of an event names the
	// permission it needs (domain.Permission); a.Allow checks the caller's
	// role on the event's team.
	org := v1.Group("", a.RequireOrganizer())
	org.POST("/events", a.CreateEvent)
	org.PATCH("/events/:slug", a.Allow(domain.PermEditEvent), a.UpdateEvent)
	org.GET("/events/:slug/registrations", a.Allow(domain.PermReadRegistrations), a.ListRegistrations)
	org.GET("/events/:slug/registrations/:id", a.Allow(domain.PermReadRegistrations), a.GetRegistration)
	org.POST("/events/:slug/registrations/:id/cancel", a.Allow(domain.PermChangeRegistrations), a.CancelRegistration)
	org.POST("/events/:slug/registrations/:id/promote", a.Allow(domain.PermChangeRegistrations), a.PromoteRegistration)
	org.POST("/events/:slug/registrations/:id/approve", a.Allow(domain.PermChangeRegistrations), a.ApproveRegistration)
	org.POST("/events/:slug/registrations/:id/reject", a.Allow(domain.PermChangeRegistrations), a.RejectRegistration)
	org.POST("/events/:slug/registrations/approve", a.Allow(domain.PermChangeRegistrations), a.ApproveRegistrations)
	org.POST("/events/:slug/registrations/reject", a.Allow(domain.PermChangeRegistrations), a.RejectRegistrations)
	org.DELETE("/events/:slug/registrations/:id", a.Allow(domain.PermChangeRegistrations), a.EraseRegistration)
	org.GET("/events/:slug/emails", a.Allow(domain.PermReadRegistrations), a.ListEmails)
	org.POST("/events/:slug/emails/:id/retry", a.Allow(domain.PermChangeRegistrations), a.RetryEmail)

	// Messages to participants (issue 18): organizers only, as they reveal
	// who matches a filter and write in the organizers' name.
	org.GET("/events/:slug/messages", a.Allow(domain.PermChangeRegistrations), a.ListMessages)
	org.POST("/events/:slug/messages", a.Allow(domain.PermChangeRegistrations), a.CreateMessage)
	org.POST("/events/:slug/messages/preview", a.Allow(domain.PermChangeRegistrations), a.PreviewMessage)
	org.GET("/events/:slug/messages/:id", a.Allow(domain.PermChangeRegistrations), a.GetMessage)
	org.POST("/events/:slug/messages/:id/preview", a.Allow(domain.PermChangeRegistrations), a.PreviewStoredMessage)
	org.POST("/events/:slug/messages/:id/send", a.Allow(domain.PermChangeRegistrations), a.SendMessage)
	org.POST("/events/:slug/messages/:id/test", a.Allow(domain.PermChangeRegistrations), a.TestMessage)
	org.POST("/events/:slug/messages/:id/retry-failed", a.Allow(domain.PermChangeRegistrations), a.RetryFailedMessage)
	org.POST("/events/:slug/messages/:id/cancel", a.Allow(domain.PermChangeRegistrations), a.CancelMessage)
	org.GET("/me", a.Me)

	// Signed webhooks (issue 18): each organizer's own endpoints.
	org.POST("/webhooks", a.CreateWebhook)
	org.GET("/webhooks", a.ListWebhooks)
	org.GET("/webhooks/:id", a.GetWebhook)
	org.PATCH("/webhooks/:id", a.UpdateWebhook)
	org.DELETE("/webhooks/:id", a.DeleteWebhook)
	org.GET("/webhooks/:id/deliveries", a.ListDeliveries)
	org.POST("/webhooks/:id/secret", a.RotateWebhookSecret)

	// Attendance, statistics and exports
	org.POST("/events/:slug/checkins", a.Allow(domain.PermCheckIn), a.CreateCheckin)
	org.DELETE("/events/:slug/checkins/:registration_id/:day", a.Allow(domain.PermCheckIn), a.DeleteCheckin)
	org.GET("/events/:slug/stats", a.Allow(domain.PermReadRegistrations), a.EventStats)
	org.GET("/events/:slug/registrations/export", a.Allow(domain.PermExport), a.ExportRegistrations)

	// The team and the audit log
	org.GET("/events/:slug/members", a.Allow(domain.PermReadTeam), a.ListMembers)
	org.POST("/events/:slug/members", a.Allow(domain.PermManageTeam), a.AddMember)
	org.DELETE("/events/:slug/members/:email", a.Allow(domain.PermManageTeam), a.RemoveMember)
	org.GET("/events/:slug/audit", a.Allow(domain.PermReadAudit), a.AuditLog)

	// Invitations and nominations (issue 17)
	org.GET("/events/:slug/invitations", a.Allow(domain.PermReadRegistrations), a.ListInvitations)
	org.POST("/events/:slug/invitations/:id/withdraw", a.Allow(domain.PermChangeRegistrations), a.WithdrawInvitation)
	org.POST("/events/:slug/invitations/:id/resend", a.Allow(domain.PermChangeRegistrations), a.ResendInvitation)
	org.POST("/events/:slug/invitations", core.ImportBodyLimit, a.Allow(domain.PermChangeRegistrations), a.ImportInvitations)
	org.GET("/events/:slug/focal-points", a.Allow(domain.PermReadRegistrations), a.ListDelegations)
	org.POST("/events/:slug/focal-points", a.Allow(domain.PermChangeRegistrations), a.SetFocalPoint)

	// The papers a workshop runs on (issue 19)
	org.GET("/events/:slug/documents/sign-in-sheet.pdf", a.Allow(domain.PermExport), a.SignInSheet)
	org.GET("/events/:slug/documents/badges.pdf", a.Allow(domain.PermExport), a.Badges)
	org.GET("/events/:slug/documents/certificates.zip", a.Allow(domain.PermExport), a.Certificates)
	org.GET("/events/:slug/documents/certificates/:file", a.Allow(domain.PermExport), a.Certificate)
	org.GET("/events/:slug/documents/attendance-report.pdf", a.Allow(domain.PermExport), a.AttendanceReportPDF)
	org.GET("/events/:slug/documents/attendance-report.xlsx", a.Allow(domain.PermExport), a.AttendanceReportXLSX)
	org.GET("/events/:slug/registrations/:id/visa-letter.pdf", a.Allow(domain.PermExport), a.VisaLetter)
	org.GET("/events/:slug/documents/visa-letters.zip", a.Allow(domain.PermExport), a.VisaLetters)

	// The public pages (package web). The registration form shares the
	// API's rate limit; every POST is behind cross-origin protection.
	r.GET("/", w.Index)
	r.GET("/static/style.css", core.Stylesheet)
	r.GET("/static/door.js", core.Script("door.js"))
	r.GET("/static/vendor/jsqr/jsQR.js", core.Script("vendor/jsqr/jsQR.js"))
	r.GET("/privacy", w.Privacy)
	// /events/{slug}.ics shares the event page's route: a slug has no dot.
	r.GET("/events.ics", w.EventsCalendar)
	r.GET("/events/:slug", w.CalendarOr(w.Event))
	r.GET("/events/:slug/register", w.RegisterPage)
	r.POST("/events/:slug/register", core.LimitRegistrations, w.Register)
	r.GET("/events/:slug/thanks", w.Thanks)
	r.GET("/r/:token", w.Link)
	r.GET("/r/:token/confirm", w.LinkActionPage("confirm"))
	r.GET("/r/:token/cancel", w.LinkActionPage("cancel"))
	r.POST("/r/:token/confirm", w.LinkConfirm)
	r.POST("/r/:token/cancel", w.LinkCancel)
	r.GET("/r/:token/edit", w.EditPage)
	r.POST("/r/:token/edit", w.Edit)
	r.GET("/r/:token/certificate.pdf", httpcore.NoStore, w.LinkCertificate)
	// Personal invitations and focal points' nominations (issue 17).
	r.GET("/i/:token", httpcore.NoStore, w.Invitation)
	r.POST("/i/:token/decline", w.DeclineInvitation)
	r.GET("/n/:token", httpcore.NoStore, w.Nominations)
	r.POST("/n/:token", core.LimitRegistrations, w.Nominate)
	// An organizer message's List-Unsubscribe link (RFC 8058): GET asks,
	// POST (the page's button or a mail program's one click) records.
	r.GET("/unsubscribe/:token", httpcore.NoStore, w.UnsubscribePage)
	r.POST("/unsubscribe/:token", httpcore.NoStore, w.Unsubscribe)
	r.GET("/r/:token/visa-letter.pdf", httpcore.NoStore, w.LinkVisaLetter)

	// The organizers' dashboard (package admin): signed in with a password
	// and a session cookie; every change is a POST behind cross-origin
	// protection, answered with a redirect (303) back to a page.
	r.GET("/admin/login", adm.LoginPage)
	r.POST("/admin/login", adm.Login)
	r.POST("/admin/logout", adm.Logout)
	// An invitation to a team sets a password: no session yet.
	r.GET("/admin/invite/:token", adm.InvitePage)
	r.POST("/admin/invite/:token", adm.AcceptInvite)
	// Every page of an event names the permission it needs, as in the API.
	dash := r.Group("/admin", adm.RequireSession())
	dash.GET("", adm.Events)
	dash.GET("/webhooks", adm.Webhooks)
	dash.POST("/webhooks", adm.AddWebhook)
	dash.POST("/webhooks/:id/active", adm.SetWebhookActive)
	dash.POST("/webhooks/:id/delete", adm.RemoveWebhook)
	dash.GET("/events/new", adm.NewEvent)
	dash.POST("/events", adm.CreateEvent)
	dash.GET("/events/:slug", adm.Allow(domain.PermReadRegistrations), adm.Event)
	dash.GET("/events/:slug/edit", adm.Allow(domain.PermEditEvent), adm.EditEvent)
	dash.POST("/events/:slug/edit", adm.Allow(domain.PermEditEvent), adm.UpdateEvent)
	dash.POST("/events/:slug/publish", adm.Allow(domain.PermEditEvent), adm.Publish)
	dash.GET("/events/:slug/export", adm.Allow(domain.PermExport), adm.Export)
	dash.POST("/events/:slug/registrations/:id/cancel", adm.Allow(domain.PermChangeRegistrations), adm.Cancel)
	dash.POST("/events/:slug/registrations/:id/promote", adm.Allow(domain.PermChangeRegistrations), adm.Promote)
	dash.POST("/events/:slug/registrations/decide", adm.Allow(domain.PermChangeRegistrations), adm.Decide)
	dash.POST("/events/:slug/emails/:id/retry", adm.Allow(domain.PermChangeRegistrations), adm.RetryEmail)
	dash.GET("/events/:slug/questions", adm.Allow(domain.PermEditEvent), adm.Questions)
	dash.POST("/events/:slug/questions", adm.Allow(domain.PermEditEvent), adm.SaveQuestions)
	dash.GET("/events/:slug/checkin", adm.Allow(domain.PermCheckIn), adm.Door)
	dash.POST("/events/:slug/checkin", adm.Allow(domain.PermCheckIn), adm.CheckIn)
	dash.GET("/events/:slug/team", adm.Allow(domain.PermReadTeam), adm.Team)
	dash.POST("/events/:slug/team", adm.Allow(domain.PermManageTeam), adm.AddMember)
	dash.POST("/events/:slug/team/remove", adm.Allow(domain.PermManageTeam), adm.RemoveMember)
	dash.GET("/events/:slug/audit", adm.Allow(domain.PermReadAudit), adm.Audit)
	dash.GET("/events/:slug/invitations", adm.Allow(domain.PermReadRegistrations), adm.Invitations)
	dash.POST("/events/:slug/invitations/preview", core.ImportBodyLimit, adm.Allow(domain.PermChangeRegistrations), adm.PreviewInvitations)
	dash.POST("/events/:slug/invitations/import", core.ImportBodyLimit, adm.Allow(domain.PermChangeRegistrations), adm.ImportInvitations)
	dash.POST("/events/:slug/invitations/:id/withdraw", adm.Allow(domain.PermChangeRegistrations), adm.WithdrawInvitation)
	dash.POST("/events/:slug/invitations/:id/resend", adm.Allow(domain.PermChangeRegistrations), adm.ResendInvitation)
	dash.POST("/events/:slug/invitations/focal-points", adm.Allow(domain.PermChangeRegistrations), adm.SetFocalPoint)
	dash.GET("/events/:slug/documents/sign-in-sheet.pdf", adm.Allow(domain.PermExport), adm.SignInSheet)
	dash.GET("/events/:slug/documents/badges.pdf", adm.Allow(domain.PermExport), adm.Badges)
	dash.GET("/events/:slug/documents/certificates.zip", adm.Allow(domain.PermExport), adm.Certificates)
	dash.GET("/events/:slug/documents/attendance-report.pdf", adm.Allow(domain.PermExport), adm.AttendanceReportPDF)
	dash.GET("/events/:slug/documents/attendance-report.xlsx", adm.Allow(domain.PermExport), adm.AttendanceReportXLSX)
	dash.GET("/events/:slug/documents/visa-letters.zip", adm.Allow(domain.PermExport), adm.VisaLetters)
	dash.GET("/events/:slug/registrations/:id/visa-letter.pdf", adm.Allow(domain.PermExport), adm.VisaLetter)
	dash.POST("/events/:slug/certificate", adm.Allow(domain.PermEditEvent), adm.SaveCertificate)
	dash.GET("/events/:slug/messages", adm.Allow(domain.PermChangeRegistrations), adm.Messages)
	dash.POST("/events/:slug/messages", adm.Allow(domain.PermChangeRegistrations), adm.ComposeMessage)
	dash.GET("/events/:slug/messages/:id", adm.Allow(domain.PermChangeRegistrations), adm.ShowMessage)
	dash.POST("/events/:slug/messages/:id/send", adm.Allow(domain.PermChangeRegistrations), adm.SendMessage)
	dash.POST("/events/:slug/messages/:id/test", adm.Allow(domain.PermChangeRegistrations), adm.TestMessage)
	dash.POST("/events/:slug/messages/:id/retry-failed", adm.Allow(domain.PermChangeRegistrations), adm.RetryFailedMessage)
	dash.POST("/events/:slug/messages/:id/cancel", adm.Allow(domain.PermChangeRegistrations), adm.CancelMessage)
}

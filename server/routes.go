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
	r.Use(httpcore.RequestIDs(), core.Logging(), core.Recovery(), core.Limits())
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

	org := v1.Group("", a.RequireOrganizer())
	org.POST("/events", a.CreateEvent)
	org.PATCH("/events/:slug", a.UpdateEvent)
	org.GET("/events/:slug/registrations", a.ListRegistrations)
	org.GET("/events/:slug/registrations/:id", a.GetRegistration)
	org.POST("/events/:slug/registrations/:id/cancel", a.CancelRegistration)
	org.POST("/events/:slug/registrations/:id/promote", a.PromoteRegistration)
	org.DELETE("/events/:slug/registrations/:id", a.EraseRegistration)
	org.GET("/events/:slug/emails", a.ListEmails)
	org.POST("/events/:slug/emails/:id/retry", a.RetryEmail)
	org.GET("/me", a.Me)

	// Attendance, statistics and exports
	org.POST("/events/:slug/checkins", a.CreateCheckin)
	org.DELETE("/events/:slug/checkins/:registration_id/:day", a.DeleteCheckin)
	org.GET("/events/:slug/stats", a.EventStats)
	org.GET("/events/:slug/registrations/export", a.ExportRegistrations)

	// The papers a workshop runs on (issue 19)
	org.GET("/events/:slug/documents/sign-in-sheet.pdf", a.SignInSheet)
	org.GET("/events/:slug/documents/badges.pdf", a.Badges)
	org.GET("/events/:slug/documents/certificates.zip", a.Certificates)
	org.GET("/events/:slug/documents/certificates/:file", a.Certificate)
	org.GET("/events/:slug/documents/attendance-report.pdf", a.AttendanceReportPDF)
	org.GET("/events/:slug/documents/attendance-report.xlsx", a.AttendanceReportXLSX)

	// The public pages (package web). The registration form shares the
	// API's rate limit; every POST is behind cross-origin protection.
	r.GET("/", w.Index)
	r.GET("/static/style.css", core.Stylesheet)
	r.GET("/static/door.js", core.Script("door.js"))
	r.GET("/static/vendor/jsqr/jsQR.js", core.Script("vendor/jsqr/jsQR.js"))
	r.GET("/privacy", w.Privacy)
	r.GET("/events/:slug", w.Event)
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

	// The organizers' dashboard (package admin): signed in with a password
	// and a session cookie; every change is a POST behind cross-origin
	// protection, answered with a redirect (303) back to a page.
	r.GET("/admin/login", adm.LoginPage)
	r.POST("/admin/login", adm.Login)
	r.POST("/admin/logout", adm.Logout)
	dash := r.Group("/admin", adm.RequireSession())
	dash.GET("", adm.Events)
	dash.GET("/events/:slug", adm.Event)
	dash.GET("/events/:slug/export", adm.Export)
	dash.POST("/events/:slug/registrations/:id/cancel", adm.Cancel)
	dash.POST("/events/:slug/registrations/:id/promote", adm.Promote)
	dash.POST("/events/:slug/emails/:id/retry", adm.RetryEmail)
	dash.GET("/events/:slug/questions", adm.Questions)
	dash.POST("/events/:slug/questions", adm.SaveQuestions)
	dash.GET("/events/:slug/checkin", adm.Door)
	dash.POST("/events/:slug/checkin", adm.CheckIn)
	dash.GET("/events/:slug/documents/sign-in-sheet.pdf", adm.SignInSheet)
	dash.GET("/events/:slug/documents/badges.pdf", adm.Badges)
	dash.GET("/events/:slug/documents/certificates.zip", adm.Certificates)
	dash.GET("/events/:slug/documents/attendance-report.pdf", adm.AttendanceReportPDF)
	dash.GET("/events/:slug/documents/attendance-report.xlsx", adm.AttendanceReportXLSX)
	dash.POST("/events/:slug/certificate", adm.SaveCertificate)
}

package api

import (
	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// The papers a workshop runs on (sign-in sheets, badges, certificates, the
// attendance report), for the organizers of the event; httpcore draws and
// sends them.

// managed finds the event of the path the organizer manages, answering
// the request itself when there is none.
func (s *API) managed(c *gin.Context) (*domain.Event, bool) {
	ev, err := s.Store.ManagedEvent(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return nil, false
	}
	return ev, true
}

// SignInSheet downloads a day's sign-in sheet (PDF).
func (s *API) SignInSheet(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.SignInSheet(c, ev)
	}
}

// Badges downloads badges (PDF) for everyone confirmed or the ?id= chosen.
func (s *API) Badges(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.Badges(c, ev)
	}
}

// Certificates downloads every certificate earned, as one ZIP.
func (s *API) Certificates(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.Certificates(c, ev)
	}
}

// Certificate downloads one person's certificate (PDF).
func (s *API) Certificate(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.Certificate(c, ev, c.Param("file"))
	}
}

// AttendanceReportPDF downloads the attendance report (PDF).
func (s *API) AttendanceReportPDF(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.AttendanceReport(c, ev, false)
	}
}

// AttendanceReportXLSX downloads the attendance report (Excel workbook).
func (s *API) AttendanceReportXLSX(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.AttendanceReport(c, ev, true)
	}
}

// VisaLetter downloads one participant's visa invitation letter.
func (s *API) VisaLetter(c *gin.Context) {
	pp := params(c)
	id := pp.uuid("id")
	if !pp.ok(s) {
		return
	}
	if ev, ok := s.managed(c); ok {
		s.Core.VisaLetter(c, ev, id)
	}
}

// VisaLetters downloads every visa invitation letter as a ZIP.
func (s *API) VisaLetters(c *gin.Context) {
	if ev, ok := s.managed(c); ok {
		s.Core.VisaLetters(c, ev)
	}
}

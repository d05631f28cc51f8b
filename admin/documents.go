package admin

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// documentsView is the event page's "Documents" section: the papers to
// download, and the certificate settings' form.
type documentsView struct {
	SignIn       []docLink // one sign-in sheet per event day
	Badges       string
	Certificates string // empty while the event offers no certificates
	VisaLetters  string // empty while the event offers no visa letters
	ReportPDF    string
	ReportXLSX   string
	Certificate  certificateForm
}

type docLink struct{ Label, Href string }

// certificateForm shows the stored settings (or the defaults of a first
// setting: every day, hours by the schedule).
type certificateForm struct {
	Action                        string
	EveryDay                      bool
	MinDays, Hours                int
	SignatoryName, SignatoryTitle string
}

// documentsOf builds the section for ev; the papers speak lang, the
// dashboard's language.
func (s *Admin) documentsOf(ctx context.Context, ev *domain.Event, l *i18n.Localizer) (documentsView, error) {
	base := eventAdminPath(ev.Slug) + "/documents/"
	q := "?" + url.Values{"lang": {l.Lang()}}.Encode()
	v := documentsView{Badges: base + "badges.pdf" + q, ReportPDF: base + "attendance-report.pdf" + q,
		ReportXLSX:  base + "attendance-report.xlsx" + q,
		Certificate: certificateForm{Action: eventAdminPath(ev.Slug) + "/certificate", EveryDay: true, MinDays: 1}}
	if ev.VisaLetters != nil {
		v.VisaLetters = base + "visa-letters.zip"
	}
	for _, d := range ev.Days() {
		v.SignIn = append(v.SignIn, docLink{
			Label: l.T("admin.docs.sign_in", map[string]any{"Date": i18n.FormatDate(l.Lang(), d.Time())}),
			Href:  base + "sign-in-sheet.pdf?" + url.Values{"day": {d.String()}, "lang": {l.Lang()}}.Encode()})
	}
	cs, ok, err := s.Store.CertificateSettings(ctx, ev.ID)
	if err != nil || !ok {
		return v, err
	}
	v.Certificates = base + "certificates.zip"
	v.Certificate.EveryDay = cs.Rule.Kind == domain.RuleEveryDay
	v.Certificate.MinDays = max(cs.Rule.MinDays, 1)
	v.Certificate.Hours = cs.Hours
	v.Certificate.SignatoryName, v.Certificate.SignatoryTitle = cs.SignatoryName, cs.SignatoryTitle
	return v, nil
}

// The papers, as the JSON API serves them (httpcore), for the signed-in
// organizer of the event.

// SignInSheet downloads a day's sign-in sheet.
func (s *Admin) SignInSheet(c *gin.Context) { s.paper(c, s.Core.SignInSheet) }

// Badges downloads the badges.
func (s *Admin) Badges(c *gin.Context) { s.paper(c, s.Core.Badges) }

// Certificates downloads every certificate earned, as one ZIP.
func (s *Admin) Certificates(c *gin.Context) { s.paper(c, s.Core.Certificates) }

// AttendanceReportPDF downloads the attendance report as PDF.
func (s *Admin) AttendanceReportPDF(c *gin.Context) {
	s.paper(c, func(c *gin.Context, ev *domain.Event) { s.AttendanceReport(c, ev, false) })
}

// AttendanceReportXLSX downloads the attendance report as a workbook.
func (s *Admin) AttendanceReportXLSX(c *gin.Context) {
	s.paper(c, func(c *gin.Context, ev *domain.Event) { s.AttendanceReport(c, ev, true) })
}

func (s *Admin) paper(c *gin.Context, send func(*gin.Context, *domain.Event)) {
	ev, ok := s.managedEvent(c, s.BrowserLang(c.Writer, c.Request))
	if ok {
		send(c, ev)
	}
}

// SaveCertificate stores the certificate settings from the event page's
// form, and goes back to it saying whether they were saved.
func (s *Admin) SaveCertificate(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	number := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(name)))
		if err != nil {
			return -1 // refused by the rules' minimum
		}
		return n
	}
	in := domain.CertificateSettingsInput{Rule: domain.CertificateRuleKind(c.PostForm("rule")),
		Hours: number("hours"), SignatoryName: c.PostForm("signatory_name"), SignatoryTitle: c.PostForm("signatory_title")}
	if in.Rule == domain.RuleMinDays {
		in.MinDays = number("min_days")
	}
	cs, err := s.Rules.CertificateSettings(in, ev)
	if err != nil {
		s.backToList(c, "error", "certificate", "documents")
		return
	}
	if err := s.Store.SetCertificateSettings(c.Request.Context(), ev.ID, cs); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.backToList(c, "done", "certificate", "documents")
}

// VisaLetters downloads every visa invitation letter as a ZIP.
func (s *Admin) VisaLetters(c *gin.Context) { s.paper(c, s.Core.VisaLetters) }

// VisaLetter downloads one participant's visa invitation letter.
func (s *Admin) VisaLetter(c *gin.Context) {
	s.paper(c, func(c *gin.Context, ev *domain.Event) { s.Core.VisaLetter(c, ev, c.Param("id")) })
}

package admin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// The invitations page of an event (issue 17): import invitees from a file
// (a preview first, then the import), the invitations with their state,
// and the nominations by country: focal points' quotas and each
// delegation's counts.

// invitationsPage is what the page shows.
type invitationsPage struct {
	Admin     adminBar
	Notice    *notice
	Event     httpcore.EventInfo
	Back      string
	CanManage bool
	// The upload form, the preview of a file and the form that imports it
	// (Rows: the previewed rows as CSV, sent back in a hidden field).
	PreviewAction, ImportAction string
	Preview                     []previewRow
	PreviewInvites              int
	Rows                        string
	Upload                      *form
	// The invitations: a page of the list, its filters, the counts of
	// each state, and the links to the pages around it.
	Invitees     []inviteeRow
	List         inviteeList
	Delegations  []delegationRow
	SentNoOne    string
	FocalAction  string
	Focal        *form
	Delegation   []httpcore.Option
	Languages    []httpcore.Option
	InvitationOn bool
}

type previewRow struct {
	Row                   int
	Email, Name, Outcome  string
	OutcomeClass          string
	Problems              []string
	Delegation, Languages string
}

type inviteeRow struct {
	Name, Email, Delegation, State, StateClass string
	// The actions on it (empty when it has none).
	WithdrawAction, ResendAction string
}

type delegationRow struct {
	Delegation, FocalPoint                              string
	Quota                                               string
	Nominated, Invited, Registered, Confirmed, Attended int
}

var inviteeStateClass = map[domain.InviteeState]string{
	domain.InviteeQueued: "muted", domain.InviteeSent: "info", domain.InviteeOpened: "warn",
	domain.InviteeRegistered: "ok", domain.InviteeDeclined: "muted", domain.InviteeWithdrawn: "muted",
}

var outcomeClass = map[string]string{
	domain.OutcomeInvite: "ok", domain.OutcomeExists: "muted", domain.OutcomeInvalid: "warn", domain.OutcomeDuplicate: "info",
}

// Invitations shows the event's invitations page.
func (s *Admin) Invitations(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	s.renderInvitations(c, http.StatusOK, ev, lang, nil, nil)
}

// newInvitationsPage gathers the page's lists; preview, when given, is a
// file's preview to show.
func (s *Admin) renderInvitations(c *gin.Context, status int, ev *domain.Event, lang string, preview *httpcore.ImportResult, fields []domain.FieldError) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.invitees.title")
	self := eventAdminPath(ev.Slug) + "/invitations"
	p := invitationsPage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, v.L),
		Back: eventAdminPath(ev.Slug), CanManage: can(c, domain.PermChangeRegistrations),
		PreviewAction: self + "/preview", ImportAction: self + "/import", FocalAction: self + "/focal-points",
		InvitationOn: ev.InvitationOnly}
	if n, err := strconv.Atoi(c.Query("count")); err == nil && c.Query("done") == "invited" {
		p.Notice = &notice{Text: v.T("admin.invitees.imported", "Count", n), Class: "ok"}
	}
	if c.Query("done") == "focal" {
		p.Notice = &notice{Text: v.T("admin.nominations.saved"), Class: "ok"}
	}
	if n := inviteeNotice(c, v); n != nil {
		p.Notice = n
	}
	counts, err := s.Store.DelegationCounts(c.Request.Context(), ev.ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if !s.inviteeList(c, ev, v, &p, counts) {
		return
	}
	var none []string
	for _, d := range counts {
		row := delegationRow{Delegation: delegationName(v.L, d.Delegation), Nominated: d.Nominated, Invited: d.Invited,
			Registered: d.Registered, Confirmed: d.Confirmed, Attended: d.Attended, Quota: "—"}
		if d.Quota != nil {
			row.Quota = strconv.Itoa(*d.Quota)
		}
		if d.FocalPoint != nil {
			row.FocalPoint = *d.FocalPoint
		}
		p.Delegations = append(p.Delegations, row)
		if d.Registered == 0 {
			none = append(none, row.Delegation)
		}
	}
	if len(none) > 0 {
		p.SentNoOne = v.T("admin.nominations.none_sent", "List", strings.Join(none, ", "))
	}
	if preview != nil {
		p.Rows = rowsCSV(preview.Results)
		p.PreviewInvites = preview.Invited
		for _, r := range preview.Results {
			row := previewRow{Row: r.Row, Email: r.Input.Email, Name: strings.TrimSpace(r.Input.FirstName + " " + r.Input.LastName),
				Outcome: v.T("admin.invitees.outcome." + r.Outcome), OutcomeClass: outcomeClass[r.Outcome],
				Delegation: delegationName(v.L, r.Input.Delegation)}
			for _, fe := range r.Problems {
				row.Problems = append(row.Problems, v.L.FieldLabel(fe.Field)+": "+v.L.FieldError(fe))
			}
			p.Preview = append(p.Preview, row)
		}
	}
	if p.CanManage {
		values := url.Values{}
		if c.Request.Method == http.MethodPost && c.Request.PostForm != nil {
			values = c.Request.PostForm
		}
		p.Upload = newForm(v.L, values, fieldsOf(fields, "file", "body", "invitees"), []string{"file"})
		p.Focal = newForm(v.L, values, fieldsOf(fields, "delegation", "email", "quota", "language"), []string{"delegation", "email", "quota", "language"})
		chosen := values.Get("delegation")
		// No delegation is chosen for the organizer: the first of the list
		// (Afghanistan) would otherwise be sent by a careless click.
		p.Delegation = append(p.Delegation, httpcore.Option{Value: "", Label: v.T("admin.nominations.choose"), Selected: chosen == ""})
		for _, code := range s.delegationCodes(lang) {
			p.Delegation = append(p.Delegation, httpcore.Option{Value: code.Value, Label: code.Label, Selected: code.Value == chosen})
		}
		if values.Get("language") == "" {
			values.Set("language", lang)
		}
		for _, code := range i18n.Supported {
			p.Languages = append(p.Languages, httpcore.Option{Value: code, Label: v.L.LanguageName(code), Selected: values.Get("language") == code})
		}
	}
	v.Error = len(fields) > 0
	v.Page = p
	s.pages.Render(c, status, "admin_invitations", v)
}

// fieldsOf keeps the errors of the named fields, so that each form of the
// page shows only its own.
func fieldsOf(fields []domain.FieldError, names ...string) []domain.FieldError {
	var out []domain.FieldError
	for _, f := range fields {
		for _, n := range names {
			if formName(f.Field) == n {
				out = append(out, f)
			}
		}
	}
	return out
}

// delegationName is a delegation's name for the dashboard, "" for none.
func delegationName(l *i18n.Localizer, code string) string {
	if code == "" {
		return ""
	}
	return l.Delegation(code)
}

// delegationCodes are the delegations a focal point may be given: the
// countries and the organizations, by name.
func (s *Admin) delegationCodes(lang string) []httpcore.Option {
	var out []httpcore.Option
	for _, c := range s.I18n.Countries(lang) {
		out = append(out, httpcore.Option{Value: c.Code, Label: c.Name})
	}
	l := s.I18n.Localizer(lang)
	for _, o := range s.Rules.Delegations().Organizations() {
		out = append(out, httpcore.Option{Value: o.Code, Label: l.Delegation(o.Code)})
	}
	return out
}

// rowsCSV writes previewed rows back as CSV, for the import form's hidden
// field: the import reads exactly what the preview showed.
func rowsCSV(checks []domain.InviteeCheck) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"email", "first_name", "last_name", "delegation", "organization", "position", "language"}) // writes to memory
	for _, c := range checks {
		in := c.Input
		_ = w.Write([]string{in.Email, in.FirstName, in.LastName, in.Delegation, in.Organization, in.Position, in.Language})
	}
	w.Flush()
	return buf.String()
}

// PreviewInvitations reads an uploaded file and shows what importing it
// would do, row by row, with the button that imports it.
func (s *Admin) PreviewInvitations(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.parseUpload(c, ev, lang) {
		return
	}
	data, fields := uploadedFile(c)
	if fields != nil {
		s.renderInvitations(c, http.StatusUnprocessableEntity, ev, lang, nil, fields)
		return
	}
	s.importRows(c, ev, lang, data, true)
}

// ImportInvitations imports the rows a preview showed and goes back to the
// page, which says how many were invited.
func (s *Admin) ImportInvitations(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.parseUpload(c, ev, lang) {
		return
	}
	s.importRows(c, ev, lang, []byte(c.Request.PostForm.Get("rows")), false)
}

func (s *Admin) importRows(c *gin.Context, ev *domain.Event, lang string, data []byte, dryRun bool) {
	rows, err := s.InviteesFromFile(data, "file")
	if err == nil {
		var res httpcore.ImportResult
		res, err = s.ImportInvitees(c.Request.Context(), httpcore.Organizer(c).ID, ev, rows, dryRun)
		if err == nil && dryRun {
			s.renderInvitations(c, http.StatusOK, ev, lang, &res, nil)
			return
		}
		if err == nil {
			c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/invitations?done=invited&count="+strconv.Itoa(res.Invited))
			return
		}
	}
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		for i := range e.Fields {
			e.Fields[i].Field = "file"
		}
		s.renderInvitations(c, http.StatusUnprocessableEntity, ev, lang, nil, e.Fields)
		return
	}
	s.PageError(c, lang, err, "not_found")
}

// parseUpload reads the form of an upload or an import. A body over
// INVITEE_IMPORT_MAX_BYTES is the file field's error, shown beside it with
// the limit (413), where the organizer chooses another file.
func (s *Admin) parseUpload(c *gin.Context, ev *domain.Event, lang string) bool {
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		err = c.Request.ParseMultipartForm(s.Config.MaxBodyBytes)
	} else {
		err = c.Request.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.renderInvitations(c, http.StatusRequestEntityTooLarge, ev, lang, nil,
			[]domain.FieldError{domain.NewFieldError("file", "file_size", strconv.FormatInt(tooBig.Limit/1024, 10))})
		return false
	}
	if err != nil {
		s.Message(c, http.StatusBadRequest, lang, "bad_request")
		return false
	}
	return true
}

// uploadedFile reads the form's file; a missing one is a field error.
func uploadedFile(c *gin.Context) ([]byte, []domain.FieldError) {
	f, _, err := c.Request.FormFile("file")
	if err != nil {
		return nil, []domain.FieldError{domain.NewFieldError("file", "required", "")}
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, []domain.FieldError{domain.NewFieldError("file", "required", "")}
	}
	return data, nil
}

// SetFocalPoint takes the form that gives a focal point a quota.
func (s *Admin) SetFocalPoint(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	quota, err := strconv.Atoi(strings.TrimSpace(form.Get("quota")))
	if err != nil {
		s.renderInvitations(c, http.StatusUnprocessableEntity, ev, lang, nil,
			[]domain.FieldError{domain.NewFieldError("quota", "type", "integer")})
		return
	}
	in, err := s.Rules.CheckFocalPoint(ev, domain.FocalPointInput{Delegation: form.Get("delegation"),
		Email: form.Get("email"), Language: form.Get("language"), Quota: quota})
	if err == nil {
		_, err = s.Store.SetFocalPoint(c.Request.Context(), httpcore.Organizer(c).ID, ev, in)
	}
	if e, ok := domain.AsError(err); ok && len(e.Fields) > 0 {
		s.renderInvitations(c, http.StatusUnprocessableEntity, ev, lang, nil, e.Fields)
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/invitations?done=focal")
}

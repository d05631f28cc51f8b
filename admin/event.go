package admin

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// adminPageSize is the length of a page of the dashboard's registration list.
const adminPageSize = 50

// adminFailedEmails bounds the failed emails the event page lists.
const adminFailedEmails = 50

// adminEventPage is an event's dashboard page.
type adminEventPage struct {
	Admin      adminBar
	Notice     *notice
	Event      httpcore.EventInfo
	Published  bool
	Seats      string
	DoorHref   string
	PublicHref string
	Stats      statsTable
	Roles      roleTable
	Chart      *barChart // nil without registrations
	Answers    []answerTable
	Filter     filterView
	Rows       []adminRegRow
	NextHref   string
	FirstHref  string
	ExportCSV  string
	ExportXLSX string
	Emails     []adminEmailRow
	Documents  documentsView
	// What the member's role may do with the event itself; empty links
	// are not offered.
	State                             string // domain.EventState's message id
	StateClass                        string
	EditHref, DuplicateHref, TeamHref string
	InvitationsHref                   string
	MessagesHref                      string
	AuditHref, PublishAction          string
	// QuestionsHref leads to the editor of the event's questions.
	QuestionsHref string
	// DecideAction takes the list's ticked applications to approve or
	// reject (approval.go), or one row's; empty when no row can be decided.
	DecideAction string
	// ShowAnswers shows the list's column of answers: the event asks
	// questions.
	ShowAnswers bool
}

// filterView is the registration list's filter form.
type filterView struct {
	Status, Country, Q string
	Statuses           []httpcore.Option
	Countries          []httpcore.Option
	Delegations        []httpcore.Option
	// Questions are a select per question answered by choosing.
	Questions []answerFilter
	Active    bool
	// Keep are hidden fields that bring an action's redirect back to this
	// view of the list.
	Keep []hiddenField
}

type hiddenField struct{ Name, Value string }

// answerFilter is the list filter on one question's answers.
type answerFilter struct {
	ID, Label string
	Options   []httpcore.Option // values "key:value"
}

// adminRegRow is one registration in the list.
type adminRegRow struct {
	ID, Name, Email, Organization, Country string
	LatinName, Edited                      string   // the passport name when given; when the participant last changed it
	Answers                                []string // "Question: answer", a line per answered question
	Erased                                 bool     // Name says so; there is no Email
	Status, StatusClass, Registered        string
	CheckedIn                              []string // "30 May 08:41", a line per day
	CancelAction, PromoteAction            string   // empty when the action does not apply
	Decidable                              bool     // may be ticked to approve or reject
	// Visa is the passport of a participant who asked for a visa letter,
	// masked ("Passport ••••4567, Uzbekistan"); VisaLetter downloads the
	// letter once the registration is confirmed.
	Visa, VisaLetter string
}

// adminEmailRow is one failed email.
type adminEmailRow struct {
	Recipient, Name, Kind, Created, LastError, RetryAction string
	Attempts                                               int
}

// listQuery are the query parameters that choose a view of the list.
var listQuery = []string{"status", "country", "delegation", "answer", "q", "cursor"}

// Event shows an event's numbers, registrations and failed emails.
func (s *Admin) Event(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	v := s.NewView(c.Request, lang, "")
	v.Title = ev.In(lang).Title
	self := eventAdminPath(ev.Slug)
	p := adminEventPage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, v.L),
		Published: ev.Published, Seats: strconv.Itoa(ev.SeatsHeld), DoorHref: self + "/checkin"}
	if ev.Capacity != nil {
		p.Seats = v.T("admin.event.seats_of", "Count", ev.SeatsHeld, "Param", *ev.Capacity)
	}
	if ev.Published {
		p.PublicHref = "/events/" + url.PathEscape(ev.Slug)
	}
	p.ShowAnswers = len(ev.Questions) > 0
	state := ev.State(s.Now())
	p.State, p.StateClass = "admin.state."+string(state), stateClasses[state]
	if can(c, domain.PermEditEvent) {
		p.EditHref, p.PublishAction, p.QuestionsHref = self+"/edit", self+"/publish", self+"/questions"
		p.DuplicateHref = "/admin/events/new?" + url.Values{"from": {ev.Slug}}.Encode()
	}
	if can(c, domain.PermReadTeam) {
		p.TeamHref = self + "/team"
	}
	if can(c, domain.PermReadRegistrations) {
		p.InvitationsHref = self + "/invitations"
	}
	if can(c, domain.PermChangeRegistrations) {
		p.MessagesHref = self + "/messages"
	}
	if can(c, domain.PermReadAudit) {
		p.AuditHref = self + "/audit"
	}

	st, err := s.Store.EventStats(ctx, ev)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	p.Stats = s.statsTable(ev, st, v.L)
	p.Roles = newRoleTable(st, v.L)
	p.Chart = newBarChart(st, v.L)
	p.Answers = newAnswerTables(ev, st, v.L)

	f, err := s.ListFilter(c, ev)
	if err != nil {
		f = store.RegistrationFilter{}
		p.Notice = &notice{Text: v.T("admin.error.filter"), Class: "error"}
	}
	f.Limit = adminPageSize
	p.Filter = s.filterView(ev, f, st, v.L)
	page, err := s.Store.Registrations(ctx, ev.ID, f)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	ids := make([]string, len(page.Registrations))
	for i, reg := range page.Registrations {
		ids[i] = reg.ID
	}
	checkins, err := s.Store.CheckinsOf(ctx, ev, ids)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	visas, err := s.visasOf(ctx, ev, ids)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, reg := range page.Registrations {
		row := adminRegRowOf(self, reg, checkins[reg.ID], ev, v.L)
		visaRow(&row, self, reg, visas[reg.ID], v.L)
		if row.Decidable {
			p.DecideAction = self + "/registrations/decide"
		}
		p.Rows = append(p.Rows, row)
	}
	q := filterQuery(f)
	if page.NextCursor != "" {
		next := cloneValues(q)
		next.Set("cursor", page.NextCursor)
		p.NextHref = self + "?" + next.Encode() + "#registrations"
	}
	if f.Cursor != "" {
		p.FirstHref = self + withQuery(q) + "#registrations"
	}
	exp := cloneValues(q)
	exp.Set("lang", lang) // the file speaks the dashboard's language
	exp.Set("format", "csv")
	p.ExportCSV = self + "/export?" + exp.Encode()
	exp.Set("format", "xlsx")
	p.ExportXLSX = self + "/export?" + exp.Encode()

	emails, err := s.Store.EventEmails(ctx, ev.ID, string(domain.EmailFailed), adminFailedEmails)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, e := range emails {
		d, t, _ := httpcore.LocalTime(lang, ev, e.CreatedAt)
		row := adminEmailRow{Recipient: e.Recipient, Name: e.RecipientName, Kind: v.T("admin.email_kind." + string(e.Kind)),
			Created: d + " " + t, Attempts: e.Attempts, RetryAction: self + "/emails/" + strconv.FormatInt(e.ID, 10) + "/retry"}
		if e.LastError != nil {
			row.LastError = *e.LastError
		}
		p.Emails = append(p.Emails, row)
	}
	if p.Documents, err = s.documentsOf(ctx, ev, v.L); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "admin_event", v)
}

// filterView builds the filter form. The country and delegation lists
// hold those people registered from and for, in the page language's
// order; a select per question answered by choosing offers its options.
func (s *Admin) filterView(ev *domain.Event, f store.RegistrationFilter, st *store.Stats, l *i18n.Localizer) filterView {
	fv := filterView{Status: f.Status, Country: f.Country, Q: f.Query,
		Active: f.Status != "" || f.Country != "" || f.Query != "" || f.Delegation != "" || len(f.Answers) > 0}
	delegations := map[string]bool{f.Delegation: f.Delegation != ""}
	for _, ds := range st.ByDelegation {
		delegations[ds.Delegation] = true
	}
	for _, o := range l.Organizations() {
		if delegations[o.Code] {
			fv.Delegations = append(fv.Delegations, httpcore.Option{Value: o.Code, Label: l.Delegation(o.Code), Selected: o.Code == f.Delegation})
		}
	}
	for _, c := range s.I18n.Countries(l.Lang()) {
		if delegations[c.Code] {
			fv.Delegations = append(fv.Delegations, httpcore.Option{Value: c.Code, Label: c.Name, Selected: c.Code == f.Delegation})
		}
	}
	for _, q := range ev.Questions.Asked() {
		if !q.Type.Counted() {
			continue
		}
		af := answerFilter{ID: "filter-answer-" + q.Key, Label: l.Text(q.Label, ev.Languages)}
		chosen, filtered := f.Answers[q.Key]
		choices := q.Offered()
		if q.Type == domain.QuestionYesNo {
			choices = []domain.Option{{Value: "yes"}, {Value: "no"}}
		}
		for _, o := range choices {
			v, _ := q.FilterValue(o.Value)
			var shown any = o.Value
			if q.Type == domain.QuestionYesNo {
				shown = o.Value == "yes"
			}
			af.Options = append(af.Options, httpcore.Option{Value: q.Key + ":" + o.Value, Label: l.Answer(q, shown, ev.Languages),
				Selected: filtered && v == chosen})
		}
		fv.Questions = append(fv.Questions, af)
	}
	for _, status := range domain.Statuses {
		label, _ := statusBadge(l, status)
		fv.Statuses = append(fv.Statuses, httpcore.Option{Value: string(status), Label: label, Selected: string(status) == f.Status})
	}
	present := map[string]bool{f.Country: f.Country != ""}
	for _, cs := range st.ByCountry {
		present[cs.Country] = true
	}
	for _, c := range s.I18n.Countries(l.Lang()) {
		if present[c.Code] {
			fv.Countries = append(fv.Countries, httpcore.Option{Value: c.Code, Label: c.Name, Selected: c.Code == f.Country})
		}
	}
	q := filterQuery(f)
	for _, k := range listQuery {
		for _, val := range q[k] {
			fv.Keep = append(fv.Keep, hiddenField{Name: k, Value: val})
		}
	}
	return fv
}

// filterQuery is the query string of a view of the list.
func filterQuery(f store.RegistrationFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "country": f.Country, "delegation": f.Delegation, "q": f.Query, "cursor": f.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	keys := make([]string, 0, len(f.Answers))
	for k := range f.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		value := f.Answers[k]
		if b, ok := value.(bool); ok {
			value = map[bool]string{true: "yes", false: "no"}[b]
		}
		q.Add("answer", k+":"+value.(string))
	}
	return q
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func withQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func adminRegRowOf(self string, reg *domain.Registration, checkins []store.DayCheckin, ev *domain.Event, l *i18n.Localizer) adminRegRow {
	d, t, _ := httpcore.LocalTime(l.Lang(), ev, reg.CreatedAt)
	row := adminRegRow{ID: reg.ID, Name: personName(reg, l), Email: reg.Email, Erased: store.Erased(reg),
		Organization: reg.Organization, Country: l.Delegation(reg.Delegation), Registered: d + " " + t}
	if reg.Delegation != reg.Country { // the country the person comes from, beside whom they represent
		row.Country += " (" + l.Country(reg.Country) + ")"
	}
	if first, last := reg.PassportName(); first != reg.FirstName || last != reg.LastName {
		row.LatinName = strings.TrimSpace(first + " " + last)
	}
	if reg.EditedAt != nil {
		ed, et, _ := httpcore.LocalTime(l.Lang(), ev, *reg.EditedAt)
		row.Edited = l.T("admin.list.edited", map[string]any{"Date": ed + " " + et})
	}
	for _, q := range ev.Questions {
		if a, ok := reg.Answers[q.Key]; ok {
			row.Answers = append(row.Answers, l.Text(q.Label, ev.Languages)+": "+l.Answer(q, a, ev.Languages))
		}
	}
	if row.Erased {
		row.Email = ""
	}
	for _, ci := range checkins {
		// The event day checked in for (its year goes without saying), and
		// the clock at the door.
		row.CheckedIn = append(row.CheckedIn,
			i18n.FormatDayMonth(l.Lang(), ci.Day.In(ev.Location()))+" "+ci.At.In(ev.Location()).Format("15:04"))
	}
	row.Status, row.StatusClass = statusBadge(l, reg.Status)
	action := self + "/registrations/" + url.PathEscape(reg.ID)
	if domain.Offers(reg.Status, domain.Cancel, domain.ByOrganizer) {
		row.CancelAction = action + "/cancel"
	}
	if domain.Offers(reg.Status, domain.Promote, domain.ByOrganizer) {
		row.PromoteAction = action + "/promote"
	}
	row.Decidable = domain.Offers(reg.Status, domain.Approve, domain.ByOrganizer) ||
		domain.Offers(reg.Status, domain.Reject, domain.ByOrganizer)
	return row
}

// personName is how the dashboard names a participant: their name, or
// "Erased participant" once erasure has removed it (the address left then
// is a placeholder made of the registration's id, which tells no one
// anything).
func personName(reg *domain.Registration, l *i18n.Localizer) string {
	if store.Erased(reg) {
		return l.T("admin.list.erased", nil)
	}
	return reg.FirstName + " " + reg.LastName
}

// backToList redirects (303) an action to the event page, showing the same
// view of the list the action was taken from, with its outcome.
func (s *Admin) backToList(c *gin.Context, kind, outcome, anchor string) {
	q := url.Values{}
	for _, k := range listQuery {
		for _, v := range c.PostFormArray(k) {
			if v = strings.TrimSpace(v); v != "" {
				q.Add(k, v)
			}
		}
	}
	q.Set(kind, outcome)
	c.Redirect(http.StatusSeeOther, eventAdminPath(c.Param("slug"))+"?"+q.Encode()+"#"+anchor)
}

// Cancel cancels a registration, with an optional note for the
// participant's email; the seat goes to the waiting list.
func (s *Admin) Cancel(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	msg, err := domain.CancelMessage(c.PostForm("message"))
	if err != nil {
		s.backToList(c, "error", "message", "registrations")
		return
	}
	if _, err := s.Store.CancelRegistration(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), c.Param("id"), msg); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.backToList(c, "done", "cancelled", "registrations")
}

// Promote moves a registration from the waiting list to confirmed.
func (s *Admin) Promote(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	_, err := s.Store.PromoteRegistration(c.Request.Context(), httpcore.Organizer(c).ID, c.Param("slug"), c.Param("id"))
	if e, ok := domain.AsError(err); ok && e.Code == domain.EConflict {
		outcome := "not_waitlisted"
		if _, full := e.Extra["capacity"]; full {
			outcome = "full"
		}
		s.backToList(c, "error", outcome, "registrations")
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.backToList(c, "done", "promoted", "registrations")
}

// RetryEmail queues a failed email again.
func (s *Admin) RetryEmail(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, id, ok := s.eventAndID(c, lang, "no such email")
	if !ok {
		return
	}
	_, err := s.Store.RetryEmail(c.Request.Context(), ev.ID, id)
	if domain.ErrorCode(err) == domain.EConflict {
		s.backToList(c, "error", "not_failed", "emails")
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.backToList(c, "done", "retried", "emails")
}

// Export downloads the registrations as CSV or XLSX with the list's
// filters, as the JSON API's export does (httpcore.Core.Download). It
// answers a wrong event or a bad parameter with a page.
func (s *Admin) Export(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	f, format, fileLang, err := s.DownloadQuery(c, ev)
	if err != nil {
		s.Message(c, http.StatusBadRequest, lang, "bad_request")
		return
	}
	s.Download(c, ev, f, format, fileLang)
}

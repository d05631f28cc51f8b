package admin

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// eventFormPage is the form that creates or changes an event.
type eventFormPage struct {
	Admin     adminBar
	Intro     string // what a duplicate is, above the form
	Action    string
	Back      string
	Creating  bool
	Submit    string
	Form      *form
	F         map[string]formField // the fields drawn by the "admin-field" partial, by name
	Languages []checkbox
	Texts     []textColumn
	Timezones []string
	// Visa is whether the event offers visa letters; VisaFields are their
	// settings (eventvisa.go).
	Visa       bool
	VisaFields []formField
}

type checkbox struct {
	ID, Name, Value, Label string
	Checked                bool
}

// textColumn is the event's texts in one language: the main text, or a
// translation, side by side with the others.
type textColumn struct {
	Heading, Lang                                 string // Lang: the language of the text typed, "" for the main text
	Title, Description, Venue, City, CoOrganizers formField
}

// timezones are suggested in the form's time zone box; any IANA zone is
// accepted.
var timezones = []string{"Asia/Tashkent", "Asia/Samarkand", "Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe",
	"Asia/Ashgabat", "Asia/Baku", "Asia/Tbilisi", "Asia/Yerevan", "Europe/Moscow", "Europe/Istanbul",
	"Europe/Tallinn", "Europe/Berlin", "Europe/Paris", "Europe/London", "UTC"}

// eventFields are the form's fields in the order of the page, for the
// error summary's links.
var eventFields = func() []string {
	fields := []string{"slug", "title", "description", "venue", "city", "co_organizers", "country", "languages",
		"timezone", "starts_on", "ends_on", "day_starts_at", "day_ends_at", "capacity", "registration_opens_at",
		"registration_closes_at", "confirm_within_hours", "reminder_days_before", "retention_days"}
	for _, f := range visaFormFields {
		fields = append(fields, f.name)
	}
	for _, lang := range domain.Languages {
		for _, f := range []string{"title", "description", "venue", "city", "co_organizers"} {
			fields = append(fields, "translations."+lang+"."+f)
		}
	}
	return fields
}()

// newEventValues are a new event's defaults: the rules' own, in every
// language attend speaks.
func newEventValues() url.Values {
	return url.Values{"day_starts_at": {"09:00"}, "day_ends_at": {"18:00"}, "confirm_within_hours": {"72"},
		"reminder_days_before": {"1"}, "retention_days": {"365"}, "languages": slices.Clone(domain.Languages)}
}

// NewEvent shows the form for a new event; with ?from=<slug>, of an event
// on the organizer's team they may edit, the form holds a copy of it on
// the same dates of a coming year (domain.Event.Duplicate).
func (s *Admin) NewEvent(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	values, intro := newEventValues(), ""
	if from := c.Query("from"); from != "" {
		src, role, err := s.Store.Membership(c.Request.Context(), httpcore.Organizer(c).ID, from)
		if err == nil && !role.Can(domain.PermEditEvent) {
			err = domain.Forbidden(domain.PermEditEvent)
		}
		if err != nil {
			s.PageError(c, lang, err, "not_found")
			return
		}
		cp, _ := s.Rules.NewEvent(src.Duplicate(s.Now())) // a copy of a valid event is valid; the form shows any doubt
		values = eventValues(cp)
		values.Del("published")
		l := s.I18n.Localizer(lang)
		intro = l.T("admin.form.title_duplicate", map[string]any{"Param": src.In(lang).Title}) + ". " +
			l.T("admin.form.intro_duplicate", nil)
	}
	s.renderEventForm(c, http.StatusOK, nil, lang, values, nil, intro)
}

// EditEvent shows the form with the event's values.
func (s *Admin) EditEvent(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	s.renderEventForm(c, http.StatusOK, ev, lang, eventValues(ev), nil, "")
}

// CreateEvent takes the new-event form. It runs the JSON API's rules; a
// refused form comes back (422, or 409 for a taken address) with what was
// typed and every error, in a summary and next to its field.
func (s *Admin) CreateEvent(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	in, fields := eventInputOf(form, true)
	ev, err := s.Rules.NewEvent(in)
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		fields = append(fields, e.Fields...)
	} else if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if len(fields) > 0 {
		s.renderEventForm(c, http.StatusUnprocessableEntity, nil, lang, form, fields, "")
		return
	}
	if err := s.Store.CreateEvent(c.Request.Context(), httpcore.Organizer(c).ID, ev); err != nil {
		if e, ok := domain.AsError(err); ok && len(e.Fields) > 0 { // the address is taken
			s.renderEventForm(c, http.StatusConflict, nil, lang, form, e.Fields, "")
			return
		}
		s.PageError(c, lang, err, "not_found")
		return
	}
	done := "created"
	if ev.Published {
		done = "created_published"
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"?done="+done)
}

// UpdateEvent takes the edit form. A capacity below the seats held is
// refused with the 409's reason next to the capacity.
func (s *Admin) UpdateEvent(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	in, fields := eventInputOf(form, false)
	if len(fields) > 0 {
		s.renderEventForm(c, http.StatusUnprocessableEntity, ev, lang, form, fields, "")
		return
	}
	_, err := s.Store.UpdateEvent(c.Request.Context(), httpcore.Organizer(c).ID, ev.Slug, func(e *domain.Event) error {
		return s.Rules.ApplyPatch(e, in)
	})
	e, _ := domain.AsError(err)
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"?done=saved")
	case e != nil && e.Code == domain.EInvalid:
		s.renderEventForm(c, http.StatusUnprocessableEntity, ev, lang, form, e.Fields, "")
	case e != nil && e.Code == domain.EConflict && e.Extra["seats_held"] != nil:
		held, _ := e.Extra["seats_held"].(int)
		s.renderEventForm(c, http.StatusConflict, ev, lang, form, []domain.FieldError{{Field: "capacity", Code: "held",
			Param: strconv.Itoa(held), Message: e.Message}}, "")
	default:
		s.PageError(c, lang, err, "not_found")
	}
}

// Publish publishes the event (published=true) or takes it back to a draft.
func (s *Admin) Publish(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	publish := c.PostForm("published") == "true"
	_, err := s.Store.UpdateEvent(c.Request.Context(), httpcore.Organizer(c).ID, ev.Slug, func(e *domain.Event) error {
		return s.Rules.ApplyPatch(e, domain.EventInput{Published: domain.Some(publish)})
	})
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	done := "unpublished"
	if publish {
		done = "published"
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"?done="+done)
}

// renderEventForm draws the form: for a new event when ev is nil, else
// for ev. values are what the fields hold; fields the errors to show.
func (s *Admin) renderEventForm(c *gin.Context, status int, ev *domain.Event, lang string, values url.Values, fields []domain.FieldError, intro string) {
	v := s.NewView(c.Request, lang, "")
	l := v.L
	p := eventFormPage{Admin: adminBarOf(c), Intro: intro, Creating: ev == nil, Timezones: timezones}
	if ev == nil {
		v.Title, p.Action, p.Back, p.Submit = v.T("admin.form.title_new"), "/admin/events", "/admin", v.T("admin.form.create")
	} else {
		self := eventAdminPath(ev.Slug)
		v.Title, p.Action, p.Back, p.Submit = v.T("admin.form.title_edit"), self+"/edit", self, v.T("admin.form.save")
	}
	p.Form = newForm(l, values, fields, eventFields)
	v.Error = len(fields) > 0
	p.F = map[string]formField{}
	for _, f := range []struct {
		name, kind string
		required   bool
		min, max   string
	}{
		{"slug", "text", true, "", ""}, {"country", "select", true, "", ""}, {"timezone", "text", true, "", ""},
		{"starts_on", "date", true, "", ""}, {"ends_on", "date", true, "", ""},
		{"day_starts_at", "time", true, "", ""}, {"day_ends_at", "time", true, "", ""},
		{"capacity", "number", false, "1", "1000000"},
		{"registration_opens_at", "datetime-local", false, "", ""}, {"registration_closes_at", "datetime-local", false, "", ""},
		{"confirm_within_hours", "number", false, "1", "2160"}, {"reminder_days_before", "number", false, "0", "30"},
		{"retention_days", "number", false, "1", "3650"},
	} {
		ff := p.Form.Field(f.name, f.kind)
		ff.Required, ff.Min, ff.Max = f.required, f.min, f.max
		p.F[f.name] = ff
	}
	p.addVisaFields()
	tz := p.F["timezone"]
	tz.List = "timezones"
	p.F["timezone"] = tz
	country := p.F["country"]
	country.Options = append(country.Options, httpcore.Option{Value: "", Label: l.T("field.country.choose", nil)})
	for _, ct := range s.I18n.Countries(lang) {
		country.Options = append(country.Options, httpcore.Option{Value: ct.Code, Label: ct.Name, Selected: ct.Code == values.Get("country")})
	}
	p.F["country"] = country
	// The event's languages first, in its order (the first is its main
	// language), then the others.
	order := slices.Clone(values["languages"])
	for _, code := range i18n.Supported {
		if !slices.Contains(order, code) {
			order = append(order, code)
		}
	}
	for _, code := range order {
		if !slices.Contains(i18n.Supported, code) {
			continue
		}
		p.Languages = append(p.Languages, checkbox{ID: "languages-" + code, Name: "languages", Value: code,
			Label: l.LanguageName(code), Checked: p.Form.Has("languages", code)})
	}
	column := func(prefix, heading, lang string) textColumn {
		field := func(name, kind string) formField {
			f := p.Form.Field(prefix+name, kind)
			f.Lang = lang
			f.Label = l.FieldLabel(name) // the column's heading names the language
			if prefix != "" {
				f.Hint, f.HintID = "", "" // said once, in the main column
			}
			return f
		}
		return textColumn{Heading: heading, Lang: lang, Title: field("title", "text"), Description: field("description", "textarea"),
			Venue: field("venue", "text"), City: field("city", "text"), CoOrganizers: field("co_organizers", "textarea")}.rows()
	}
	main := column("", l.T("admin.form.main_text", nil), "")
	main.Title.Required = true
	p.Texts = append(p.Texts, main)
	for _, code := range i18n.Supported {
		p.Texts = append(p.Texts, column("translations."+code+".", l.T("admin.form.text_in", map[string]any{"Param": l.LanguageName(code)}), code))
	}
	v.Page = p
	s.pages.Render(c, status, "admin_event_form", v)
}

// rows gives the column's boxes the same heights, so that the languages
// line up side by side.
func (t textColumn) rows() textColumn {
	t.Description.Rows, t.CoOrganizers.Rows = "6", "3"
	return t
}

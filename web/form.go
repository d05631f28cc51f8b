package web

import (
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// formField is how one field of domain.RegistrationInput appears in the
// web form. Which fields are required is read from the input's validate
// tags, so the form and the rules cannot disagree.
type formField struct {
	name         string
	kind         string // input type, or "select"
	autocomplete string
	required     bool
}

// registrationFields lists the form's fields in the order of the page.
// Days and consent are drawn by hand (checkboxes), the rest by partials.
var registrationFields = func() []formField {
	fields := []formField{
		{name: "first_name", kind: "text", autocomplete: "given-name"},
		{name: "last_name", kind: "text", autocomplete: "family-name"},
		{name: "latin_first_name", kind: "text", autocomplete: "off"},
		{name: "latin_last_name", kind: "text", autocomplete: "off"},
		{name: "email", kind: "email", autocomplete: "email"},
		{name: "phone", kind: "tel", autocomplete: "tel"},
		{name: "country", kind: "select", autocomplete: "country"},
		{name: "delegation", kind: "select"},
		{name: "organization", kind: "text", autocomplete: "organization"},
		{name: "position", kind: "text", autocomplete: "organization-title"},
		{name: "role", kind: "select"},
		{name: "language", kind: "select"},
		{name: "days", kind: "checkbox"},
		{name: "consent", kind: "checkbox"},
	}
	required := map[string]bool{}
	t := reflect.TypeFor[domain.RegistrationInput]()
	for i := range t.NumField() {
		f := t.Field(i)
		required[f.Tag.Get("form")] = slices.Contains(strings.Split(f.Tag.Get("validate"), ","), "required")
	}
	for i := range fields {
		fields[i].required = required[fields[i].name]
	}
	return fields
}()

// honeypotField is a text field people never see or fill in. Bots that fill
// every field give themselves away; they get the answer of a success.
const honeypotField = "website"

// registrationInput reads the form into the input the JSON API decodes.
// The page language is the registration's language unless the form says
// otherwise, so emails arrive in the language the person read.
func registrationInput(form url.Values, pageLang string, ev *domain.Event) domain.RegistrationInput {
	in := domain.RegistrationInput{
		LatinFirstName: form.Get("latin_first_name"),
		LatinLastName:  form.Get("latin_last_name"),
		Delegation:     form.Get("delegation"),
		Answers:        ev.Questions.AnswersFromForm(form),
		FirstName:      form.Get("first_name"),
		LastName:       form.Get("last_name"),
		Email:          form.Get("email"),
		Country:        form.Get("country"),
		Organization:   form.Get("organization"),
		Position:       form.Get("position"),
		Role:           form.Get("role"),
		Phone:          form.Get("phone"),
		Language:       form.Get("language"),
		Days:           form["days"],
		Invitation:     form.Get("invitation"),
		Visa:           visaInput(form, ev),
	}
	if strings.TrimSpace(in.Language) == "" {
		in.Language = pageLang
	}
	// An unticked checkbox is not sent at all: that is "missing", as in JSON.
	if form.Has("consent") {
		v := form.Get("consent")
		ok := v == "" || v == "on" || v == "yes"
		if b, err := strconv.ParseBool(v); err == nil {
			ok = b
		}
		in.Consent = &ok
	}
	return in
}

// formView is the registration form as the template draws it: the values
// typed so far, the error next to each field and the summary at the top.
type formView struct {
	l        *i18n.Localizer
	Action   string
	Waitlist bool
	values   url.Values
	errors   map[string]string // field name → translated message
	Summary  []summaryItem
	options  map[string][]httpcore.Option
	groups   []optionGroup // the delegation's organizations and countries
	Days     []dayOption
	DaysErr  string
	Consent  bool
	// Questions are the event's own questions, drawn after the fixed
	// fields (questions.go).
	Questions []questionView
	// Editing is the participant changing their registration from their
	// link: the address is shown, not asked, and consent was given.
	Editing bool
	Email   string
	// Invitation is the personal invitation's token the form carries
	// (invitees.go).
	Invitation string
	// Visa is the request for a visa invitation letter (visa.go), on an
	// event that offers them.
	Visa *visaForm
}

type summaryItem struct{ Href, Text string }

type dayOption struct {
	ID, Value, Label string
	Checked          bool
}

// fieldView is one field, ready for the "field" partial.
type fieldView struct {
	ID, Name, Kind, Autocomplete string
	Label, Hint, HintID          string
	Error, ErrorID, ErrorLabel   string
	Value                        string
	Required                     bool
	Placeholder                  string // the empty first option of a select
	Options                      []httpcore.Option
	Groups                       []optionGroup // the options of a long select, in labelled groups
}

// optionGroup is a labelled group of a select's options (<optgroup>).
type optionGroup struct {
	Label   string
	Options []httpcore.Option
}

// DescribedBy is the field's aria-describedby: its hint and its error.
func (f fieldView) DescribedBy() string {
	return httpcore.DescribedBy(f.Hint, f.HintID, f.Error, f.ErrorID)
}

// newFormView builds the form for ev in lang. values are what was typed
// (nil for a fresh form); fields are the validation errors to show.
func (s *Web) newFormView(ev *domain.Event, lang string, values url.Values, fields []domain.FieldError) *formView {
	l := s.I18n.Localizer(lang)
	fresh := values == nil
	if fresh {
		values = url.Values{"language": {lang}}
	}
	f := &formView{
		l:          l,
		Action:     "/events/" + url.PathEscape(ev.Slug) + "/register?lang=" + lang,
		Waitlist:   httpcore.IsFull(ev) && !ev.RequiresApproval, // an application waits for approval whatever the seats
		values:     values,
		errors:     map[string]string{},
		options:    map[string][]httpcore.Option{},
		Consent:    values.Has("consent"),
		Invitation: values.Get("invitation"),
	}
	for _, fe := range fields {
		base := i18n.FieldBase(fe.Field)
		if _, seen := f.errors[base]; !seen {
			f.errors[base] = l.FieldError(fe)
		}
	}
	// Field-independent errors (none today) still reach the summary.
	for _, fe := range fields {
		if fe.Field == "" {
			f.Summary = append(f.Summary, summaryItem{Text: l.FieldError(fe)})
		}
	}
	chosen := values["days"]
	for i, d := range ev.Days() {
		f.Days = append(f.Days, dayOption{
			ID: "days-" + strconv.Itoa(i), Value: d.String(),
			Label:   i18n.FormatDateWithWeekday(lang, d.In(ev.Location())),
			Checked: fresh || slices.Contains(chosen, d.String()),
		})
	}
	f.DaysErr = f.errors["days"]
	f.Questions = newQuestionViews(ev, l, values, f.errors)
	// The summary lists the errors in the order of the page: the fixed
	// fields, the questions, the consent at the end.
	for _, ff := range registrationFields {
		if ff.name == "consent" {
			for _, q := range f.Questions {
				if q.Error != "" {
					f.Summary = append(f.Summary, summaryItem{Href: "#" + q.FirstID(),
						Text: l.T("form.summary_item", map[string]any{"Field": q.Label, "Message": q.Error})})
				}
			}
		}
		msg, bad := f.errors[ff.name]
		if !bad {
			continue
		}
		href := "#" + ff.name
		if ff.name == "days" && len(f.Days) > 0 {
			href = "#" + f.Days[0].ID
		}
		f.Summary = append(f.Summary, summaryItem{Href: href,
			Text: l.T("form.summary_item", map[string]any{"Field": l.FieldLabel(ff.name), "Message": msg})})
	}
	f.options["country"] = selectOptions(s.I18n.Countries(lang), values.Get("country"),
		func(c i18n.Country) (string, string) { return c.Code, c.Name })
	f.groups = []optionGroup{
		{Label: l.T("field.delegation.organizations", nil), Options: selectOptions(l.Organizations(), values.Get("delegation"),
			func(c i18n.Country) (string, string) { return c.Code, c.Name })},
		{Label: l.T("field.delegation.countries", nil), Options: selectOptions(s.I18n.Countries(lang), values.Get("delegation"),
			func(c i18n.Country) (string, string) { return c.Code, c.Name })},
	}
	f.Visa = f.newVisaForm(ev, s.I18n.Countries(lang))
	f.options["role"] = selectOptions(domain.Roles, values.Get("role"),
		func(r string) (string, string) { return r, l.Role(r) })
	f.options["language"] = selectOptions(i18n.Supported, values.Get("language"),
		func(code string) (string, string) { return code, l.LanguageName(code) })
	return f
}

func selectOptions[T any](items []T, chosen string, label func(T) (string, string)) []httpcore.Option {
	out := make([]httpcore.Option, 0, len(items))
	chosen = strings.TrimSpace(chosen)
	for _, it := range items {
		v, l := label(it)
		out = append(out, httpcore.Option{Value: v, Label: l, Selected: strings.EqualFold(v, chosen)})
	}
	return out
}

// Field returns one field of the form for the "field" partial.
func (f *formView) Field(name string) fieldView {
	var ff formField
	for _, x := range registrationFields {
		if x.name == name {
			ff = x
		}
	}
	v := fieldView{
		ID: name, Name: name, Kind: ff.kind, Autocomplete: ff.autocomplete, Required: ff.required,
		Label: f.l.FieldLabel(name), HintID: name + "-hint", ErrorID: name + "-error",
		Error: f.errors[name], ErrorLabel: f.l.T("form.error_label", nil),
		Value: f.values.Get(name), Options: f.options[name],
	}
	if f.l.Has("field." + name + ".hint") {
		v.Hint = f.l.T("field."+name+".hint", nil)
	}
	if f.l.Has("field." + name + ".choose") {
		v.Placeholder = f.l.T("field."+name+".choose", nil)
	}
	switch name {
	case "latin_first_name": // one hint for the two Latin-script fields
		v.Hint = f.l.T("field.latin_name.hint", nil)
	case "delegation": // no choice is the country
		v.Placeholder, v.Groups = f.l.T("field.delegation.own_country", nil), f.groups
	}
	return v
}

// HasErrors reports whether the form comes back with errors.
func (f *formView) HasErrors() bool { return len(f.Summary) > 0 }

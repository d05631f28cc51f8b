package i18n

import (
	"github.com/attend/attend/domain"
)

// Form is an event's registration form in one language: the fixed fields
// every event asks and the event's own questions, each with what a page
// needs to draw it (label, hint, whether required, the choices). The web
// form is drawn from it, and GET /api/v1/events/{slug}/form serves it to
// clients that build their own form.
type Form struct {
	Lang      string      `json:"lang"`
	Fields    []FormField `json:"fields"`
	Questions []FormField `json:"questions"`
}

// FormField is one field of a Form. Type is one of domain's question types
// (text, long_text, single_choice, multiple_choice, yes_no, date, number,
// email, phone). Name is what the field is sent as: the JSON member of a
// fixed field, "answers.<key>" for a question (whose Key it also gives).
type FormField struct {
	Name      string       `json:"name"`
	Key       string       `json:"key,omitempty"`
	Type      string       `json:"type"`
	Label     string       `json:"label"`
	Hint      string       `json:"hint,omitempty"`
	Required  bool         `json:"required"`
	MaxLength int          `json:"max_length,omitempty"`
	Options   []FormOption `json:"options,omitempty"`
	// Groups are the options of a long choice in groups (the delegation:
	// organizations, then countries); Options is then empty.
	Groups []FormGroup `json:"groups,omitempty"`
}

// FormOption is one choice: the value sent and its label.
type FormOption struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// FormGroup is a labelled group of options.
type FormGroup struct {
	Label   string       `json:"label"`
	Options []FormOption `json:"options"`
}

// Form describes ev's registration form in the localizer's language. The
// questions are those asked now, in order, labelled in the localizer's
// language or else the first of the event's languages that has a label.
func (l *Localizer) Form(ev *domain.Event) Form {
	text := func(name, typ string, required bool, max int) FormField {
		f := FormField{Name: name, Type: typ, Label: l.FieldLabel(name), Required: required, MaxLength: max}
		if l.Has("field." + name + ".hint") {
			f.Hint = l.T("field."+name+".hint", nil)
		}
		return f
	}
	countries := l.bundle.Countries(l.lang)
	countryOptions := make([]FormOption, len(countries))
	for i, c := range countries {
		countryOptions[i] = FormOption{Value: c.Code, Label: c.Name}
	}
	orgs := l.Organizations()
	orgOptions := make([]FormOption, len(orgs))
	for i, o := range orgs {
		orgOptions[i] = FormOption{Value: o.Code, Label: o.Name}
	}
	country := text("country", string(domain.QuestionSingleChoice), true, 0)
	country.Options = countryOptions
	delegation := text("delegation", string(domain.QuestionSingleChoice), false, 0)
	delegation.Groups = []FormGroup{
		{Label: l.T("field.delegation.organizations", nil), Options: orgOptions},
		{Label: l.T("field.delegation.countries", nil), Options: countryOptions},
	}
	role := text("role", string(domain.QuestionSingleChoice), true, 0)
	for _, r := range domain.Roles {
		role.Options = append(role.Options, FormOption{Value: r, Label: l.Role(r)})
	}
	lang := text("language", string(domain.QuestionSingleChoice), false, 0)
	for _, code := range ev.Languages {
		lang.Options = append(lang.Options, FormOption{Value: code, Label: l.LanguageName(code)})
	}
	days := text("days", string(domain.QuestionMultipleChoice), false, 0)
	for _, d := range ev.Days() {
		days.Options = append(days.Options, FormOption{Value: d.String(), Label: FormatDateWithWeekday(l.lang, d.Time())})
	}
	latinFirst := text("latin_first_name", string(domain.QuestionText), false, 100)
	latinFirst.Hint = l.T("field.latin_name.hint", nil)
	consent := text("consent", string(domain.QuestionYesNo), true, 0)
	consent.Label = l.T("field.consent.before", nil) + " " + l.T("field.consent.link", nil) + l.T("field.consent.after", nil)
	f := Form{Lang: l.lang, Fields: []FormField{
		text("first_name", string(domain.QuestionText), true, 100),
		text("last_name", string(domain.QuestionText), true, 100),
		latinFirst,
		text("latin_last_name", string(domain.QuestionText), false, 100),
		text("email", string(domain.QuestionEmail), true, 254),
		text("phone", string(domain.QuestionPhone), false, 16),
		country,
		delegation,
		text("organization", string(domain.QuestionText), true, 200),
		text("position", string(domain.QuestionText), false, 200),
		role,
		lang,
		days,
		consent,
	}, Questions: []FormField{}}
	for _, q := range ev.Questions.Asked() {
		f.Questions = append(f.Questions, l.QuestionField(q, ev.Languages))
	}
	return f
}

// QuestionField is the form field of one question in the localizer's
// language.
func (l *Localizer) QuestionField(q domain.Question, eventLanguages []string) FormField {
	f := FormField{
		Name: domain.AnswerField(q.Key), Key: q.Key, Type: string(q.Type),
		Label: l.Text(q.Label, eventLanguages), Hint: l.Text(q.Help, eventLanguages), Required: q.Required,
	}
	switch q.Type {
	case domain.QuestionText:
		f.MaxLength = domain.MaxTextAnswer
	case domain.QuestionLongText:
		f.MaxLength = domain.MaxLongTextAnswer
	case domain.QuestionEmail:
		f.MaxLength = 254
	case domain.QuestionPhone:
		f.MaxLength = 16
	}
	for _, o := range q.Offered() {
		f.Options = append(f.Options, FormOption{Value: o.Value, Label: l.Text(o.Label, eventLanguages)})
	}
	if q.Type == domain.QuestionYesNo {
		f.Options = []FormOption{{Value: "yes", Label: l.T("answer.yes", nil)}, {Value: "no", Label: l.T("answer.no", nil)}}
	}
	return f
}

package i18n

import (
	"strings"

	"github.com/attend/attend/domain"
)

// Delegations are the delegations the bundle names.
func (b *Bundle) Delegations() *domain.Delegations { return b.delegations }

// Delegation is how lists, charts and badges name a delegation in the
// localizer's language: a country's name, an organization's short name
// ("OECD", "ОЭСР").
func (l *Localizer) Delegation(code string) string {
	if o, ok := l.bundle.delegations.Organization(code); ok {
		return o.Short.In(l.lang)
	}
	return l.Country(code)
}

// DelegationName is a delegation's full name: a country's name, an
// organization's full name.
func (l *Localizer) DelegationName(code string) string {
	if o, ok := l.bundle.delegations.Organization(code); ok {
		return o.Name.In(l.lang)
	}
	return l.Country(code)
}

// Organizations lists the organizations participants may represent, each
// named "short name — full name" (or the full name alone when the two are
// one), sorted by that name in the localizer's language.
func (l *Localizer) Organizations() []Country {
	orgs := l.bundle.delegations.Organizations()
	out := make([]Country, 0, len(orgs))
	for _, o := range orgs {
		short, name := o.Short.In(l.lang), o.Name.In(l.lang)
		if short != "" && short != name {
			name = short + " — " + name
		}
		out = append(out, Country{Code: o.Code, Name: name})
	}
	sortByName(l.lang, out)
	return out
}

// Text is an organizer's text in the localizer's language, else in the
// first of the event's languages that has it (see domain.Text.In).
func (l *Localizer) Text(t domain.Text, eventLanguages []string) string {
	return t.In(l.lang, eventLanguages...)
}

// Answer is an answer to q as people read it in the localizer's language:
// the labels of the options chosen (separated by "; "), yes or no, a
// number, a date (YYYY-MM-DD, as spreadsheets sort it) or the text. An
// option no longer offered keeps its label; a value the question does not
// know shows as it is.
func (l *Localizer) Answer(q domain.Question, v any, eventLanguages []string) string {
	values := domain.AnswerValues(v)
	switch {
	case len(values) == 0:
		return ""
	case q.Type == domain.QuestionYesNo && (values[0] == "yes" || values[0] == "no"):
		return l.T("answer."+values[0], nil)
	case q.Type == domain.QuestionNumber && l.lang != "en":
		return strings.Replace(values[0], ".", ",", 1) // Russian and Uzbek write a decimal comma
	case q.Type.HasOptions():
		labels := make([]string, len(values))
		for i, v := range values {
			labels[i] = v
			if o, ok := q.Option(v); ok {
				if s := o.Label.In(l.lang, eventLanguages...); s != "" {
					labels[i] = s
				}
			}
		}
		return strings.Join(labels, "; ")
	}
	return strings.Join(values, "; ")
}

// ChangeText is one change a participant made (domain.Change) as their
// email lists it: the field's label and its values before and after, in
// the localizer's language, with "(none)" for an empty value.
func (l *Localizer) ChangeText(c domain.Change, qs domain.Questions, eventLanguages []string) (label, before, after string) {
	value := func(vals []string) string {
		if len(vals) == 0 {
			return l.T("change.empty", nil)
		}
		out := make([]string, len(vals))
		for i, v := range vals {
			switch c.Field {
			case "country":
				out[i] = l.Country(v)
			case "delegation":
				out[i] = l.Delegation(v)
			case "role":
				out[i] = l.Role(v)
			case "language":
				out[i] = l.LanguageName(v)
			case "days":
				out[i] = v
				if d, err := domain.ParseDate(v); err == nil {
					out[i] = FormatDate(l.lang, d.Time())
				}
			default:
				out[i] = v
			}
		}
		return strings.Join(out, "; ")
	}
	key, isAnswer := strings.CutPrefix(c.Field, "answers.")
	if !isAnswer {
		return l.FieldLabel(c.Field), value(c.Old), value(c.New)
	}
	q, ok := qs.Find(key)
	if !ok {
		return key, value(c.Old), value(c.New)
	}
	answer := func(vals []string) string {
		if len(vals) == 0 {
			return l.T("change.empty", nil)
		}
		var v any = vals
		switch {
		case q.Type == domain.QuestionYesNo:
			v = vals[0] == "yes"
		case q.Type != domain.QuestionMultipleChoice:
			v = vals[0]
		}
		return l.Answer(q, v, eventLanguages)
	}
	return l.Text(q.Label, eventLanguages), answer(c.Old), answer(c.New)
}

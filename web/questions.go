package web

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// questionView is one of the event's questions as the form draws it, with
// the same accessibility as the fixed fields: a label (a legend for a
// group of choices) with * when required, the organizer's help as a hint,
// the error inline and in the summary, and the values sent kept.
type questionView struct {
	ID, Name          string
	Kind              string // text, textarea, email, tel, date, number, radio, checkbox
	Label, Hint       string
	HintID, ErrorID   string
	Error, ErrorLabel string
	Required          bool
	MaxLength         int
	Value             string
	Options           []choiceView // radio and checkbox
}

// choiceView is one radio button or checkbox of a question.
type choiceView struct {
	ID, Value, Label string
	Checked          bool
}

// Group reports whether the question is a group of choices (a fieldset).
func (q questionView) Group() bool { return q.Kind == "radio" || q.Kind == "checkbox" }

// FirstID is the element the error summary links to.
func (q questionView) FirstID() string {
	if q.Group() && len(q.Options) > 0 {
		return q.Options[0].ID
	}
	return q.ID
}

// DescribedBy is the question's aria-describedby: its hint and its error.
func (q questionView) DescribedBy() string {
	return fieldView{Hint: q.Hint, HintID: q.HintID, Error: q.Error, ErrorID: q.ErrorID}.DescribedBy()
}

// inputKinds are the input types of the questions answered by typing.
var inputKinds = map[domain.QuestionType]string{
	domain.QuestionText: "text", domain.QuestionLongText: "textarea", domain.QuestionEmail: "email",
	domain.QuestionPhone: "tel", domain.QuestionDate: "date",
	// A number is typed as text: an input of type number refuses the
	// decimal comma Russian and Uzbek readers type.
	domain.QuestionNumber: "text",
}

// newQuestionViews draws ev's questions in l's language, with the values
// sent (values) and the errors (by field, "answers.<key>").
func newQuestionViews(ev *domain.Event, l *i18n.Localizer, values url.Values, errors map[string]string) []questionView {
	var out []questionView
	for _, q := range ev.Questions.Asked() {
		f := l.QuestionField(q, ev.Languages)
		id := "q-" + q.Key
		v := questionView{
			ID: id, Name: f.Name, Label: f.Label, Hint: f.Hint, Required: f.Required, MaxLength: f.MaxLength,
			HintID: id + "-hint", ErrorID: id + "-error", Error: errors[f.Name], ErrorLabel: l.T("form.error_label", nil),
			Value: values.Get(f.Name),
		}
		switch q.Type {
		case domain.QuestionMultipleChoice:
			v.Kind = "checkbox"
		case domain.QuestionSingleChoice, domain.QuestionYesNo:
			v.Kind = "radio"
		default:
			v.Kind = inputKinds[q.Type]
		}
		chosen := values[f.Name]
		for i, o := range f.Options {
			v.Options = append(v.Options, choiceView{ID: id + "-" + strconv.Itoa(i), Value: o.Value, Label: o.Label,
				Checked: slices.Contains(chosen, o.Value)})
		}
		out = append(out, v)
	}
	return out
}

// answerValues are a registration's answers as the form's values, for the
// participant's edit form: "answers.<key>" with the values it holds.
func answerValues(reg *domain.Registration, qs domain.Questions) url.Values {
	out := url.Values{}
	for _, q := range qs.Asked() {
		if vals := domain.AnswerValues(reg.Answers[q.Key]); len(vals) > 0 {
			out[domain.AnswerField(q.Key)] = vals
		}
	}
	return out
}

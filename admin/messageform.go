package admin

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// sendAtLayout is how a datetime-local input writes a time, in the
// event's time zone.
const sendAtLayout = "2006-01-02T15:04"

// messageText is the subject and body boxes of one language.
type messageText struct {
	Lang, Heading string
	Subject, Body formField
}

// messageForm is the compose form's boxes and choices, as typed.
type messageForm struct {
	Texts       []messageText
	Statuses    []httpcore.Option
	Delegation  formField
	Roles       []httpcore.Option
	Attended    []httpcore.Option
	NotAttended []httpcore.Option
	Answers     []httpcore.Option
	AnswerError string // why the answers chosen cannot be used
	SendAt      formField
	Zone        string
}

// messageFromForm reads the compose form into a message for ev. Days and
// the time that do not parse are field errors, with those the domain
// finds.
func messageFromForm(form url.Values, ev *domain.Event) (domain.MessageInput, []domain.FieldError) {
	in := domain.MessageInput{Texts: domain.MessageTexts{}}
	for _, lang := range ev.Languages {
		t := domain.MessageText{Subject: form.Get(textField(lang, "subject")), Body: form.Get(textField(lang, "body"))}
		if t.Subject != "" || t.Body != "" {
			in.Texts[lang] = t
		}
	}
	var fields []domain.FieldError
	for _, s := range form["statuses"] {
		in.Filter.Statuses = append(in.Filter.Statuses, domain.Status(s))
	}
	in.Filter.Delegation = strings.TrimSpace(form.Get("delegation"))
	in.Filter.Role = form.Get("role")
	in.Filter.Answers = form["answer"]
	days := func(name string) []domain.Date {
		var out []domain.Date
		for _, v := range form[name] {
			if v == "" {
				continue
			}
			d, err := domain.ParseDate(v)
			if err != nil {
				fields = append(fields, domain.NewFieldError(name, "day", ""))
				continue
			}
			out = append(out, d)
		}
		return out
	}
	in.Filter.Attended, in.Filter.NotAttended = days("attended"), days("not_attended")
	if v := strings.TrimSpace(form.Get("send_at")); v != "" {
		t, err := time.ParseInLocation(sendAtLayout, v, ev.Location())
		if err != nil {
			fields = append(fields, domain.NewFieldError("send_at", "future", ""))
		} else {
			in.SendAt = &t
		}
	}
	return in, fields
}

// textField is the name of a language's subject or body box:
// "translations.ru.subject", which the dashboard labels "Subject (Russian)".
func textField(lang, part string) string { return "translations." + lang + "." + part }

// formFields names the domain's field errors by the compose form's boxes:
// "texts.ru.subject" is the box translations.ru.subject, "texts.en" (no
// text in the main language) its body, "filter.role" is role.
func formFields(fields []domain.FieldError, main string) []domain.FieldError {
	out := make([]domain.FieldError, len(fields))
	for i, fe := range fields {
		name := strings.TrimPrefix(fe.Field, "filter.")
		if name == "answers" {
			name = "answer" // the form's checkboxes
		}
		if rest, ok := strings.CutPrefix(name, "texts."); ok {
			lang, part, ok := strings.Cut(rest, ".")
			if !ok {
				lang, part = main, "body"
			}
			name = textField(lang, part)
		}
		fe.Field = name
		out[i] = fe
	}
	return out
}

// newMessageForm fills the compose form's boxes (with form's errors) and
// choices for ev in l's language, with what values holds selected.
func newMessageForm(ev *domain.Event, l *i18n.Localizer, values url.Values, form *form) messageForm {
	lang := l.Lang()
	f := messageForm{Delegation: form.Field("delegation", "text"), SendAt: form.Field("send_at", "datetime-local"), Zone: ev.Timezone,
		AnswerError: form.errors["answer"]}
	for i, code := range ev.Languages {
		t := messageText{Lang: code, Heading: l.LanguageName(code),
			Subject: form.Field(textField(code, "subject"), "text"), Body: form.Field(textField(code, "body"), "textarea")}
		t.Subject.Required, t.Body.Required = i == 0, i == 0
		t.Subject.Lang, t.Body.Lang, t.Body.Rows = code, code, "8"
		if i > 0 {
			t.Subject.Hint, t.Subject.HintID = l.T("admin.messages.fallback", nil), t.Subject.ID+"-hint"
		}
		f.Texts = append(f.Texts, t)
	}
	selected := func(name, v string) bool { return slices.Contains(values[name], v) }
	for _, s := range domain.MessageStatuses {
		f.Statuses = append(f.Statuses, httpcore.Option{Value: string(s), Label: l.T("admin.status."+string(s), nil),
			Selected: selected("statuses", string(s))})
	}
	for _, r := range domain.Roles {
		f.Roles = append(f.Roles, httpcore.Option{Value: r, Label: l.T("role."+r, nil), Selected: values.Get("role") == r})
	}
	for _, d := range ev.Days() {
		label := i18n.FormatDateWithWeekday(lang, d.Time())
		f.Attended = append(f.Attended, httpcore.Option{Value: d.String(), Label: label, Selected: selected("attended", d.String())})
		f.NotAttended = append(f.NotAttended, httpcore.Option{Value: d.String(), Label: label, Selected: selected("not_attended", d.String())})
	}
	main := ev.Languages[0]
	for _, q := range ev.Questions.Asked() {
		values := []struct{ v, label string }{}
		switch {
		case q.Type.HasOptions():
			for _, o := range q.Offered() {
				values = append(values, struct{ v, label string }{o.Value, o.Label.In(lang, main)})
			}
		case q.Type == domain.QuestionYesNo:
			values = append(values, struct{ v, label string }{"yes", l.T("admin.messages.yes", nil)},
				struct{ v, label string }{"no", l.T("admin.messages.no", nil)})
		}
		for _, o := range values {
			key := q.Key + ":" + o.v
			f.Answers = append(f.Answers, httpcore.Option{Value: key, Label: q.Label.In(lang, main) + ": " + o.label,
				Selected: selected("answer", key)})
		}
	}
	return f
}

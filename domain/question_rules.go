package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of an event's custom questions.
const (
	MaxQuestions      = 50
	MaxOptions        = 50
	maxKeyLength      = 64
	maxQuestionLabel  = 500
	maxQuestionHelp   = 1000
	maxOptionLabel    = 200
	MaxTextAnswer     = 500
	MaxLongTextAnswer = 5000
)

// keyPattern is what question keys and option values look like: stable
// names for machines, safe in URLs, CSS, form names and JSON paths.
var keyPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// QuestionInput is one question as the API takes it (the "questions" array
// of POST and PATCH /api/v1/events, in form order).
type QuestionInput struct {
	Key      string            `json:"key"`
	Type     string            `json:"type"`
	Label    map[string]string `json:"label"`
	Help     map[string]string `json:"help"`
	Options  []OptionInput     `json:"options"`
	Required *bool             `json:"required"`
	// Personal defaults to true: an organizer who does not say is taken to
	// ask for personal data, which is then erased with the person.
	Personal *bool `json:"personal"`
}

// OptionInput is one option of a choice question as the API takes it.
type OptionInput struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

// SetQuestions replaces the questions asked by those of in, in order, and
// keeps what answers already given need: a question left out is removed
// (no longer asked, its answers kept readable), an option left out is
// removed likewise, and a question's type cannot change, since answers
// given under one type would be read under another. A removed question or
// option sent again is asked or offered again. Field errors name the input
// by its path ("questions[2].options[0].value").
func SetQuestions(old Questions, in []QuestionInput) (Questions, []FieldError) {
	var fields []FieldError
	if len(in) > MaxQuestions {
		fe := NewFieldError("questions", "max", strconv.Itoa(MaxQuestions))
		fe.Message = fmt.Sprintf("An event may ask at most %d questions.", MaxQuestions)
		return old, []FieldError{fe}
	}
	out := make(Questions, 0, len(in)+len(old))
	seen := map[string]bool{}
	for i, qi := range in {
		path := "questions[" + strconv.Itoa(i) + "]"
		q, errs := newQuestion(path, qi)
		fields = append(fields, errs...)
		if q.Key != "" && seen[q.Key] {
			fields = append(fields, NewFieldError(path+".key", "unique", ""))
			continue
		}
		seen[q.Key] = true
		if prev, ok := old.Find(q.Key); ok {
			if prev.Type != q.Type && q.Type != "" {
				fields = append(fields, questionError(path+".type", "Type", "readonly", string(prev.Type)))
				continue
			}
			q.Options = keepOptions(prev.Options, q.Options)
		}
		out = append(out, q)
	}
	for _, prev := range old {
		if !seen[prev.Key] {
			prev.Removed = true
			out = append(out, prev)
		}
	}
	if len(fields) > 0 {
		return old, fields
	}
	return out, nil
}

// keepOptions appends to the options sent those of before that were left
// out, removed, so that answers choosing them stay readable.
func keepOptions(before, sent []Option) []Option {
	for _, o := range before {
		if !slices.ContainsFunc(sent, func(s Option) bool { return s.Value == o.Value }) {
			o.Removed = true
			sent = append(sent, o)
		}
	}
	return sent
}

func newQuestion(path string, in QuestionInput) (Question, []FieldError) {
	var fields []FieldError
	q := Question{
		Key:      strings.TrimSpace(in.Key),
		Type:     QuestionType(strings.TrimSpace(in.Type)),
		Required: in.Required != nil && *in.Required,
		Personal: in.Personal == nil || *in.Personal,
	}
	switch {
	case q.Key == "":
		fields = append(fields, questionError(path+".key", "Key", "required", ""))
	case len(q.Key) > maxKeyLength:
		fields = append(fields, questionError(path+".key", "Key", "max", strconv.Itoa(maxKeyLength)))
	case !keyPattern.MatchString(q.Key):
		fields = append(fields, questionError(path+".key", "Key", "key", ""))
	}
	switch {
	case q.Type == "":
		fields = append(fields, questionError(path+".type", "Type", "required", ""))
	case !slices.Contains(QuestionTypes, q.Type):
		fields = append(fields, questionError(path+".type", "Type", "oneof", questionTypeList()))
	}
	var errs []FieldError
	q.Label, errs = newText(path+".label", "Label", in.Label, maxQuestionLabel, true)
	fields = append(fields, errs...)
	q.Help, errs = newText(path+".help", "Help", in.Help, maxQuestionHelp, false)
	fields = append(fields, errs...)
	switch {
	case q.Type.HasOptions() && len(in.Options) == 0:
		fields = append(fields, questionError(path+".options", "Options", "required", ""))
	case !q.Type.HasOptions() && len(in.Options) > 0 && q.Type != "":
		fields = append(fields, questionError(path+".options", "Options", "options", string(q.Type)))
	case len(in.Options) > MaxOptions:
		fe := questionError(path+".options", "Options", "max", strconv.Itoa(MaxOptions))
		fe.Message = fmt.Sprintf("A question may offer at most %d options.", MaxOptions)
		fields = append(fields, fe)
	default:
		values := map[string]bool{}
		for j, oi := range in.Options {
			op := path + ".options[" + strconv.Itoa(j) + "]"
			o := Option{Value: strings.TrimSpace(oi.Value)}
			switch {
			case o.Value == "":
				fields = append(fields, questionError(op+".value", "Value", "required", ""))
			case len(o.Value) > maxKeyLength:
				fields = append(fields, questionError(op+".value", "Value", "max", strconv.Itoa(maxKeyLength)))
			case !keyPattern.MatchString(o.Value):
				fields = append(fields, questionError(op+".value", "Value", "key", ""))
			case values[o.Value]:
				fields = append(fields, questionError(op+".value", "Value", "unique", ""))
			}
			values[o.Value] = true
			o.Label, errs = newText(op+".label", "Label", oi.Label, maxOptionLabel, true)
			fields = append(fields, errs...)
			q.Options = append(q.Options, o)
		}
	}
	return q, fields
}

// newText checks a text in several languages: known languages only, no
// control characters, at most max characters each, and with required at
// least one non-empty.
func newText(path, label string, in map[string]string, max int, required bool) (Text, []FieldError) {
	out := Text{}
	var fields []FieldError
	for lang, s := range in {
		s = CleanText(s)
		field := path + "." + lang
		switch {
		case !slices.Contains(Languages, lang):
			return nil, []FieldError{questionError(path, label, "languages", strings.Join(Languages, " "))}
		case HasControl(s):
			fields = append(fields, questionError(field, label, "nocontrol", ""))
		case utf8.RuneCountInString(s) > max:
			fields = append(fields, questionError(field, label, "max", strconv.Itoa(max)))
		case s != "":
			out[lang] = s
		}
	}
	if required && len(out) == 0 && len(fields) == 0 {
		fields = append(fields, questionError(path, label, "required", ""))
	}
	slices.SortFunc(fields, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out, fields
}

func questionTypeList() string {
	names := make([]string, len(QuestionTypes))
	for i, t := range QuestionTypes {
		names[i] = string(t)
	}
	return strings.Join(names, " ")
}

// questionError is a field error about a question's definition, whose
// sentence names the part of the question (label) rather than a form
// field.
func questionError(field, label, code, param string) FieldError {
	fe := fieldError(field, code, param)
	switch code {
	case "key":
		fe.Message = label + " may contain only lower-case letters, digits and underscores."
	case "readonly":
		fe.Message = fmt.Sprintf("The type of a question cannot change once it exists (it is %s): add a question with a new key instead.", param)
	case "options":
		fe.Message = fmt.Sprintf("Options are only for single_choice and multiple_choice questions, not %s.", param)
	case "languages":
		fe.Message = label + " may only be given in " + strings.ReplaceAll(param, " ", ", ") + "."
	default:
		fe.Message = strings.Replace(fe.Message, Label(field), label, 1)
	}
	return fe
}

// applyQuestions sets ev's questions from a POST or PATCH; null clears
// them (removes every question, keeping the answers given).
func applyQuestions(ev *Event, in Optional[[]QuestionInput]) []FieldError {
	if !in.Set {
		return nil
	}
	qs, fields := SetQuestions(ev.Questions, in.Value)
	ev.Questions = qs
	return fields
}

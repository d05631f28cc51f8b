package domain

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Answers are a registration's answers to its event's questions, by
// question key. Values have one canonical form per question type: a string
// for text, long_text, single_choice (the option's value), date
// (YYYY-MM-DD), email and phone (E.164); a []string of option values, in
// the question's option order, for multiple_choice; a bool for yes_no; a
// float64 for number. A question not answered has no key.
type Answers map[string]any

// CanonicalAnswers brings answers decoded from JSON (arrays as []any) to
// the canonical form, for the store, which reads them back from the
// database.
func CanonicalAnswers(m map[string]any) Answers {
	out := make(Answers, len(m))
	for k, v := range m {
		if list, ok := v.([]any); ok {
			vals := make([]string, 0, len(list))
			for _, x := range list {
				if s, ok := x.(string); ok {
					vals = append(vals, s)
				}
			}
			v = vals
		}
		out[k] = v
	}
	return out
}

// AnswerValues is an answer as a list of plain values: the option values
// chosen, "yes" or "no", a number in decimal, or the text; nil when
// unanswered.
func AnswerValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		return CanonicalAnswers(map[string]any{"": v})[""].([]string)
	case bool:
		if v {
			return []string{"yes"}
		}
		return []string{"no"}
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	}
	return nil
}

// AnswerField is the path of the answer to question key in the API
// ("answers.diet"), which its field errors name.
func AnswerField(key string) string { return "answers." + key }

// maxNumberAnswer bounds numbers so that they print without exponents.
const maxNumberAnswer = 1e12

// CheckAnswers validates answers sent (in) to the questions asked and
// returns the answers to store: those of keep (the answers given before,
// when a participant edits them, including answers to questions no longer
// asked), with each answer sent replacing the one kept, and a null or empty
// answer removing it. Every problem is a field error on "answers.<key>":
// a question the event does not ask, a value of the wrong type or form, an
// option not offered, and a required question left unanswered.
func (r *Rules) CheckAnswers(qs Questions, in map[string]any, keep Answers) (Answers, []FieldError) {
	out := Answers{}
	for k, v := range keep {
		out[k] = v
	}
	var fields []FieldError
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	failed := map[string]bool{}
	for _, key := range keys {
		q, ok := qs.Find(key)
		if !ok || q.Removed {
			fields = append(fields, unknownAnswer(key))
			continue
		}
		v, fe := r.parseAnswer(q, in[key])
		if fe != nil {
			fields = append(fields, *fe)
			failed[key] = true
			continue
		}
		if v == nil {
			delete(out, key)
		} else {
			out[key] = v
		}
	}
	for _, q := range qs {
		if q.Removed || !q.Required || failed[q.Key] {
			continue
		}
		if _, ok := out[q.Key]; !ok {
			fields = append(fields, answerError(q, "required", ""))
		}
	}
	return out, fields
}

func unknownAnswer(key string) FieldError {
	field := "answers"
	if len(key) <= maxKeyLength && keyPattern.MatchString(key) {
		field = AnswerField(key)
	}
	return FieldError{Field: field, Code: "unknown", Message: "This event asks no question with this key."}
}

// answerError is a field error on the answer to q, whose sentence names the
// question by its English label (or the first it has).
func answerError(q Question, code, param string) FieldError {
	field := AnswerField(q.Key)
	fe := fieldError(field, code, param)
	label := q.Label.In("en")
	if label == "" {
		label = q.Key
	}
	switch code {
	case "oneof":
		fe.Message = label + " must be one of the options offered: " + strings.ReplaceAll(param, " ", ", ") + "."
	case "number":
		fe.Message = label + " must be a number."
	case "type":
		fe.Message = label + " has the wrong type: expected " + param + "."
	default:
		fe.Message = strings.Replace(fe.Message, Label(field), label, 1)
	}
	return fe
}

// parseAnswer brings one answer sent to its canonical form; nil means not
// answered. The web form sends every answer as text (yes_no as "yes" or
// "no", numbers as typed, a lone choice of a multiple_choice as a string),
// which is taken as well as JSON's types.
func (r *Rules) parseAnswer(q Question, raw any) (any, *FieldError) {
	fail := func(code, param string) (any, *FieldError) {
		fe := answerError(q, code, param)
		return nil, &fe
	}
	if raw == nil {
		return nil, nil
	}
	if q.Type == QuestionMultipleChoice {
		return r.parseChoices(q, raw)
	}
	if q.Type == QuestionYesNo {
		switch v := raw.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "":
				return nil, nil
			case "yes", "true":
				return true, nil
			case "no", "false":
				return false, nil
			}
		}
		return fail("type", "boolean")
	}
	if q.Type == QuestionNumber {
		var f float64
		switch v := raw.(type) {
		case float64:
			f = v
		case json.Number:
			var err error
			if f, err = v.Float64(); err != nil {
				return fail("number", "")
			}
		case string:
			s := strings.ReplaceAll(strings.TrimSpace(v), ",", ".")
			if s == "" {
				return nil, nil
			}
			var err error
			if f, err = strconv.ParseFloat(s, 64); err != nil {
				return fail("number", "")
			}
		default:
			return fail("type", "number")
		}
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxNumberAnswer {
			return fail("number", "")
		}
		return f, nil
	}
	s, ok := raw.(string)
	if !ok {
		return fail("type", "string")
	}
	if q.Type == QuestionLongText {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	s = CleanText(s)
	if s == "" {
		return nil, nil
	}
	switch q.Type {
	case QuestionText:
		if HasControl(s) {
			return fail("nocontrol", "")
		}
		if utf8.RuneCountInString(s) > MaxTextAnswer {
			return fail("max", strconv.Itoa(MaxTextAnswer))
		}
	case QuestionLongText:
		if HasControl(strings.ReplaceAll(strings.ReplaceAll(s, "\n", ""), "\t", "")) {
			return fail("nocontrol", "")
		}
		if utf8.RuneCountInString(s) > MaxLongTextAnswer {
			return fail("max", strconv.Itoa(MaxLongTextAnswer))
		}
	case QuestionSingleChoice:
		if !q.offers(s) {
			return fail("oneof", strings.Join(optionValues(q.Offered()), " "))
		}
	case QuestionDate:
		d, err := ParseDate(s)
		if err != nil {
			return fail("date", "")
		}
		s = d.String()
	case QuestionEmail:
		if len(s) > 254 {
			return fail("max", "254")
		}
		if r.v.Var(s, "email") != nil || HasControl(s) {
			return fail("email", "")
		}
	case QuestionPhone:
		s = normalizePhone(s)
		if len(s) > 16 {
			return fail("max", "16")
		}
		if !e164Pattern.MatchString(s) {
			return fail("e164", "")
		}
	}
	return s, nil
}

// parseChoices checks a multiple_choice answer: a list of option values
// offered (or one value alone), each once; the answer keeps the question's
// option order, so that the same choices always read the same.
func (r *Rules) parseChoices(q Question, raw any) (any, *FieldError) {
	var vals []string
	switch v := raw.(type) {
	case string:
		vals = []string{v}
	case []string:
		vals = v
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				fe := answerError(q, "type", "array of strings")
				return nil, &fe
			}
			vals = append(vals, s)
		}
	default:
		fe := answerError(q, "type", "array of strings")
		return nil, &fe
	}
	chosen := map[string]bool{}
	for _, s := range vals {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !q.offers(s) {
			fe := answerError(q, "oneof", strings.Join(optionValues(q.Offered()), " "))
			return nil, &fe
		}
		chosen[s] = true
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(chosen))
	for _, o := range q.Options {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, nil
}

func optionValues(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

// ErasedAnswers are the answers an erased registration keeps: those to
// questions that are not personal data, for the statistics. An answer to
// a question the event no longer knows goes too: nobody said it was not
// personal.
func (qs Questions) ErasedAnswers(a Answers) Answers {
	out := Answers{}
	for k, v := range a {
		if q, ok := qs.Find(k); ok && !q.Personal {
			out[k] = v
		}
	}
	return out
}

// SameAnswer reports whether two canonical answers are equal.
func SameAnswer(a, b any) bool {
	return slices.Equal(AnswerValues(a), AnswerValues(b)) && (a == nil) == (b == nil)
}

// FilterValue is the answer value a list filter on this question looks
// for: an option's value (offered or removed) for a choice question, true
// or false for "yes" or "no" of a yes_no question; false when the question
// cannot be filtered on or s is none of its values.
func (q Question) FilterValue(s string) (any, bool) {
	switch {
	case q.Type.HasOptions():
		if _, ok := q.Option(s); ok {
			return s, true
		}
	case q.Type == QuestionYesNo && s == "yes":
		return true, true
	case q.Type == QuestionYesNo && s == "no":
		return false, true
	}
	return nil, false
}

// AnswersFromForm reads the answers of an HTML form, where the answer to
// question key is the field "answers.<key>" (FormField in i18n names them
// so): every value ticked for a multiple_choice question, the one value
// for the others. A question the form does not carry is not answered; a
// field no question asks is ignored, as a form only has the fields it drew.
func (qs Questions) AnswersFromForm(form map[string][]string) map[string]any {
	out := map[string]any{}
	for _, q := range qs.Asked() {
		values, ok := form[AnswerField(q.Key)]
		if !ok || len(values) == 0 {
			continue
		}
		if q.Type == QuestionMultipleChoice {
			out[q.Key] = slices.Clone(values)
			continue
		}
		out[q.Key] = values[0]
	}
	return out
}

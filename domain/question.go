package domain

import (
	"encoding/json"
	"slices"
	"sort"
)

// QuestionType is the kind of answer a custom question takes.
type QuestionType string

const (
	QuestionText           QuestionType = "text"            // one line of text
	QuestionLongText       QuestionType = "long_text"       // several lines
	QuestionSingleChoice   QuestionType = "single_choice"   // one of the options
	QuestionMultipleChoice QuestionType = "multiple_choice" // any of the options
	QuestionYesNo          QuestionType = "yes_no"          // true or false
	QuestionDate           QuestionType = "date"            // YYYY-MM-DD
	QuestionNumber         QuestionType = "number"          // a decimal number
	QuestionEmail          QuestionType = "email"           // an email address
	QuestionPhone          QuestionType = "phone"           // an international (E.164) number
)

// QuestionTypes lists every question type, in the order an editor offers them.
var QuestionTypes = []QuestionType{QuestionText, QuestionLongText, QuestionSingleChoice, QuestionMultipleChoice,
	QuestionYesNo, QuestionDate, QuestionNumber, QuestionEmail, QuestionPhone}

// HasOptions reports whether answers are chosen from the question's options.
func (t QuestionType) HasOptions() bool {
	return t == QuestionSingleChoice || t == QuestionMultipleChoice
}

// Counted reports whether the statistics count the answers of this type per
// option (the choices, and yes or no).
func (t QuestionType) Counted() bool { return t.HasOptions() || t == QuestionYesNo }

// Text is a text an organizer wrote in several languages: language code →
// text. Like the event's own translations, not every language need be there.
type Text map[string]string

// In is the text in lang, else in the first of fallbacks that has it, else
// in English, else in any language (the first by code, so the choice is
// stable), else "".
func (t Text) In(lang string, fallbacks ...string) string {
	for _, l := range append(append([]string{lang}, fallbacks...), "en") {
		if s := t[l]; s != "" {
			return s
		}
	}
	langs := make([]string, 0, len(t))
	for l, s := range t {
		if s != "" {
			langs = append(langs, l)
		}
	}
	sort.Strings(langs)
	if len(langs) > 0 {
		return t[langs[0]]
	}
	return ""
}

// Option is one choice of a single_choice or multiple_choice question.
// Value is what answers store; the labels are what people read.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
	// Removed options are no longer offered, but answers that chose them
	// stay readable: they keep their value and labels.
	Removed bool `json:"-"`
}

// Question is one custom question of an event's registration form.
type Question struct {
	// Key names the answer in the API and in storage; it never changes.
	Key      string       `json:"key"`
	Type     QuestionType `json:"type"`
	Label    Text         `json:"label"`
	Help     Text         `json:"help"`
	Options  []Option     `json:"options"`
	Required bool         `json:"required"`
	// Personal marks answers that are personal data (dietary or
	// accessibility needs, a passport number): erasing a participant
	// removes them. Answers to other questions (which session) are kept,
	// like the country, for the statistics.
	Personal bool `json:"personal"`
	// Removed questions are no longer asked, but the answers given stay
	// readable in the registration views and exports.
	Removed bool `json:"-"`
}

// Questions are an event's custom questions in form order. Removed ones
// are kept (see Question.Removed); the JSON form of the list, which the API
// shows and takes, has only the questions asked now, with the options
// offered now.
type Questions []Question

// Asked returns the questions still asked, with only the options still
// offered.
func (qs Questions) Asked() Questions {
	out := make(Questions, 0, len(qs))
	for _, q := range qs {
		if q.Removed {
			continue
		}
		q.Options = q.Offered()
		out = append(out, q)
	}
	return out
}

// Find returns the question with key, removed or not.
func (qs Questions) Find(key string) (Question, bool) {
	i := slices.IndexFunc(qs, func(q Question) bool { return q.Key == key })
	if i < 0 {
		return Question{}, false
	}
	return qs[i], true
}

// Counted lists the questions whose answers the statistics count per
// option, removed ones included (their answers still count).
func (qs Questions) Counted() Questions {
	var out Questions
	for _, q := range qs {
		if q.Type.Counted() {
			out = append(out, q)
		}
	}
	return out
}

// MarshalJSON writes the asked questions only.
func (qs Questions) MarshalJSON() ([]byte, error) {
	type plain []Question // without this method
	asked := qs.Asked()
	for i := range asked {
		if asked[i].Options == nil {
			asked[i].Options = []Option{}
		}
		if asked[i].Help == nil {
			asked[i].Help = Text{}
		}
	}
	return json.Marshal(plain(asked))
}

// Offered returns the options still offered.
func (q Question) Offered() []Option {
	out := make([]Option, 0, len(q.Options))
	for _, o := range q.Options {
		if !o.Removed {
			out = append(out, o)
		}
	}
	return out
}

// Option returns the option with value, removed or not.
func (q Question) Option(value string) (Option, bool) {
	i := slices.IndexFunc(q.Options, func(o Option) bool { return o.Value == value })
	if i < 0 {
		return Option{}, false
	}
	return q.Options[i], true
}

// offers reports whether value is an option offered now.
func (q Question) offers(value string) bool {
	o, ok := q.Option(value)
	return ok && !o.Removed
}

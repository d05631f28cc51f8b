package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/attend/attend/domain"
)

// storedQuestion is a question as events.questions keeps it: as the API
// shows it, plus whether it (or an option) was removed, which the API
// does not show.
type storedQuestion struct {
	Key      string              `json:"key"`
	Type     domain.QuestionType `json:"type"`
	Label    domain.Text         `json:"label"`
	Help     domain.Text         `json:"help,omitempty"`
	Options  []storedOption      `json:"options,omitempty"`
	Required bool                `json:"required"`
	Personal bool                `json:"personal"`
	Removed  bool                `json:"removed,omitempty"`
}

type storedOption struct {
	Value   string      `json:"value"`
	Label   domain.Text `json:"label"`
	Removed bool        `json:"removed,omitempty"`
}

// questionsJSON reads and writes an event's questions as the jsonb column
// events.questions.
type questionsJSON domain.Questions

// Value is the list as JSON text (a string: see EmailPayload.Value).
func (qs questionsJSON) Value() (driver.Value, error) {
	out := make([]storedQuestion, len(qs))
	for i, q := range qs {
		out[i] = storedQuestion{Key: q.Key, Type: q.Type, Label: q.Label, Help: q.Help,
			Required: q.Required, Personal: q.Personal, Removed: q.Removed}
		for _, o := range q.Options {
			out[i].Options = append(out[i].Options, storedOption{Value: o.Value, Label: o.Label, Removed: o.Removed})
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func (qs *questionsJSON) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return fmt.Errorf("store: scan questions: %w", err)
	}
	var in []storedQuestion
	if b != nil {
		if err := json.Unmarshal(b, &in); err != nil {
			return fmt.Errorf("store: scan questions: %w", err)
		}
	}
	out := make(questionsJSON, len(in))
	for i, q := range in {
		out[i] = domain.Question{Key: q.Key, Type: q.Type, Label: q.Label, Help: q.Help,
			Required: q.Required, Personal: q.Personal, Removed: q.Removed}
		for _, o := range q.Options {
			out[i].Options = append(out[i].Options, domain.Option{Value: o.Value, Label: o.Label, Removed: o.Removed})
		}
	}
	*qs = out
	return nil
}

// answersJSON reads and writes a registration's answers as the jsonb
// column registrations.answers.
type answersJSON domain.Answers

func (a answersJSON) Value() (driver.Value, error) {
	if a == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]any(a))
	return string(b), err
}

func (a *answersJSON) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return fmt.Errorf("store: scan answers: %w", err)
	}
	m := map[string]any{}
	if b != nil && string(b) != "{}" { // no answers, as most rows: nothing to decode
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("store: scan answers: %w", err)
		}
	}
	*a = answersJSON(domain.CanonicalAnswers(m))
	return nil
}

func jsonBytes(src any) ([]byte, error) {
	switch v := src.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("cannot scan %T as JSON", src)
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// QuestionCounts are the answers to one question counted per option.
type QuestionCounts struct {
	Key     string        `json:"key"`
	Label   string        `json:"label"` // in English, or the first language it has
	Removed bool          `json:"removed"`
	Options []OptionCount `json:"options"`
}

// OptionCount is how many registrations chose an option ("vegetarian: 7").
type OptionCount struct {
	Value   string `json:"value"` // the option's value; "yes" or "no" for yes_no
	Label   string `json:"label"`
	Removed bool   `json:"removed"` // no longer offered, but chosen before
	Count   int    `json:"count"`
}

// AnswerCounts counts, for each of ev's questions answered by choosing
// (single and multiple choice, yes or no; removed ones too, when answered),
// the registrations in play (pending, confirmed, waitlisted) that chose
// each option, in the question's order: every option offered, even when
// nobody chose it, then removed options and values the question no longer
// knows that somebody chose.
func (s *Store) AnswerCounts(ctx context.Context, ev *domain.Event) ([]QuestionCounts, error) {
	counted := ev.Questions.Counted()
	out := []QuestionCounts{}
	if len(counted) == 0 {
		return out, nil
	}
	keys := make([]string, len(counted))
	for i, q := range counted {
		keys[i] = q.Key
	}
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"` // a JSON value: a string, or true or false
		Count int    `db:"count"`
	}
	// An answer is a value or an array of them; each value chosen counts once.
	if err := s.db.SelectContext(ctx, &rows, `
		SELECT a.key, v.value::text AS value, count(*) AS count
		FROM registrations r
		CROSS JOIN LATERAL jsonb_each(r.answers) AS a (key, answer)
		CROSS JOIN LATERAL jsonb_array_elements(
			CASE WHEN jsonb_typeof(a.answer) = 'array' THEN a.answer ELSE jsonb_build_array(a.answer) END) AS v (value)
		WHERE r.event_id = $1 AND r.status IN ('pending', 'confirmed', 'waitlisted') AND a.key = ANY($2)
		GROUP BY a.key, v.value`, ev.ID, pq.StringArray(keys)); err != nil {
		return nil, fmt.Errorf("store: answer counts: %w", unavailable(err))
	}
	counts := map[string]map[string]int{}
	for _, r := range rows {
		var v any
		if err := json.Unmarshal([]byte(r.Value), &v); err != nil {
			return nil, fmt.Errorf("store: answer counts: %w", err)
		}
		values := domain.AnswerValues(v)
		if len(values) != 1 {
			continue // not a value a choice stores
		}
		if counts[r.Key] == nil {
			counts[r.Key] = map[string]int{}
		}
		counts[r.Key][values[0]] += r.Count
	}
	for _, q := range counted {
		got := counts[q.Key]
		if q.Removed && len(got) == 0 {
			continue
		}
		qc := QuestionCounts{Key: q.Key, Label: q.Label.In("en"), Removed: q.Removed, Options: []OptionCount{}}
		options := q.Options
		if q.Type == domain.QuestionYesNo {
			options = []domain.Option{{Value: "yes", Label: domain.Text{"en": "Yes"}}, {Value: "no", Label: domain.Text{"en": "No"}}}
		}
		seen := map[string]bool{}
		for _, o := range options {
			seen[o.Value] = true
			if o.Removed && got[o.Value] == 0 {
				continue
			}
			qc.Options = append(qc.Options, OptionCount{Value: o.Value, Label: o.Label.In("en"), Removed: o.Removed, Count: got[o.Value]})
		}
		var unknown []string
		for v := range got {
			if !seen[v] {
				unknown = append(unknown, v)
			}
		}
		sort.Strings(unknown)
		for _, v := range unknown {
			qc.Options = append(qc.Options, OptionCount{Value: v, Label: v, Removed: true, Count: got[v]})
		}
		out = append(out, qc)
	}
	return out, nil
}

// answerCondition is registrationWhere's condition that r's answer to the
// question key includes value (an option's value, or true or false for a
// yes_no question). Containment at the top of the answer matches a value
// alone and a value in an array alike (nested, it would not).
func answerCondition(value any) (cond string, arg any) {
	b, _ := json.Marshal(value) // a string or a bool always encodes
	return "r.answers -> ? @> ?::jsonb", string(b)
}

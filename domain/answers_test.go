package domain_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// everyType is one question of each type, none required.
func everyType() []domain.QuestionInput {
	label := func(s string) map[string]string { return map[string]string{"en": s} }
	opts := []domain.OptionInput{{Value: "a", Label: label("A")}, {Value: "b", Label: label("B")}, {Value: "c", Label: label("C")}}
	return []domain.QuestionInput{
		{Key: "t", Type: "text", Label: label("Text")},
		{Key: "lt", Type: "long_text", Label: label("Long text")},
		{Key: "one", Type: "single_choice", Label: label("One"), Options: opts},
		{Key: "many", Type: "multiple_choice", Label: label("Many"), Options: opts},
		{Key: "yn", Type: "yes_no", Label: label("Yes or no")},
		{Key: "d", Type: "date", Label: label("Arrival")},
		{Key: "n", Type: "number", Label: label("Nights")},
		{Key: "e", Type: "email", Label: label("Assistant's email")},
		{Key: "p", Type: "phone", Label: label("Mobile")},
	}
}

func TestAnswersTakeTheirCanonicalForm(t *testing.T) {
	rules := domain.NewRules()
	ev := withQuestions(t, everyType())
	tests := []struct {
		name string
		key  string
		sent any
		want any
	}{
		{"text is trimmed", "t", "  Flight HY 602 ", "Flight HY 602"},
		{"long text keeps its lines", "lt", "wheelchair\r\naccess", "wheelchair\naccess"},
		{"a choice is its value", "one", "b", "b"},
		{"choices keep the options' order", "many", []any{"c", "a", "c"}, []string{"a", "c"}},
		{"a lone choice from the web form", "many", "b", []string{"b"}},
		{"yes from JSON", "yn", true, true},
		{"no from the web form", "yn", "no", false},
		{"a date", "d", "2030-05-29", "2030-05-29"},
		{"a number from JSON", "n", 3.0, 3.0},
		{"a number typed with a comma", "n", "2,5", 2.5},
		{"an email", "e", "assistant@example.org", "assistant@example.org"},
		{"a phone with separators", "p", "+998 (71) 123-45-67", "+998711234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validRegistration()
			in.Answers = map[string]any{tt.key: tt.sent}
			reg, err := rules.NewRegistration(in, ev, registeredAt)
			if err != nil {
				t.Fatal(err)
			}
			got := reg.Answers[tt.key]
			if !domain.SameAnswer(got, tt.want) {
				t.Errorf("answer = %#v, want %#v", got, tt.want)
			}
		})
	}
	t.Run("empty answers are no answers", func(t *testing.T) {
		in := validRegistration()
		in.Answers = map[string]any{"t": "  ", "many": []any{}, "yn": "", "n": nil}
		reg, err := rules.NewRegistration(in, ev, registeredAt)
		if err != nil {
			t.Fatal(err)
		}
		if len(reg.Answers) != 0 {
			t.Errorf("answers = %v, want none", reg.Answers)
		}
	})
}

func TestBadAnswersAreNamedByTheirKey(t *testing.T) {
	rules := domain.NewRules()
	ev := withQuestions(t, everyType())
	tests := []struct {
		name string
		key  string
		sent any
		code string
	}{
		{"a number for text", "t", 5.0, "type"},
		{"text over 500 characters", "t", strings.Repeat("x", 501), "max"},
		{"a line break in one-line text", "t", "a\nb", "nocontrol"},
		{"an option not offered", "one", "z", "oneof"},
		{"one option not offered among several", "many", []any{"a", "z"}, "oneof"},
		{"a list of numbers", "many", []any{1.0}, "type"},
		{"maybe for yes or no", "yn", "maybe", "type"},
		{"a date in another form", "d", "29.05.2030", "date"},
		{"words for a number", "n", "three", "number"},
		{"a huge number", "n", 1e300, "number"},
		{"an email without an at sign", "e", "assistant.example.org", "email"},
		{"a local phone number", "p", "71 123 45 67", "e164"},
		{"an object", "t", map[string]any{"x": 1.0}, "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			in := validRegistration()
			in.Answers = map[string]any{tt.key: tt.sent}
			_, err := rules.NewRegistration(in, ev, registeredAt)
			assertFields(t, err, map[string]string{"answers." + tt.key: tt.code})
		})
	}
	t.Run("an answer to a question not asked is refused", func(t *testing.T) {
		in := validRegistration()
		in.Answers = map[string]any{"shoe_size": "42", "Not A Key!": "x"}
		_, err := rules.NewRegistration(in, ev, registeredAt)
		assertFields(t, err, map[string]string{"answers.shoe_size": "unknown", "answers": "unknown"})
	})
}

func TestRequiredQuestionsMustBeAnswered(t *testing.T) {
	rules := domain.NewRules()
	ev := withQuestions(t, dietQuestions())
	in := validRegistration()
	in.FirstName = ""
	_, err := rules.NewRegistration(in, ev, registeredAt)
	assertFields(t, err, map[string]string{"first_name": "required", "answers.diet": "required"})
	e, _ := domain.AsError(err)
	for _, f := range e.Fields {
		if f.Field == "answers.diet" && f.Message != "Dietary needs is required." {
			t.Errorf("message = %q, want the question's label in it", f.Message)
		}
	}

	in = validRegistration()
	in.Answers = map[string]any{"diet": "vegetarian", "sessions": []any{"services", "open_data"}, "visa_letter": true}
	reg, err := rules.NewRegistration(in, ev, registeredAt)
	if err != nil {
		t.Fatal(err)
	}
	if got := domain.AnswerValues(reg.Answers["sessions"]); !slices.Equal(got, []string{"open_data", "services"}) {
		t.Errorf("sessions = %v", got)
	}
}

func TestAnswersDecodeFromJSON(t *testing.T) {
	var in domain.RegistrationInput
	if err := json.Unmarshal([]byte(`{"answers": {"diet": "halal", "sessions": ["open_data"], "visa_letter": false}}`), &in); err != nil {
		t.Fatal(err)
	}
	ev := withQuestions(t, dietQuestions())
	answers, fields := domain.NewRules().CheckAnswers(ev.Questions, in.Answers, nil)
	if len(fields) > 0 {
		t.Fatal(fields)
	}
	if answers["visa_letter"] != false || answers["diet"] != "halal" {
		t.Errorf("answers = %v", answers)
	}
}

func TestErasureKeepsOnlyAnswersThatAreNotPersonal(t *testing.T) {
	ev := withQuestions(t, dietQuestions())
	kept := ev.Questions.ErasedAnswers(domain.Answers{"diet": "halal", "sessions": []string{"open_data"}, "visa_letter": true, "gone": "x"})
	if len(kept) != 1 || kept["sessions"] == nil {
		t.Errorf("kept = %v, want the sessions alone (not personal)", kept)
	}
}

func TestAnswersFromTheWebForm(t *testing.T) {
	ev := withQuestions(t, dietQuestions())
	form := map[string][]string{
		"answers.diet":        {"halal"},
		"answers.sessions":    {"open_data", "services"},
		"answers.visa_letter": {"no"},
		"answers.shoe_size":   {"42"},
		"first_name":          {"Dilnoza"},
	}
	in := validRegistration()
	in.Answers = ev.Questions.AnswersFromForm(form)
	reg, err := domain.NewRules().NewRegistration(in, ev, registeredAt)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Answers["diet"] != "halal" || reg.Answers["visa_letter"] != false ||
		!slices.Equal(domain.AnswerValues(reg.Answers["sessions"]), []string{"open_data", "services"}) || len(reg.Answers) != 3 {
		t.Errorf("answers = %#v", reg.Answers)
	}
	in.Answers = ev.Questions.AnswersFromForm(map[string][]string{"answers.sessions": {"services"}})
	_, err = domain.NewRules().NewRegistration(in, ev, registeredAt)
	assertFields(t, err, map[string]string{"answers.diet": "required"})
}

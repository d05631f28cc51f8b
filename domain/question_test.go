package domain_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// dietQuestions are the questions of a workshop that asks for dietary
// needs (one choice, required), the sessions attended (several) and a visa
// letter (yes or no).
func dietQuestions() []domain.QuestionInput {
	return []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Required: ptr(true),
			Label: map[string]string{"en": "Dietary needs", "ru": "Питание"},
			Options: []domain.OptionInput{
				{Value: "none", Label: map[string]string{"en": "No special needs", "ru": "Без ограничений"}},
				{Value: "vegetarian", Label: map[string]string{"en": "Vegetarian", "ru": "Вегетарианское"}},
				{Value: "halal", Label: map[string]string{"en": "Halal", "ru": "Халяль"}},
			}},
		{Key: "sessions", Type: "multiple_choice", Personal: ptr(false),
			Label: map[string]string{"en": "Sessions", "ru": "Секции"},
			Options: []domain.OptionInput{
				{Value: "open_data", Label: map[string]string{"en": "Open data", "ru": "Открытые данные"}},
				{Value: "services", Label: map[string]string{"en": "Integrated services", "ru": "Интегрированные услуги"}},
			}},
		{Key: "visa_letter", Type: "yes_no", Label: map[string]string{"en": "I need a visa invitation letter"}},
	}
}

func withQuestions(t *testing.T, in []domain.QuestionInput) *domain.Event {
	t.Helper()
	ev := workshop()
	qs, fields := domain.SetQuestions(nil, in)
	if len(fields) > 0 {
		t.Fatalf("SetQuestions: %v", fields)
	}
	ev.Questions = qs
	return ev
}

func TestSetQuestionsKeepsOrderAndDefaults(t *testing.T) {
	qs, fields := domain.SetQuestions(nil, dietQuestions())
	if len(fields) > 0 {
		t.Fatalf("field errors: %v", fields)
	}
	var keys []string
	for _, q := range qs {
		keys = append(keys, q.Key)
	}
	if strings.Join(keys, ",") != "diet,sessions,visa_letter" {
		t.Errorf("keys = %v, want the order sent", keys)
	}
	if !qs[0].Required || qs[1].Required {
		t.Errorf("required = %v, %v; want true, false as sent", qs[0].Required, qs[1].Required)
	}
	if !qs[0].Personal || qs[1].Personal || !qs[2].Personal {
		t.Errorf("personal = %v %v %v; want true unless sent false", qs[0].Personal, qs[1].Personal, qs[2].Personal)
	}
}

func TestSetQuestionsRefusesBadDefinitions(t *testing.T) {
	choice := func(q domain.QuestionInput) []domain.QuestionInput { return []domain.QuestionInput{q} }
	label := map[string]string{"en": "Label"}
	opts := []domain.OptionInput{{Value: "a", Label: label}}
	tests := []struct {
		name string
		in   []domain.QuestionInput
		want map[string]string
	}{
		{"a question without key, type or label", choice(domain.QuestionInput{}),
			map[string]string{"questions[0].key": "required", "questions[0].type": "required", "questions[0].label": "required"}},
		{"a key with capitals and spaces", choice(domain.QuestionInput{Key: "Diet needs", Type: "text", Label: label}),
			map[string]string{"questions[0].key": "key"}},
		{"an unknown type", choice(domain.QuestionInput{Key: "x", Type: "slider", Label: label}),
			map[string]string{"questions[0].type": "oneof"}},
		{"a choice without options", choice(domain.QuestionInput{Key: "x", Type: "single_choice", Label: label}),
			map[string]string{"questions[0].options": "required"}},
		{"options on a text question", choice(domain.QuestionInput{Key: "x", Type: "text", Label: label, Options: opts}),
			map[string]string{"questions[0].options": "options"}},
		{"two options with one value", choice(domain.QuestionInput{Key: "x", Type: "multiple_choice", Label: label,
			Options: []domain.OptionInput{{Value: "a", Label: label}, {Value: "a", Label: label}}}),
			map[string]string{"questions[0].options[1].value": "unique"}},
		{"an option without a label", choice(domain.QuestionInput{Key: "x", Type: "single_choice", Label: label,
			Options: []domain.OptionInput{{Value: "a"}}}),
			map[string]string{"questions[0].options[0].label": "required"}},
		{"a label in a language attend does not speak", choice(domain.QuestionInput{Key: "x", Type: "text",
			Label: map[string]string{"de": "Essen"}}),
			map[string]string{"questions[0].label": "languages"}},
		{"a label with a line break", choice(domain.QuestionInput{Key: "x", Type: "text",
			Label: map[string]string{"en": "a\nb"}}),
			map[string]string{"questions[0].label.en": "nocontrol"}},
		{"a help text too long", choice(domain.QuestionInput{Key: "x", Type: "text", Label: label,
			Help: map[string]string{"ru": strings.Repeat("я", 1001)}}),
			map[string]string{"questions[0].help.ru": "max"}},
		{"two questions with one key", []domain.QuestionInput{
			{Key: "x", Type: "text", Label: label}, {Key: "x", Type: "date", Label: label}},
			map[string]string{"questions[1].key": "unique"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, fields := domain.SetQuestions(nil, tt.in)
			assertFields(t, domain.ValidationError(fields), tt.want)
		})
	}
}

func TestChangingQuestionsKeepsWhatAnswersNeed(t *testing.T) {
	old, _ := domain.SetQuestions(nil, dietQuestions())
	changed := dietQuestions()[:1] // sessions and visa_letter are left out
	changed[0].Label = map[string]string{"en": "Meals"}
	changed[0].Options = changed[0].Options[:2] // halal is left out

	qs, fields := domain.SetQuestions(old, changed)
	if len(fields) > 0 {
		t.Fatalf("field errors: %v", fields)
	}
	if asked := qs.Asked(); len(asked) != 1 || asked[0].Label["en"] != "Meals" || len(asked[0].Options) != 2 {
		t.Errorf("asked = %+v, want diet alone, renamed, with two options", asked)
	}
	for _, key := range []string{"sessions", "visa_letter"} {
		if q, ok := qs.Find(key); !ok || !q.Removed {
			t.Errorf("question %s: found %v, removed %v; want it kept as removed", key, ok, q.Removed)
		}
	}
	diet, _ := qs.Find("diet")
	if o, ok := diet.Option("halal"); !ok || !o.Removed || o.Label["ru"] != "Халяль" {
		t.Errorf("option halal = %+v (found %v), want it kept, removed, with its labels", o, ok)
	}
	b, err := json.Marshal(qs)
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, "halal") || strings.Contains(s, "sessions") {
		t.Errorf("JSON = %s, want only what is asked now", s)
	}

	t.Run("a removed question sent again is asked again", func(t *testing.T) {
		again, fields := domain.SetQuestions(qs, dietQuestions())
		if len(fields) > 0 {
			t.Fatalf("field errors: %v", fields)
		}
		if n := len(again.Asked()); n != 3 {
			t.Errorf("%d questions asked, want 3", n)
		}
		diet, _ := again.Find("diet")
		if o, _ := diet.Option("halal"); o.Removed {
			t.Error("option halal is still removed")
		}
	})
	t.Run("a question's type cannot change", func(t *testing.T) {
		in := dietQuestions()
		in[2].Type = "text"
		_, fields := domain.SetQuestions(qs, in)
		assertFields(t, domain.ValidationError(fields), map[string]string{"questions[2].type": "readonly"})
	})
}

func TestEventInputTakesQuestions(t *testing.T) {
	rules := domain.NewRules()
	var in domain.EventInput
	body := `{"slug": "w", "title": "W", "country": "UZ", "timezone": "Asia/Tashkent",
		"starts_on": "2030-05-30", "ends_on": "2030-05-31",
		"questions": [{"key": "diet", "type": "single_choice", "required": true, "label": {"en": "Diet"},
			"options": [{"value": "vegetarian", "label": {"en": "Vegetarian"}}]}]}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	ev, err := rules.NewEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Questions) != 1 || ev.Questions[0].Options[0].Value != "vegetarian" {
		t.Fatalf("questions = %+v", ev.Questions)
	}
	err = rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Optional[[]domain.QuestionInput]{Set: true, Null: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Questions.Asked()) != 0 || len(ev.Questions) != 1 {
		t.Errorf("after null: %+v, want the question kept as removed", ev.Questions)
	}
	err = rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Some([]domain.QuestionInput{{Key: "BAD"}})})
	fields := fieldCodes(t, err)
	if fields["questions[0].key"] != "key" {
		t.Errorf("field errors = %v, want questions[0].key", fields)
	}
}

func TestTextFallsBackThroughLanguages(t *testing.T) {
	tests := []struct {
		text      domain.Text
		lang      string
		fallbacks []string
		want      string
	}{
		{domain.Text{"en": "Diet", "ru": "Питание"}, "ru", nil, "Питание"},
		{domain.Text{"en": "Diet", "ru": "Питание"}, "uz", nil, "Diet"},
		{domain.Text{"en": "Diet", "ru": "Питание"}, "uz", []string{"ru"}, "Питание"},
		{domain.Text{"uz": "Ovqat", "ru": "Питание"}, "en", nil, "Питание"},
		{domain.Text{}, "en", nil, ""},
	}
	for _, tt := range tests {
		if got := tt.text.In(tt.lang, tt.fallbacks...); got != tt.want {
			t.Errorf("%v.In(%q, %v) = %q, want %q", tt.text, tt.lang, tt.fallbacks, got, tt.want)
		}
	}
}

package i18n_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

func questionEvent(t *testing.T) *domain.Event {
	t.Helper()
	ev := &domain.Event{StartsOn: domain.NewDate(2030, time.May, 30), EndsOn: domain.NewDate(2030, time.May, 31),
		Languages: []string{"ru", "en"}}
	qs, fields := domain.SetQuestions(nil, []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Required: ptr(true),
			Label: map[string]string{"en": "Dietary needs", "ru": "Питание"},
			Help:  map[string]string{"en": "For the lunches."},
			Options: []domain.OptionInput{
				{Value: "vegetarian", Label: map[string]string{"en": "Vegetarian", "ru": "Вегетарианское"}},
				{Value: "halal", Label: map[string]string{"en": "Halal", "ru": "Халяль"}},
			}},
		{Key: "sessions", Type: "multiple_choice", Label: map[string]string{"ru": "Секции"},
			Options: []domain.OptionInput{
				{Value: "open_data", Label: map[string]string{"ru": "Открытые данные"}},
				{Value: "services", Label: map[string]string{"en": "Services"}},
			}},
		{Key: "visa_letter", Type: "yes_no", Label: map[string]string{"en": "Visa letter", "uz": "Viza xati"}},
		{Key: "nights", Type: "number", Label: map[string]string{"en": "Nights"}},
	})
	if len(fields) > 0 {
		t.Fatal(fields)
	}
	ev.Questions = qs
	return ev
}

func ptr[T any](v T) *T { return &v }

func TestAnswersReadInTheReadersLanguage(t *testing.T) {
	b := newBundle(t)
	ev := questionEvent(t)
	q := func(key string) domain.Question { q, _ := ev.Questions.Find(key); return q }
	tests := []struct {
		lang, key string
		v         any
		want      string
	}{
		{"ru", "diet", "vegetarian", "Вегетарианское"},
		{"en", "diet", "vegetarian", "Vegetarian"},
		{"uz", "diet", "halal", "Халяль"}, // no Uzbek label: the event's first language
		{"en", "sessions", []string{"open_data", "services"}, "Открытые данные; Services"},
		{"ru", "visa_letter", true, "Да"},
		{"uz", "visa_letter", false, "Yoʻq"},
		{"ru", "nights", 2.5, "2,5"},
		{"en", "nights", 2.5, "2.5"},
		{"en", "diet", "gone", "gone"},
		{"en", "diet", nil, ""},
	}
	for _, tt := range tests {
		if got := b.Localizer(tt.lang).Answer(q(tt.key), tt.v, ev.Languages); got != tt.want {
			t.Errorf("%s %s %v = %q, want %q", tt.lang, tt.key, tt.v, got, tt.want)
		}
	}
}

func TestDelegationsAreNamedInEachLanguage(t *testing.T) {
	b := newBundle(t)
	for lang, want := range map[string]string{"en": "OECD", "ru": "ОЭСР", "uz": "IHTT"} {
		if got := b.Localizer(lang).Delegation("OECD"); got != want {
			t.Errorf("%s OECD = %q, want %q", lang, got, want)
		}
	}
	if got := b.Localizer("ru").Delegation("FR"); got != "Франция" {
		t.Errorf("ru FR = %q", got)
	}
	orgs := b.Localizer("en").Organizations()
	if len(orgs) < 10 || !strings.HasPrefix(orgs[0].Name, "ADB — ") {
		t.Errorf("organizations = %v, want them sorted by name, short name first", orgs)
	}
	extra, err := domain.NewDelegations([]domain.Organization{{Code: "ACSH", Short: domain.Text{"en": "Hub", "ru": "Хаб"}, Name: domain.Text{"en": "Astana Civil Service Hub"}}})
	if err != nil {
		t.Fatal(err)
	}
	withHub, err := i18n.New(i18n.WithDelegations(extra))
	if err != nil {
		t.Fatal(err)
	}
	if got := withHub.Localizer("ru").Delegation("ACSH"); got != "Хаб" {
		t.Errorf("ru ACSH = %q", got)
	}
	if got := withHub.Localizer("uz").DelegationName("ACSH"); got != "Astana Civil Service Hub" {
		t.Errorf("uz ACSH name = %q", got)
	}
}

func TestFormDescribesFieldsAndQuestions(t *testing.T) {
	b := newBundle(t)
	ev := questionEvent(t)
	f := b.Localizer("ru").Form(ev)
	names := map[string]i18n.FormField{}
	for _, fld := range f.Fields {
		names[fld.Name] = fld
	}
	for _, name := range []string{"first_name", "latin_first_name", "email", "country", "delegation", "role", "days", "consent"} {
		if names[name].Label == "" {
			t.Errorf("field %s missing or unlabelled: %+v", name, names[name])
		}
	}
	if d := names["days"]; len(d.Options) != 2 || d.Options[0].Value != "2030-05-30" {
		t.Errorf("days = %+v", d)
	}
	if d := names["delegation"]; len(d.Groups) != 2 || d.Groups[0].Label != "Международные организации" {
		t.Errorf("delegation groups = %+v", d.Groups)
	}
	if len(f.Questions) != 4 {
		t.Fatalf("questions = %+v", f.Questions)
	}
	diet := f.Questions[0]
	if diet.Name != "answers.diet" || diet.Label != "Питание" || diet.Hint != "For the lunches." || !diet.Required ||
		len(diet.Options) != 2 || diet.Options[1].Label != "Халяль" {
		t.Errorf("diet = %+v", diet)
	}
	if yn := f.Questions[2]; yn.Options[0].Label != "Да" {
		t.Errorf("visa letter = %+v", yn)
	}
}

func TestAnswerErrorsAreTranslated(t *testing.T) {
	b := newBundle(t)
	ev := questionEvent(t)
	in := domain.RegistrationInput{Answers: map[string]any{"sessions": []any{"x"}, "nights": "many", "shoe": "42"}}
	_, fields := domain.NewRules().CheckAnswers(ev.Questions, in.Answers, nil)
	want := map[string]string{
		"answers.diet":     "Ответьте на этот вопрос.",
		"answers.sessions": "Выберите один из предложенных вариантов.",
		"answers.nights":   "Введите число, например 2 или 2,5.",
		"answers.shoe":     "В этом мероприятии нет такого вопроса.",
	}
	ru := b.Localizer("ru")
	for _, fe := range fields {
		if got := ru.FieldError(fe); got != want[fe.Field] {
			t.Errorf("%s (%s) = %q, want %q", fe.Field, fe.Code, got, want[fe.Field])
		}
	}
	if len(fields) != len(want) {
		t.Errorf("%d errors, want %d: %v", len(fields), len(want), fields)
	}
}

func TestChangesReadInTheEmailsLanguage(t *testing.T) {
	b := newBundle(t)
	ev := questionEvent(t)
	ru := b.Localizer("ru")
	tests := []struct {
		change                   domain.Change
		label, before, afterward string
	}{
		{domain.Change{Field: "last_name", Old: []string{"Юсупова"}, New: []string{"Юсупова-Каримова"}}, "Фамилия", "Юсупова", "Юсупова-Каримова"},
		{domain.Change{Field: "delegation", Old: []string{"FR"}, New: []string{"OECD"}}, "Делегация", "Франция", "ОЭСР"},
		{domain.Change{Field: "answers.diet", Old: nil, New: []string{"halal"}}, "Питание", "(не указано)", "Халяль"},
		{domain.Change{Field: "answers.visa_letter", Old: []string{"yes"}, New: []string{"no"}}, "Visa letter", "Да", "Нет"},
	}
	for _, tt := range tests {
		label, before, after := ru.ChangeText(tt.change, ev.Questions, ev.Languages)
		if label != tt.label || before != tt.before || after != tt.afterward {
			t.Errorf("%s: %q %q → %q, want %q %q → %q", tt.change.Field, label, before, after, tt.label, tt.before, tt.afterward)
		}
	}
}

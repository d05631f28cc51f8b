package i18n_test

import (
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// TestEventFormErrorsAreTranslated: the dashboard's event form shows the
// domain's validation errors by code, each with a label, in every language,
// translated texts included.
func TestEventFormErrorsAreTranslated(t *testing.T) {
	b := newBundle(t)
	rules := domain.NewRules()
	var fields []domain.FieldError
	collect := func(err error) {
		t.Helper()
		e, ok := domain.AsError(err)
		if !ok || len(e.Fields) == 0 {
			t.Fatalf("want field errors, got %v", err)
		}
		fields = append(fields, e.Fields...)
	}
	_, err := rules.NewEvent(domain.EventInput{})
	collect(err)
	_, err = rules.NewEvent(domain.EventInput{
		Slug: domain.Some("Bad Slug"), Title: domain.Some(strings.Repeat("t", 201)), Country: domain.Some("XX"),
		Timezone: domain.Some("Mars/Olympus"), StartsOn: domain.Some("2019-05-31"), EndsOn: domain.Some("2019-05-30"),
		DayStartsAt: domain.Some("9"), Capacity: domain.Some(0), RegistrationOpensAt: domain.Some("soon"),
		ConfirmWithinHours: domain.Some(5000), ReminderDaysBefore: domain.Some(31), RetentionDays: domain.Some(0),
		CoOrganizers: domain.Some([]string{"Hub"}), Languages: domain.Some([]string{"en", "en", "de"}),
		Translations: domain.Some(map[string]*domain.EventText{
			"ru": {Title: strings.Repeat("т", 201), CoOrganizers: []string{"Хаб", "Лишний"}}, "de": {Title: "x"},
		}),
	})
	collect(err)
	_, err = rules.NewEvent(domain.EventInput{Slug: domain.Some("a"), Title: domain.Some("A"), Country: domain.Some("UZ"),
		Timezone: domain.Some("Asia/Tashkent"), StartsOn: domain.Some("2019-05-01"), EndsOn: domain.Some("2019-07-01"),
		DayStartsAt: domain.Some("18:00"), DayEndsAt: domain.Some("09:00"), Capacity: domain.Some(2000000),
		RegistrationOpensAt: domain.Some("2019-04-02T00:00:00Z"), RegistrationClosesAt: domain.Some("2019-04-01T00:00:00Z"),
		Languages: domain.Some([]string{})})
	collect(err)
	_, err = domain.MemberInput{Email: "x", Role: "owner", Language: "de"}.Validate()
	collect(err)

	for _, lang := range []string{"en", "ru", "uz"} {
		l := b.Localizer(lang)
		for _, fe := range fields {
			label, msg := l.FieldLabel(fe.Field), l.FieldError(fe)
			if strings.HasPrefix(label, "field.") || strings.HasPrefix(msg, "error.") || msg == l.T("error.invalid", nil) {
				t.Errorf("%s: %s/%s reads %q: %q", lang, fe.Field, fe.Code, label, msg)
			}
			if strings.Contains(msg, "character") && fe.Code == "max" && !strings.HasPrefix(strings.TrimPrefix(fe.Field, "translations.ru."), "title") {
				t.Errorf("%s: %s/%s speaks of characters: %q", lang, fe.Field, fe.Code, msg)
			}
		}
	}
	ru := b.Localizer("ru")
	if got := ru.FieldLabel("translations.uz.co_organizers[1]"); got != "Соорганизаторы (Oʻzbekcha)" {
		t.Errorf("ru label of an Uzbek co-organizer = %q", got)
	}
	if got := ru.FieldError(domain.FieldError{Field: "translations.ru.co_organizers", Code: "max", Param: "1"}); !strings.Contains(got, "соорганизатор") {
		t.Errorf("ru error of too many translated co-organizers = %q", got)
	}
}

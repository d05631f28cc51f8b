package i18n_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

func newBundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatalf("i18n.New: %v", err)
	}
	return b
}

func TestMessagesExistInEveryLanguage(t *testing.T) {
	b := newBundle(t)
	all := map[string]bool{}
	for _, lang := range i18n.Supported {
		for _, id := range b.MessageIDs(lang) {
			all[id] = true
		}
	}
	if len(all) < 100 {
		t.Fatalf("only %d message ids loaded; are the message files embedded?", len(all))
	}
	for _, lang := range i18n.Supported {
		have := map[string]bool{}
		for _, id := range b.MessageIDs(lang) {
			have[id] = true
		}
		for id := range all {
			if !have[id] {
				t.Errorf("message %q is missing from active.%s.toml", id, lang)
			}
		}
	}
}

func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	b := newBundle(t)
	data := map[string]any{"Field": "F", "Param": "1", "Date": "D", "Time": "T", "Zone": "Z",
		"Start": "S", "End": "E", "Address": "A", "ID": "I", "Message": "M",
		"Contact": "C", "Delegation": "KZ", "Quota": "3", "Left": "1", "List": "L", "Count": "2"}
	for _, lang := range i18n.Supported {
		l := b.Localizer(lang)
		for _, id := range b.MessageIDs(lang) {
			for _, n := range []int{1, 2, 5, 21, 100} {
				got := l.Plural(id, n, data)
				if got == id || strings.Contains(got, "<no value>") {
					t.Errorf("%s %s (count %d) renders as %q", lang, id, n, got)
				}
			}
		}
	}
}

func TestRussianPluralsUseTheRightForm(t *testing.T) {
	l := newBundle(t).Localizer("ru")
	for n, want := range map[int]string{1: "Осталось 1 место", 3: "Осталось 3 места", 5: "Осталось 5 мест", 21: "Осталось 21 место", 12: "Осталось 12 мест"} {
		if got := l.Plural("event.seats_left", n, nil); got != want {
			t.Errorf("seats_left(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestUzbekUsesTheModifierLetterForOAndG(t *testing.T) {
	b := newBundle(t)
	l := b.Localizer("uz")
	for _, id := range b.MessageIDs("uz") {
		s := l.Plural(id, 2, map[string]any{"Field": "", "Param": ""})
		for _, bad := range []string{"o'", "g'", "o‘", "g‘", "o’", "g’", "O'", "G'", "O‘", "G‘"} {
			if strings.Contains(s, bad) {
				t.Errorf("uz %s writes %q instead of ʻ: %q", id, bad, s)
			}
		}
	}
	for _, c := range b.Countries("uz") {
		if strings.ContainsRune(c.Name, '\u2018') {
			t.Errorf("uz country %s is written with ‘: %q", c.Code, c.Name)
		}
	}
}

func TestSupportedLanguagesAreTheDomains(t *testing.T) {
	if !slices.Equal(i18n.Supported, domain.Languages) {
		t.Errorf("i18n.Supported %v, domain.Languages %v", i18n.Supported, domain.Languages)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name                  string
		query, cookie, accept string
		want                  string
	}{
		{"nothing at all gives English", "", "", "", "en"},
		{"the query wins over everything", "uz", "ru", "ru-RU,ru;q=0.9", "uz"},
		{"the query is read case-insensitively", "RU", "", "", "ru"},
		{"a regional query tag counts as its language", "ru-RU", "", "", "ru"},
		{"an unknown query falls through to the cookie", "de", "ru", "en", "ru"},
		{"the cookie wins over the browser", "", "uz", "ru", "uz"},
		{"a bad cookie falls through to the browser", "", "xx", "ru", "ru"},
		{"the browser's first supported language is chosen", "", "", "de-DE,de;q=0.9,ru;q=0.8,en;q=0.5", "ru"},
		{"Uzbek in the browser", "", "", "uz-Latn-UZ,uz;q=0.9", "uz"},
		{"an unsupported browser language gives English", "", "", "de-DE,fr;q=0.5", "en"},
		{"a malformed header gives English", "", "", ";;;===", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.Negotiate(tt.query, tt.cookie, tt.accept); got != tt.want {
				t.Errorf("Negotiate(%q, %q, %q) = %q, want %q", tt.query, tt.cookie, tt.accept, got, tt.want)
			}
		})
	}
}

func TestMatchAcceptLanguageSaysWhenNothingMatches(t *testing.T) {
	tests := []struct {
		header string
		want   string
		ok     bool
	}{
		{"ru-RU,ru;q=0.9,en;q=0.5", "ru", true},
		{"uz-Latn-UZ", "uz", true},
		{"en-GB", "en", true},
		{"de-DE,fr;q=0.5", "", false},
		{"*", "", false},
		{"", "", false},
		{";;;===", "", false},
	}
	for _, tt := range tests {
		if got, ok := i18n.MatchAcceptLanguage(tt.header); got != tt.want || ok != tt.ok {
			t.Errorf("MatchAcceptLanguage(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCountriesAreTranslatedAndSorted(t *testing.T) {
	b := newBundle(t)
	want := map[string]map[string]string{
		"en": {"UZ": "Uzbekistan", "AM": "Armenia", "EE": "Estonia", "MK": "North Macedonia"},
		"ru": {"UZ": "Узбекистан", "AM": "Армения", "EE": "Эстония", "KZ": "Казахстан", "GE": "Грузия"},
		"uz": {"UZ": "Oʻzbekiston", "AM": "Armaniston", "KZ": "Qozogʻiston", "KG": "Qirgʻiziston", "AZ": "Ozarbayjon"},
	}
	for _, lang := range i18n.Supported {
		t.Run(lang, func(t *testing.T) {
			list := b.Countries(lang)
			if len(list) != len(domain.CountryCodes()) {
				t.Fatalf("%d countries, want %d", len(list), len(domain.CountryCodes()))
			}
			names := map[string]string{}
			for _, c := range list {
				names[c.Code] = c.Name
			}
			for code, name := range want[lang] {
				if names[code] != name {
					t.Errorf("%s is %q, want %q", code, names[code], name)
				}
			}
			col := collate.New(language.Make(lang))
			if !slices.IsSortedFunc(list, func(a, b i18n.Country) int { return col.CompareString(a.Name, b.Name) }) {
				t.Errorf("the %s list is not in %s collation order", lang, lang)
			}
		})
	}
	ru := b.Countries("ru")
	if ru[0].Name != "Австралия" {
		t.Errorf("the Russian list starts with %q, want Австралия (Cyrillic order, not by code)", ru[0].Name)
	}
}

func TestFieldErrorsAreTranslatedByCode(t *testing.T) {
	b := newBundle(t)
	ev := &domain.Event{StartsOn: domain.NewDate(2019, time.May, 30), EndsOn: domain.NewDate(2019, time.May, 31), Languages: []string{"en"}}
	no := false
	_, err := domain.NewRules().NewRegistration(domain.RegistrationInput{
		Email: "not an email", Country: "XX", Role: "boss", Phone: "12", Language: "de",
		FirstName: strings.Repeat("a", 101), Consent: &no, Days: []string{"2019-06-01", "yesterday"},
	}, ev, time.Now())
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, lang := range i18n.Supported {
		l := b.Localizer(lang)
		for _, fe := range e.Fields {
			got := l.FieldError(fe)
			if got == "" || strings.HasPrefix(got, "error.") {
				t.Errorf("%s: %s/%s is not translated: %q", lang, fe.Field, fe.Code, got)
			}
			if lang != "en" && got == fe.Message {
				t.Errorf("%s: %s/%s shows the English API message", lang, fe.Field, fe.Code)
			}
		}
	}
	ru := b.Localizer("ru")
	if got := ru.FieldError(domain.FieldError{Field: "first_name", Code: "max", Param: "100"}); got != "Не более 100 символов." {
		t.Errorf("ru max = %q", got)
	}
	if got := ru.FieldError(domain.FieldError{Field: "consent", Code: "accepted"}); !strings.Contains(got, "согласие") {
		t.Errorf("ru consent = %q", got)
	}
	if got := b.Localizer("uz").FieldError(domain.FieldError{Field: "email", Code: "required"}); got != "Elektron pochta manzilingizni kiriting." {
		t.Errorf("uz email required = %q", got)
	}
}

func TestRolesAndStatusesHaveLabels(t *testing.T) {
	b := newBundle(t)
	for _, lang := range i18n.Supported {
		l := b.Localizer(lang)
		for _, r := range domain.Roles {
			if got := l.Role(r); got == "" || strings.HasPrefix(got, "role.") {
				t.Errorf("%s role %s has no label", lang, r)
			}
		}
		for _, s := range domain.Statuses {
			if got := l.Status(s); got == "" || strings.HasPrefix(got, "status.") {
				t.Errorf("%s status %s has no label", lang, s)
			}
		}
	}
	if got := b.Localizer("uz").LanguageName("uz"); got != "Oʻzbekcha" {
		t.Errorf("uz native name = %q", got)
	}
}

func TestUnknownLanguageFallsBackToEnglish(t *testing.T) {
	b := newBundle(t)
	if got := b.Localizer("de").Lang(); got != "en" {
		t.Errorf("Localizer(de).Lang() = %q", got)
	}
	if got := b.Countries("de"); got[0].Name != b.Countries("en")[0].Name {
		t.Errorf("Countries(de) is not the English list")
	}
}

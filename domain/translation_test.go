package domain_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// translatedWorkshop is the Tashkent workshop with its texts in Russian
// and, partly, in Uzbek.
func translatedWorkshop(t *testing.T) *domain.Event {
	t.Helper()
	in := validEventInput()
	in.Venue = domain.Some("Academy of Public Administration")
	in.City = domain.Some("Tashkent")
	in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub", "Academy of Public Administration"})
	in.Translations = domain.Some(map[string]*domain.EventText{
		"ru": {Title: "Международный семинар по развитию электронного правительства", Venue: "Академия государственного управления",
			City: "Ташкент", CoOrganizers: []string{"Астанинский хаб", "Академия государственного управления"}},
		"uz": {City: "Toshkent", CoOrganizers: []string{"", "Davlat boshqaruvi akademiyasi"}},
	})
	ev, err := domain.NewRules().NewEvent(in)
	if err != nil {
		t.Fatalf("NewEvent: %v", err)
	}
	return ev
}

func TestAnEventReadsInTheReadersLanguageAndFallsBackFieldByField(t *testing.T) {
	ev := translatedWorkshop(t)
	cases := []struct {
		lang               string
		title, venue, city string
		coOrganizers       []string
		description        string
	}{
		{"ru", "Международный семинар по развитию электронного правительства", "Академия государственного управления", "Ташкент",
			[]string{"Астанинский хаб", "Академия государственного управления"}, ""},
		// Uzbek gives the city and the second co-organizer only.
		{"uz", ev.Title, "Academy of Public Administration", "Toshkent",
			[]string{"Astana Civil Service Hub", "Davlat boshqaruvi akademiyasi"}, ""},
		{"en", ev.Title, "Academy of Public Administration", "Tashkent", ev.CoOrganizers, ""},
		{"de", ev.Title, "Academy of Public Administration", "Tashkent", ev.CoOrganizers, ""},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			got := ev.In(c.lang)
			if got.Title != c.title || got.Venue != c.venue || got.City != c.city || !slices.Equal(got.CoOrganizers, c.coOrganizers) {
				t.Errorf("In(%s) = %q / %q / %q / %q, want %q / %q / %q / %q", c.lang,
					got.Title, got.Venue, got.City, got.CoOrganizers, c.title, c.venue, c.city, c.coOrganizers)
			}
			if got.Slug != ev.Slug || got.StartsOn != ev.StartsOn {
				t.Errorf("In(%s) changed more than texts", c.lang)
			}
		})
	}
	if ev.Title != "International workshop on e-government development" {
		t.Errorf("In changed the event itself: title %q", ev.Title)
	}
}

func TestAPatchOfTranslationsReplacesTheLanguagesItSendsAndNullRemovesOne(t *testing.T) {
	rules := domain.NewRules()
	ev := translatedWorkshop(t)
	err := rules.ApplyPatch(ev, domain.EventInput{Translations: domain.Some(map[string]*domain.EventText{
		"uz": nil,
		"en": {Title: "  Workshop on e-government  "},
	})})
	if err != nil {
		t.Fatalf("ApplyPatch: %v", err)
	}
	if _, ok := ev.Translations["uz"]; ok {
		t.Errorf("uz was not removed: %+v", ev.Translations)
	}
	if got := ev.Translations["ru"].City; got != "Ташкент" {
		t.Errorf("ru city = %q; a language not sent must be left alone", got)
	}
	if got := ev.Translations["en"].Title; got != "Workshop on e-government" {
		t.Errorf("en title = %q, want it trimmed", got)
	}
	// A text with nothing in it is no translation, whatever a form sends.
	if err := rules.ApplyPatch(ev, domain.EventInput{Translations: domain.Some(map[string]*domain.EventText{
		"en": {CoOrganizers: []string{"", ""}},
	})}); err != nil {
		t.Fatal(err)
	}
	if _, ok := ev.Translations["en"]; ok {
		t.Errorf("an empty en text was kept: %+v", ev.Translations["en"])
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"translations":{"ru":{"title":"Международный`) {
		t.Errorf("JSON = %s, want the translations keyed by language", b)
	}
}

func TestTranslationsAreValidatedLikeTheMainText(t *testing.T) {
	long := strings.Repeat("я", 201)
	in := validEventInput()
	in.CoOrganizers = domain.Some([]string{"Astana Civil Service Hub"})
	in.Translations = domain.Some(map[string]*domain.EventText{
		"ru": {Title: long, City: "Таш\nкент", CoOrganizers: []string{"Хаб", "Лишний"}},
		"de": {Title: "Workshop"},
		"uz": {Venue: strings.Repeat("a", 201), Description: "Bir\nikki", CoOrganizers: []string{"Hab\tmarkazi"}},
	})
	_, err := domain.NewRules().NewEvent(in)
	assertFields(t, err, map[string]string{
		"translations.de":                  "oneof",
		"translations.ru.title":            "max",
		"translations.ru.city":             "nocontrol",
		"translations.ru.co_organizers":    "max",
		"translations.uz.venue":            "max",
		"translations.uz.co_organizers[0]": "nocontrol",
	})
	e, _ := domain.AsError(err)
	for _, f := range e.Fields {
		if f.Field == "translations.ru.title" && f.Message != "Title (ru) must be at most 200 characters long." {
			t.Errorf("message = %q", f.Message)
		}
	}
}

func TestShorteningCoOrganizersRefusesTranslationsThatNoLongerMatch(t *testing.T) {
	ev := translatedWorkshop(t)
	err := domain.NewRules().ApplyPatch(ev, domain.EventInput{CoOrganizers: domain.Some([]string{"Astana Civil Service Hub"})})
	assertFields(t, err, map[string]string{
		"translations.ru.co_organizers": "max",
		"translations.uz.co_organizers": "max",
	})
}

func TestTheDashboardsOwnAddressesAreNoSlugs(t *testing.T) {
	in := validEventInput()
	in.Slug = domain.Some("new")
	_, err := domain.NewRules().NewEvent(in)
	assertFields(t, err, map[string]string{"slug": "reserved"})
}

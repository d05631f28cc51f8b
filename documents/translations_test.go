package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// translatedWorkshop is the workshop with its texts in Russian.
func translatedWorkshop() *domain.Event {
	ev := workshop()
	ev.Translations = domain.EventTranslations{"ru": {
		Title: "Международный семинар по развитию электронного правительства", City: "Ташкент",
		CoOrganizers: []string{"Астанинский хаб государственной службы"},
	}}
	return ev
}

// TestDocumentsNameTheEventInTheirLanguage: a Russian sign-in sheet, badge
// sheet and report, and a Russian participant's certificate, carry the
// Russian title; an English certificate of the same event keeps the main
// text.
func TestDocumentsNameTheEventInTheirLanguage(t *testing.T) {
	ru := localizer(t, "ru")
	person := participant(1, "Нино", "Беридзе", "GE", attended(day1, day2), language("ru"))
	docs := map[string]func(*bytes.Buffer) error{
		"sign-in sheet": func(b *bytes.Buffer) error {
			return documents.SignInSheet(b, translatedWorkshop(), day1, ru, seq(person))
		},
		"badges": func(b *bytes.Buffer) error {
			_, err := documents.Badges(b, translatedWorkshop(), ru, seq(person))
			return err
		},
		"report": func(b *bytes.Buffer) error {
			return documents.AttendanceReport(b, translatedWorkshop(), figures(), ru)
		},
		"certificate": func(b *bytes.Buffer) error {
			return documents.Certificate(b, translatedWorkshop(), settings(everyDay), bundleOf(t), person)
		},
	}
	for name, draw := range docs {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := draw(&b); err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(strings.Join(pageTexts(t, b.Bytes()), " ")), " ")
			if !strings.Contains(text, "Международный семинар") || strings.Contains(text, "International workshop") {
				t.Errorf("%s does not name the event in Russian:\n%s", name, text)
			}
		})
	}
	t.Run("an English certificate of the same event", func(t *testing.T) {
		var b bytes.Buffer
		en := participant(2, "Nino", "Beridze", "GE", attended(day1, day2), func(p *store.Participant) { p.Language = "en" })
		if err := documents.Certificate(&b, translatedWorkshop(), settings(everyDay), bundleOf(t), en); err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(pageTexts(t, b.Bytes()), " "); !strings.Contains(text, "International workshop") {
			t.Errorf("the English certificate lost the main title:\n%s", text)
		}
	})
}

package domain_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestCheckMessageNamesEveryBadField(t *testing.T) {
	now := time.Date(2019, time.May, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Hour)
	ru := domain.MessageTexts{"ru": {Subject: "Слайды", Body: "Слайды: https://example.org"}}
	cases := []struct {
		name   string
		in     domain.MessageInput
		fields []string
	}{
		{"a message in the main language passes", domain.MessageInput{Texts: ru, SendAt: &future}, nil},
		{"the main language is required", domain.MessageInput{Texts: domain.MessageTexts{"en": {Subject: "Slides", Body: "x"}}}, []string{"texts.ru"}},
		{"an unknown language and a subject of two lines", domain.MessageInput{Texts: domain.MessageTexts{
			"ru": {Subject: "a\nb", Body: "x"}, "de": {Subject: "Folien", Body: "x"}}}, []string{"texts.de", "texts.ru.subject"}},
		{"a body over the limit", domain.MessageInput{Texts: domain.MessageTexts{
			"ru": {Subject: "a", Body: strings.Repeat("я", domain.MaxMessageBody+1)}}}, []string{"texts.ru.body"}},
		{"filters the event cannot match", domain.MessageInput{Texts: ru, SendAt: &past, Filter: domain.MessageFilter{
			Statuses: []domain.Status{domain.StatusCancelled}, Delegation: "NATO2", Role: "boss",
			Attended: []domain.Date{domain.NewDate(2019, time.May, 29)}, NotAttended: []domain.Date{domain.NewDate(2019, time.June, 2)},
			Answers: []string{"diet:pizza"}}},
			[]string{"filter.answers", "filter.attended", "filter.delegation", "filter.not_attended", "filter.role", "filter.statuses", "send_at"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			_, err := domain.CheckMessage(&in, workshop(), domain.BuiltinDelegations(), now, domain.DefaultMessageScheduleDaysAfterEnd)
			var got []string
			if e, ok := domain.AsError(err); ok {
				for _, f := range e.Fields {
					got = append(got, f.Field)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
		})
	}
}

func TestAMessageFallsBackToTheMainLanguageFieldByField(t *testing.T) {
	texts := domain.MessageTexts{
		"ru": {Subject: "Слайды", Body: "Слайды здесь."},
		"en": {Subject: "Slides"},
	}
	for _, c := range []struct{ lang, subject, body string }{
		{"en", "Slides", "Слайды здесь."},
		{"uz", "Слайды", "Слайды здесь."},
		{"ru", "Слайды", "Слайды здесь."},
	} {
		if got := texts.In(c.lang, "ru"); got.Subject != c.subject || got.Body != c.body {
			t.Errorf("%s: %+v, want %q / %q", c.lang, got, c.subject, c.body)
		}
	}
	if got := domain.ApplyMessageName("Dear {name}, {name}!", "Aigerim"); got != "Dear Aigerim, Aigerim!" {
		t.Errorf("ApplyMessageName: %q", got)
	}
}

func TestTheNameInASubjectCannotAddAHeader(t *testing.T) {
	for name, want := range map[string]string{
		"Dilnoza Yusupova":                "Hello, Dilnoza Yusupova",
		"Evil\r\nBcc: victim@example.org": "Hello, Evil Bcc: victim@example.org",
		"  Tab\tbed\u0085 ":               "Hello, Tab bed",
	} {
		if got := domain.ApplyMessageSubjectName("Hello, {name}", name); got != want {
			t.Errorf("ApplyMessageSubjectName(%q) = %q, want %q", name, got, want)
		}
	}
}

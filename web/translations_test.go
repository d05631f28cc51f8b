package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// TestPagesShowTheEventInTheReadersLanguage: a Russian reader gets the
// Russian title, venue, city and co-organizers on the list and the event
// page ("Ташкент, Узбекистан", not "Tashkent, Узбекистан"); an Uzbek reader,
// whose language has only a city, gets it and the main text for the rest.
func TestPagesShowTheEventInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) {
		b["title"], b["venue"], b["city"] = "E-government workshop", "Academy of Public Administration", "Tashkent"
		b["translations"] = map[string]any{
			"ru": map[string]any{"title": "Семинар по электронному правительству", "venue": "Академия государственного управления",
				"city": "Ташкент", "co_organizers": []string{"Астанинский хаб государственной службы"}},
			"uz": map[string]any{"city": "Toshkent"},
		}
	})
	cases := []struct {
		lang      string
		want, not []string
	}{
		{"ru", []string{"Семинар по электронному правительству", "Академия государственного управления", "Ташкент, Узбекистан",
			"Астанинский хаб государственной службы"}, []string{"E-government workshop", "Tashkent", "Astana Civil Service Hub"}},
		{"uz", []string{"E-government workshop", "Toshkent, Oʻzbekiston", "Astana Civil Service Hub"}, []string{"Tashkent,"}},
		{"en", []string{"E-government workshop", "Tashkent, Uzbekistan"}, []string{"Семинар", "Toshkent"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			for _, path := range []string{"/events/egov?lang=" + c.lang, "/?lang=" + c.lang} {
				rec, page := a.Page(path)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: %d", path, rec.Code)
				}
				text := page.Text()
				for _, w := range c.want {
					if path[1] == '?' && (strings.Contains(w, "хаб") || strings.Contains(w, "Hub") || strings.Contains(w, "Академия") || strings.Contains(w, "Academy")) {
						continue // the list shows title, dates and place only
					}
					if !strings.Contains(text, w) {
						t.Errorf("%s lacks %q", path, w)
					}
				}
				for _, n := range c.not {
					if strings.Contains(text, n) {
						t.Errorf("%s shows %q", path, n)
					}
				}
			}
		})
	}
}

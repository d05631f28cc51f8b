package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/html"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// FuzzRegistrationForm feeds arbitrary form bodies through the web form's
// parser, the shared validation and the re-rendered form: nothing may
// panic, every rejection must name fields, and whatever was typed must come
// back escaped — the page never gains an element from input.
func FuzzRegistrationForm(f *testing.F) {
	f.Add("first_name=%D0%94%D0%B8%D0%BB%D0%BD%D0%BE%D0%B7%D0%B0&last_name=Yusupova&email=d%40example.uz&country=uz&organization=Academy&role=researcher&consent=on")
	f.Add("first_name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=%22%3E%3Cimg+src%3Dx%3E&consent=yes&days=2019-05-30&days=x")
	f.Add("first_name=a%0D%0ABcc%3A+x%40y&consent=false&website=bot")
	f.Add("days=2019-05-31&days=2019-05-31&language=uz&phone=%2B998+71+123-45-67")
	f.Add("%zz=1&&==&consent")
	env := map[string]string{"DATABASE_URL": "postgres://fuzz@127.0.0.1/fuzz", "SECRET_KEY": strings.Repeat("f", 32)}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.Need{})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2019, 5, 1, 10, 0, 0, 0, time.UTC)
	core, err := httpcore.New(httpcore.Deps{Config: cfg, Rules: domain.NewRules(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(core)
	if err != nil {
		f.Fatal(err)
	}
	ev := &domain.Event{ID: 1, Slug: "egov-tashkent-2019", Title: "E-government workshop", Country: "UZ",
		Timezone: "Asia/Tashkent", StartsOn: domain.NewDate(2019, 5, 30), EndsOn: domain.NewDate(2019, 5, 31),
		DayStartsAt: "09:00", DayEndsAt: "18:00", Languages: []string{"en", "ru", "uz"}, CoOrganizers: []string{}}
	yes := true
	var bad []domain.FieldError
	ev.Questions, bad = domain.SetQuestions(nil, []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Required: &yes, Label: map[string]string{"en": "Diet"},
			Options: []domain.OptionInput{{Value: "halal", Label: map[string]string{"en": "Halal"}}}},
		{Key: "sessions", Type: "multiple_choice", Label: map[string]string{"en": "Sessions"},
			Options: []domain.OptionInput{{Value: "open_data", Label: map[string]string{"en": "Open data"}}}},
		{Key: "notes", Type: "long_text", Label: map[string]string{"en": "Notes"}},
		{Key: "nights", Type: "number", Label: map[string]string{"en": "Nights"}},
	})
	if len(bad) > 0 {
		f.Fatal(bad)
	}

	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in := registrationInput(form, "ru", ev)
		_, verr := s.Rules.NewRegistration(in, ev, now)
		var fields []domain.FieldError
		if verr != nil {
			e, ok := domain.AsError(verr)
			if !ok || e.Code != domain.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("rejection is not a validation error with fields: %v", verr)
			}
			fields = e.Fields
		}
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/events/"+ev.Slug+"/register", nil)
		s.renderEvent(c, http.StatusUnprocessableEntity, ev, "ru", form, fields)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("re-rendered form answered %d", rec.Code)
		}
		doc, err := html.Parse(strings.NewReader(rec.Body.String()))
		if err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "img" || n.Data == "iframe") {
				t.Fatalf("input added a <%s> element to the page", n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	})
}

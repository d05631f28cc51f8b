package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/api"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// translator is the message bundle the server speaks from, so that the
// tests expect the translations themselves rather than copies of them.
func translator(t *testing.T, lang string) *i18n.Localizer {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b.Localizer(lang)
}

// registerIn sends a registration with an Accept-Language header, if any.
func (a *testAPI) registerIn(slug, acceptLanguage string, body any) *httptest.ResponseRecorder {
	a.t.Helper()
	h := http.Header{}
	if acceptLanguage != "" {
		h.Set("Accept-Language", acceptLanguage)
	}
	return a.do(request{method: http.MethodPost, path: "/api/v1/events/" + slug + "/registrations",
		body: jsonText(a.t, body), header: h})
}

func inLanguage(lang string) func(map[string]any) {
	return func(b map[string]any) { b["language"] = lang }
}

// checkSpoken checks that a reply says it is in lang.
func checkSpoken(t *testing.T, rec *httptest.ResponseRecorder, lang string) {
	t.Helper()
	if got := rec.Header().Get("Content-Language"); got != lang {
		t.Errorf("Content-Language = %q, want %s", got, lang)
	}
}

// A participant's registration is answered in their language: the
// Accept-Language header first, then the body's "language".
func TestTheRegistrationReplySpeaksTheParticipantsLanguage(t *testing.T) {
	a := newAPI(t)
	a.event(a.token, "egov", nil)
	a.event(a.token, "full", func(b map[string]any) { b["capacity"] = 1 })
	a.event(a.token, "closed", func(b map[string]any) {
		b["registration_closes_at"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	})
	decode[map[string]any](t, a.register("full", participant("first@example.org", nil)), http.StatusAccepted)
	en := translator(t, "en")

	for _, lang := range []string{"ru", "uz"} {
		l := translator(t, lang)
		tests := []struct {
			name   string
			accept string
			body   func(map[string]any)
		}{
			{"by the body's language", "", inLanguage(lang)},
			{"by Accept-Language", lang + "-UZ," + lang + ";q=0.9", nil},
			{"by Accept-Language over the body's language", lang, inLanguage(otherThan(lang))},
			{"by the body's language when Accept-Language names none attend speaks", "de-DE,fr;q=0.5", inLanguage(strings.ToUpper(lang))},
		}
		for _, tt := range tests {
			t.Run(lang+": the 202 message "+tt.name, func(t *testing.T) {
				email := lang + strings.ReplaceAll(tt.name, " ", "") + "@example.org"
				rec := a.registerIn("egov", tt.accept, participant(email, tt.body))
				body := decode[map[string]string](t, rec, http.StatusAccepted)
				if want := l.T("api.accepted.pending", nil); body["message"] != want || want == en.T("api.accepted.pending", nil) {
					t.Errorf("message %q, want %q", body["message"], want)
				}
				checkSpoken(t, rec, lang)
			})
		}
		t.Run(lang+": the waiting list's 202 message", func(t *testing.T) {
			rec := a.registerIn("full", "", participant(lang+"-wait@example.org", inLanguage(lang)))
			body := decode[map[string]string](t, rec, http.StatusAccepted)
			if body["status"] != "waitlisted" || body["message"] != l.T("api.accepted.waitlisted", nil) {
				t.Errorf("body = %v", body)
			}
		})
		t.Run(lang+": a 422 translates its title, detail and every field message", func(t *testing.T) {
			rec := a.registerIn("egov", "", map[string]any{"email": "not-an-email", "role": "boss", "language": lang,
				"phone": "12", "consent": false, "days": []string{"1999-01-01"}})
			p := problem(t, rec, http.StatusUnprocessableEntity)
			if p.Title != l.T("api.problem.validation-error.title", nil) || p.Detail != l.T("api.problem.validation-error.detail", nil) {
				t.Errorf("title %q, detail %q", p.Title, p.Detail)
			}
			if len(p.Errors) < 6 {
				t.Fatalf("errors = %+v, want every bad field", p.Errors)
			}
			for _, fe := range p.Errors {
				english := domain.NewFieldError(fe.Field, fe.Code, fe.Param).Message
				if want := l.FieldError(fe); fe.Message != want || fe.Message == english {
					t.Errorf("%s/%s: message %q, want %q", fe.Field, fe.Code, fe.Message, want)
				}
			}
			checkSpoken(t, rec, lang)
		})
		t.Run(lang+": a value of the wrong type is still answered in the body's language", func(t *testing.T) {
			rec := a.registerIn("egov", "", participant(lang+"-type@example.org", func(b map[string]any) {
				b["consent"] = "yes"
				b["language"] = lang
			}))
			p := problem(t, rec, http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Field != "consent" || p.Errors[0].Message != l.FieldError(p.Errors[0]) {
				t.Errorf("errors = %+v", p.Errors)
			}
		})
		t.Run(lang+": a closed registration explains why", func(t *testing.T) {
			rec := a.registerIn("closed", "", participant(lang+"-late@example.org", inLanguage(lang)))
			p := problem(t, rec, http.StatusConflict)
			if p.Reason != "closed" || p.Detail != l.T("closure.closed", nil) || p.Title != l.T("api.problem.registration-closed.title", nil) {
				t.Errorf("reason %q, title %q, detail %q", p.Reason, p.Title, p.Detail)
			}
		})
		t.Run(lang+": an unknown event", func(t *testing.T) {
			p := problem(t, a.registerIn("no-such-event", lang, participant("x@example.org", nil)), http.StatusNotFound)
			if p.Title != l.T("api.problem.not-found.title", nil) || p.Detail != l.T("api.problem.not-found.detail", nil) {
				t.Errorf("title %q, detail %q", p.Title, p.Detail)
			}
		})
		t.Run(lang+": malformed JSON, by Accept-Language", func(t *testing.T) {
			rec := a.do(request{method: http.MethodPost, path: "/api/v1/events/egov/registrations", body: `{"language": "` + lang + `",`,
				header: http.Header{"Accept-Language": {lang}}})
			p := problem(t, rec, http.StatusBadRequest)
			if p.Title != l.T("api.problem.malformed-json.title", nil) || p.Detail != l.T("api.problem.malformed-json.detail", nil) {
				t.Errorf("title %q, detail %q", p.Title, p.Detail)
			}
		})
	}

	t.Run("English stays the API's own English", func(t *testing.T) {
		tests := []struct{ name, accept, language string }{
			{"asked for by Accept-Language over the body's ru", "en-GB,ru;q=0.5", "ru"},
			{"when nothing names a language", "", ""},
			{"when the body names one attend does not speak", "", "de"},
		}
		for _, tt := range tests {
			rec := a.registerIn("egov", tt.accept, map[string]any{"language": tt.language, "role": "boss"})
			p := problem(t, rec, http.StatusUnprocessableEntity)
			if p.Title != "Your request has invalid fields" || p.Detail != "the input has invalid fields" {
				t.Errorf("%s: title %q, detail %q", tt.name, p.Title, p.Detail)
			}
			for _, fe := range p.Errors {
				if want := domain.NewFieldError(fe.Field, fe.Code, fe.Param).Message; fe.Message != want {
					t.Errorf("%s: %s message %q, want %q", tt.name, fe.Field, fe.Message, want)
				}
			}
		}
		body := decode[map[string]string](t, a.registerIn("egov", "", participant("plain@example.org", nil)), http.StatusAccepted)
		if !strings.HasPrefix(body["message"], "Thank you.") {
			t.Errorf("message %q", body["message"])
		}
	})
}

func otherThan(lang string) string {
	if lang == "ru" {
		return "uz"
	}
	return "ru"
}

// The rate limit answers before the body is read, so it speaks the
// language of Accept-Language.
func TestTheRegistrationRateLimitSpeaksAcceptLanguage(t *testing.T) {
	a := newAPI(t, func(d *api.Deps) { d.Config.RegisterRateLimit = 1 })
	a.event(a.token, "egov", nil)
	decode[map[string]any](t, a.registerIn("egov", "uz", participant("first@example.org", nil)), http.StatusAccepted)
	rec := a.registerIn("egov", "uz", participant("second@example.org", nil))
	p := problem(t, rec, http.StatusTooManyRequests)
	l := translator(t, "uz")
	want := l.T("api.problem.rate-limited.detail", map[string]any{"Param": rec.Header().Get("Retry-After")})
	if p.Title != l.T("api.problem.rate-limited.title", nil) || p.Detail != want {
		t.Errorf("title %q, detail %q; want detail %q", p.Title, p.Detail, want)
	}
	checkSpoken(t, rec, "uz")
}

package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
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
func registerIn(a *servertest.Server, slug, acceptLanguage string, body any) *httptest.ResponseRecorder {
	a.T.Helper()
	h := http.Header{}
	if acceptLanguage != "" {
		h.Set("Accept-Language", acceptLanguage)
	}
	return a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/" + slug + "/registrations",
		Body: servertest.JSONText(a.T, body), Header: h})
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
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	a.Event(a.Token, "full", func(b map[string]any) { b["capacity"] = 1 })
	a.Event(a.Token, "closed", func(b map[string]any) {
		b["registration_closes_at"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	})
	servertest.Decode[map[string]any](t, a.Register("full", servertest.Participant("first@example.org", nil)), http.StatusAccepted)
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
				rec := registerIn(a, "egov", tt.accept, servertest.Participant(email, tt.body))
				body := servertest.Decode[map[string]string](t, rec, http.StatusAccepted)
				if want := l.T("api.accepted.pending", nil); body["message"] != want || want == en.T("api.accepted.pending", nil) {
					t.Errorf("message %q, want %q", body["message"], want)
				}
				checkSpoken(t, rec, lang)
			})
		}
		t.Run(lang+": the waiting list's 202 message", func(t *testing.T) {
			rec := registerIn(a, "full", "", servertest.Participant(lang+"-wait@example.org", inLanguage(lang)))
			body := servertest.Decode[map[string]string](t, rec, http.StatusAccepted)
			if body["status"] != "waitlisted" || body["message"] != l.T("api.accepted.waitlisted", nil) {
				t.Errorf("body = %v", body)
			}
		})
		t.Run(lang+": a 422 translates its title, detail and every field message", func(t *testing.T) {
			rec := registerIn(a, "egov", "", map[string]any{"email": "not-an-email", "role": "boss", "language": lang,
				"phone": "12", "consent": false, "days": []string{"1999-01-01"}})
			p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
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
			rec := registerIn(a, "egov", "", servertest.Participant(lang+"-type@example.org", func(b map[string]any) {
				b["consent"] = "yes"
				b["language"] = lang
			}))
			p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
			if len(p.Errors) != 1 || p.Errors[0].Field != "consent" || p.Errors[0].Message != l.FieldError(p.Errors[0]) {
				t.Errorf("errors = %+v", p.Errors)
			}
		})
		t.Run(lang+": a closed registration explains why", func(t *testing.T) {
			rec := registerIn(a, "closed", "", servertest.Participant(lang+"-late@example.org", inLanguage(lang)))
			p := servertest.Problem(t, rec, http.StatusConflict)
			if p.Reason != "closed" || p.Detail != l.T("closure.closed", nil) || p.Title != l.T("api.problem.registration-closed.title", nil) {
				t.Errorf("reason %q, title %q, detail %q", p.Reason, p.Title, p.Detail)
			}
		})
		t.Run(lang+": an unknown event", func(t *testing.T) {
			p := servertest.Problem(t, registerIn(a, "no-such-event", lang, servertest.Participant("x@example.org", nil)), http.StatusNotFound)
			if p.Title != l.T("api.problem.not-found.title", nil) || p.Detail != l.T("api.problem.not-found.detail", nil) {
				t.Errorf("title %q, detail %q", p.Title, p.Detail)
			}
		})
		t.Run(lang+": malformed JSON, by Accept-Language", func(t *testing.T) {
			rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations", Body: `{"language": "` + lang + `",`,
				Header: http.Header{"Accept-Language": {lang}}})
			p := servertest.Problem(t, rec, http.StatusBadRequest)
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
			rec := registerIn(a, "egov", tt.accept, map[string]any{"language": tt.language, "role": "boss"})
			p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
			if p.Title != "Your request has invalid fields" || p.Detail != "the input has invalid fields" {
				t.Errorf("%s: title %q, detail %q", tt.name, p.Title, p.Detail)
			}
			for _, fe := range p.Errors {
				if want := domain.NewFieldError(fe.Field, fe.Code, fe.Param).Message; fe.Message != want {
					t.Errorf("%s: %s message %q, want %q", tt.name, fe.Field, fe.Message, want)
				}
			}
		}
		body := servertest.Decode[map[string]string](t, registerIn(a, "egov", "", servertest.Participant("plain@example.org", nil)), http.StatusAccepted)
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
	a := servertest.New(t, func(d *server.Deps) { d.Config.RegisterRateLimit = 1 })
	a.Event(a.Token, "egov", nil)
	servertest.Decode[map[string]any](t, registerIn(a, "egov", "uz", servertest.Participant("first@example.org", nil)), http.StatusAccepted)
	rec := registerIn(a, "egov", "uz", servertest.Participant("second@example.org", nil))
	p := servertest.Problem(t, rec, http.StatusTooManyRequests)
	l := translator(t, "uz")
	want := l.T("api.problem.rate-limited.detail", map[string]any{"Param": rec.Header().Get("Retry-After")})
	if p.Title != l.T("api.problem.rate-limited.title", nil) || p.Detail != want {
		t.Errorf("title %q, detail %q; want detail %q", p.Title, p.Detail, want)
	}
	checkSpoken(t, rec, "uz")
}

package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// dietEvent creates an event that asks for dietary needs (required), the
// sessions and a visa letter, with replayQuestions' labels.
func dietEvent(a *servertest.Server, slug string) {
	a.T.Helper()
	a.Event(a.Token, slug, func(b map[string]any) {
		qs := replayQuestions()
		qs[0]["required"] = true
		b["questions"] = qs
	})
}

func TestAnswersAreCheckedAndNamedInTheParticipantsLanguage(t *testing.T) {
	t.Parallel()
	a := servertest.New(t)
	dietEvent(a, "egov")
	rec := a.Do(servertest.Request{Method: http.MethodPost, Path: "/api/v1/events/egov/registrations",
		Header: http.Header{"Accept-Language": {"ru"}},
		Body: servertest.JSONText(t, servertest.Participant("d@example.uz", func(b map[string]any) {
			b["answers"] = map[string]any{"sessions": []string{"open_data", "lunch"}, "visa_letter": "maybe", "hotel": "Hyatt"}
		}))})
	p := servertest.Problem(t, rec, http.StatusUnprocessableEntity)
	want := map[string]string{
		"answers.diet":        "Ответьте на этот вопрос.",
		"answers.sessions":    "Выберите один из предложенных вариантов.",
		"answers.visa_letter": "Значение неверного типа.",
		"answers.hotel":       "В этом мероприятии нет такого вопроса.",
	}
	for _, fe := range p.Errors {
		if want[fe.Field] != fe.Message {
			t.Errorf("%s (%s): %q, want %q", fe.Field, fe.Code, fe.Message, want[fe.Field])
		}
		delete(want, fe.Field)
	}
	if len(want) > 0 {
		t.Errorf("not reported: %v (got %+v)", want, p.Errors)
	}

	rec = a.Register("egov", servertest.Participant("oecd@example.org", func(b map[string]any) {
		b["country"], b["delegation"] = "FR", "oecd"
		b["first_name"], b["last_name"], b["latin_first_name"], b["latin_last_name"] = "Клэр", "Дюбуа", "Claire", "Dubois"
		b["answers"] = map[string]any{"diet": "vegetarian", "sessions": []string{"services", "open_data"}, "visa_letter": true}
	}))
	servertest.Decode[map[string]any](t, rec, http.StatusAccepted)
	list := servertest.Decode[struct {
		Registrations []domain.Registration `json:"registrations"`
	}](t, a.Get("/api/v1/events/egov/registrations?delegation=OECD&answer=sessions:services&answer=visa_letter:yes", a.Token), http.StatusOK)
	if len(list.Registrations) != 1 {
		t.Fatalf("registrations = %+v, want the OECD's expert", list.Registrations)
	}
	got := list.Registrations[0]
	if got.Delegation != "OECD" || got.LatinLastName != "Dubois" || got.Answers["diet"] != "vegetarian" || got.Answers["visa_letter"] != true {
		t.Errorf("registration = %+v", got)
	}
	none := servertest.Decode[struct {
		Registrations []domain.Registration `json:"registrations"`
	}](t, a.Get("/api/v1/events/egov/registrations?answer=diet:halal", a.Token), http.StatusOK)
	if len(none.Registrations) != 0 {
		t.Errorf("diet:halal matched %d", len(none.Registrations))
	}
	bad := servertest.Problem(t, a.Get("/api/v1/events/egov/registrations?answer=diet:pizza&delegation=XX1", a.Token), http.StatusUnprocessableEntity)
	if codes := servertest.FieldCodes(bad); codes["answer"] != "answer" || codes["delegation"] != "delegation" {
		t.Errorf("field errors = %v", codes)
	}
}

func TestTheFormAndTheDelegationsAreLocalized(t *testing.T) {
	t.Parallel()
	a := servertest.New(t)
	dietEvent(a, "egov")
	form := servertest.Decode[struct {
		Lang      string `json:"lang"`
		Questions []struct {
			Name, Label string
			Required    bool
			Options     []struct{ Value, Label string }
		} `json:"questions"`
		Fields []struct{ Name, Label string } `json:"fields"`
	}](t, a.Get("/api/v1/events/egov/form?lang=ru", ""), http.StatusOK)
	if form.Lang != "ru" || len(form.Questions) != 3 || form.Questions[0].Name != "answers.diet" ||
		form.Questions[0].Label != "Питание" || !form.Questions[0].Required || form.Questions[0].Options[1].Label != "Халяль" {
		t.Errorf("form = %+v", form)
	}
	if form.Fields[0].Label != "Имя" {
		t.Errorf("first field = %+v", form.Fields[0])
	}
	rec := a.Do(servertest.Request{Method: http.MethodGet, Path: "/api/v1/delegations", Header: http.Header{"Accept-Language": {"ru"}}})
	list := servertest.Decode[struct {
		Delegations []struct{ Code, Kind, Name string } `json:"delegations"`
	}](t, rec, http.StatusOK)
	names := map[string]string{}
	for _, d := range list.Delegations {
		names[d.Code] = d.Kind + " " + d.Name
	}
	if names["OECD"] != "organization ОЭСР" || names["FR"] != "country Франция" || list.Delegations[0].Kind != "organization" {
		t.Errorf("delegations: OECD %q, FR %q, first %+v", names["OECD"], names["FR"], list.Delegations[0])
	}
}

func TestParticipantsUpdateTheirRegistrationByLink(t *testing.T) {
	t.Parallel()
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["questions"] = replayQuestions() })
	token := a.LinkToken("egov", "kadri@example.ee", "ru")
	rec := a.Post("/api/v1/registrations/update", "", map[string]any{"token": token, "last_name": "Tamm-Kask",
		"email": "KADRI@example.ee", "answers": map[string]any{"diet": "halal", "visa_letter": true}})
	out := servertest.Decode[struct {
		Registration domain.Registration `json:"registration"`
		Changes      []domain.Change     `json:"changes"`
	}](t, rec, http.StatusOK)
	if out.Registration.LastName != "Tamm-Kask" || out.Registration.Answers["diet"] != "halal" || out.Registration.EditedAt == nil || len(out.Changes) != 3 {
		t.Errorf("answer = %+v", out)
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM emails WHERE kind = 'updated'`); n != 1 {
		t.Errorf("%d update emails, want 1", n)
	}
	// The organizer sees the change.
	seen := servertest.Decode[struct {
		Registrations []domain.Registration `json:"registrations"`
	}](t, a.Get("/api/v1/events/egov/registrations", a.Token), http.StatusOK)
	if len(seen.Registrations) != 1 || seen.Registrations[0].EditedAt == nil || seen.Registrations[0].LastName != "Tamm-Kask" {
		t.Errorf("the organizer sees %+v", seen.Registrations)
	}

	// A refusal speaks the registration's language (Russian) and names each field.
	p := servertest.Problem(t, a.Post("/api/v1/registrations/update", "", map[string]any{"token": token,
		"email": "someone@example.org", "first_name": " ", "answers": map[string]any{"diet": "pizza"}}), http.StatusUnprocessableEntity)
	if codes := servertest.FieldCodes(p); codes["email"] != "readonly" || codes["first_name"] != "required" || codes["answers.diet"] != "oneof" {
		t.Errorf("field errors = %v", codes)
	}
	for _, fe := range p.Errors {
		if fe.Field == "answers.diet" && !strings.Contains(fe.Message, "Выберите") {
			t.Errorf("answers.diet message %q, want Russian", fe.Message)
		}
	}

	// Once registration has closed, nothing changes.
	servertest.Decode[map[string]any](t, a.Patch("/api/v1/events/egov", a.Token, map[string]any{
		"registration_closes_at": "2020-01-01T00:00:00Z", "registration_opens_at": "2019-01-01T00:00:00Z"}), http.StatusOK)
	closed := servertest.Problem(t, a.Post("/api/v1/registrations/update", "", map[string]any{"token": token, "position": "Head"}), http.StatusConflict)
	if !strings.HasSuffix(closed.Type, "/problems/registration-closed") {
		t.Errorf("type = %q", closed.Type)
	}
}

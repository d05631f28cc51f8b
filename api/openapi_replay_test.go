package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

// replay sends requests to a server and checks every exchange against the
// served description.
type replay struct {
	t  *testing.T
	sc *specChecker
}

// call sends r to a, wants status want, and reports every disagreement
// with the description: of the answer always, of the request when the
// server accepted it.
func (rp *replay) call(a *servertest.Server, want int, r servertest.Request) *httptest.ResponseRecorder {
	rp.t.Helper()
	rec := a.Do(r)
	what := fmt.Sprintf("%s %s", r.Method, r.Path)
	if rec.Code != want {
		rp.t.Errorf("%s answered %d, want %d: %s", what, rec.Code, want, rec.Body)
	}
	var errs []string
	if rec.Code < 300 {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		errs = rp.sc.checkRequest(r.Method, r.Path, ct, r.Body)
	}
	errs = append(errs, rp.sc.checkResponse(r.Method, r.Path, rec)...)
	for _, e := range errs {
		rp.t.Errorf("%s → %d disagrees with openapi.yaml: %s", what, rec.Code, e)
	}
	return rec
}

// getReq is a GET request, with a token if any.
func getReq(path, token string) servertest.Request {
	return servertest.Request{Method: http.MethodGet, Path: path, Token: token}
}

// sendReq is a request with a JSON body (a string is sent as is).
func sendReq(method, path, token string, body any) servertest.Request {
	r := servertest.Request{Method: method, Path: path, Token: token}
	if body != nil {
		if s, ok := body.(string); ok {
			r.Body = s
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				panic(err) // the tests' own bodies always marshal
			}
			r.Body = string(b)
		}
	}
	return r
}

func idOf(a *servertest.Server, email string) string {
	a.T.Helper()
	var id string
	if err := a.DB.Get(&id, `SELECT id FROM registrations WHERE lower(email) = lower($1)`, email); err != nil {
		a.T.Fatalf("registration of %s: %v", email, err)
	}
	return id
}

// TestTheServerAnswersAsOpenAPIYamlDescribes replays real requests, good
// and bad, to every documented operation, and checks each answer (and each
// accepted request) against the description the server serves. It ends by
// listing any operation that was not answered both with a success and with
// a client error, so a new operation must be added here.
func TestTheServerAnswersAsOpenAPIYamlDescribes(t *testing.T) {
	a := servertest.New(t)
	rp := &replay{t: t, sc: newSpecChecker(t, a.Get("/api/v1/openapi.yaml", "").Body.Bytes())}
	tok := a.Token
	uuid0 := "00000000-0000-4000-8000-000000000000"

	// Operations
	rp.call(a, 200, getReq("/healthz", ""))
	rp.call(a, 405, sendReq(http.MethodDelete, "/healthz", "", nil))
	rp.call(a, 200, getReq("/readyz", ""))
	rp.call(a, 405, sendReq(http.MethodPost, "/readyz", "", nil))
	rp.call(a, 200, getReq("/api/v1/openapi.yaml", ""))
	rp.call(a, 405, sendReq(http.MethodDelete, "/api/v1/openapi.yaml", "", nil))
	rp.call(a, 404, getReq("/api/v1/nothing-here", ""))
	rp.call(a, 200, getReq("/api/v1/me", tok))
	rp.call(a, 401, getReq("/api/v1/me", ""))

	// Events
	start := domain.DateOf(time.Now()).AddDays(30)
	day := start.String()
	rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("egov", func(b map[string]any) {
		b["capacity"] = 4
		b["registration_closes_at"] = time.Now().Add(20 * 24 * time.Hour).UTC().Format(time.RFC3339)
		b["questions"] = replayQuestions()
	})))
	rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("closed", func(b map[string]any) {
		b["registration_closes_at"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		b["languages"] = []string{"RU", "en"}
	})))
	rp.call(a, 409, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("egov", nil)))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events", tok, map[string]any{"slug": "Bad Slug", "capacity": 0}))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events", tok, `{"title": 5}`))
	rp.call(a, 400, sendReq(http.MethodPost, "/api/v1/events", tok, `{"slug": `))
	rp.call(a, 400, servertest.Request{Method: http.MethodPost, Path: "/api/v1/events", Token: tok, Body: "slug=x", ContentType: "text/plain"})
	rp.call(a, 401, sendReq(http.MethodPost, "/api/v1/events", "", servertest.EventBody("other", nil)))
	rp.call(a, 413, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("big", func(b map[string]any) {
		b["description"] = strings.Repeat("x", 70000)
	})))
	crossSite := sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("forged", nil))
	crossSite.Header = http.Header{"Sec-Fetch-Site": {"cross-site"}}
	rp.call(a, 403, crossSite)
	rp.call(a, 200, getReq("/api/v1/events", ""))
	rp.call(a, 200, getReq("/api/v1/events?upcoming=true", ""))
	rp.call(a, 200, getReq("/api/v1/events", tok))
	rp.call(a, 401, getReq("/api/v1/events", strings.Repeat("A", 43)))
	rp.call(a, 200, getReq("/api/v1/events/egov", ""))
	rp.call(a, 404, getReq("/api/v1/events/nope", ""))
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/closed", tok, map[string]any{"registration_opens_at": nil, "capacity": nil}))
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/closed", tok, map[string]any{"registration_closes_at": ""}))
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/closed", tok, map[string]any{
		"registration_closes_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}))
	rp.call(a, 422, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"title": nil, "slug": "other"}))
	rp.call(a, 404, sendReq(http.MethodPatch, "/api/v1/events/nope", tok, map[string]any{"title": "x"}))
	rp.call(a, 400, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, `[`))
	changed := replayQuestions()
	changed[1]["options"] = changed[1]["options"].([]map[string]any)[:1] // one session no longer offered
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"questions": changed}))
	retyped := replayQuestions()
	retyped[2]["type"] = "text"
	rp.call(a, 422, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"questions": retyped}))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("badq", func(b map[string]any) {
		b["questions"] = []map[string]any{{"key": "Diet!", "type": "slider", "label": map[string]string{"de": "Essen"}}}
	})))
	rp.call(a, 200, getReq("/api/v1/events/egov/form?lang=ru", ""))
	rp.call(a, 200, servertest.Request{Method: http.MethodGet, Path: "/api/v1/events/egov/form", Header: http.Header{"Accept-Language": {"uz"}}})
	rp.call(a, 404, getReq("/api/v1/events/nope/form", ""))
	rp.call(a, 200, getReq("/api/v1/delegations?lang=ru", ""))
	rp.call(a, 405, sendReq(http.MethodPost, "/api/v1/delegations", "", map[string]any{}))
	rp.call(a, 401, getReq("/api/v1/delegations", strings.Repeat("A", 43)))
	rp.call(a, 401, getReq("/api/v1/events/egov/form", strings.Repeat("A", 43)))

	// Registrations: participants, walk-ins and their problems
	reg := "/api/v1/events/egov/registrations"
	rp.call(a, 202, sendReq(http.MethodPost, reg, "", servertest.Participant("p1@example.uz", func(b map[string]any) {
		b["role"], b["language"] = "Researcher", "RU"
		b["first_name"], b["last_name"] = "Дилноза", "Юсупова"
		b["latin_first_name"], b["latin_last_name"] = "Dilnoza", "Yusupova"
		b["phone"], b["position"], b["days"] = "+998 (71) 123-45-67", "Researcher", []string{day}
		b["answers"] = map[string]any{"diet": "vegetarian", "sessions": []string{"open_data"}, "visa_letter": true}
	})))
	ru := sendReq(http.MethodPost, reg, "", servertest.Participant("p2@example.uz", inLanguage("ru")))
	rp.call(a, 202, ru)
	rp.call(a, 202, ru) // the same address again
	walkIn := sendReq(http.MethodPost, reg, tok, servertest.Participant("walkin@example.uz", func(b map[string]any) {
		b["check_in"], b["day"], b["language"] = true, day, "uz"
	}))
	rp.call(a, 201, walkIn)
	rp.call(a, 200, walkIn)
	// The fourth seat goes through the form, which gives a link token; the
	// next participant is waitlisted.
	linkToken := a.LinkToken("egov", "link@example.uz", "ru")
	rp.call(a, 202, sendReq(http.MethodPost, reg, "", servertest.Participant("p3@example.uz", nil)))
	for _, lang := range []string{"", "uz"} {
		bad := map[string]any{"email": "not-an-email", "role": "boss", "phone": "12", "consent": false,
			"days": []string{"1999-01-01"}, "language": lang}
		rp.call(a, 422, sendReq(http.MethodPost, reg, "", bad))
	}
	rp.call(a, 422, sendReq(http.MethodPost, reg, "", `{"consent": "yes", "language": "ru"}`))
	rp.call(a, 422, sendReq(http.MethodPost, reg, "", servertest.Participant("bad-answers@example.uz", func(b map[string]any) {
		b["delegation"], b["latin_last_name"] = "NATO2", "Юсупова"
		b["answers"] = map[string]any{"diet": "pizza", "visa_letter": "maybe", "shoe_size": 42}
	})))
	rp.call(a, 422, sendReq(http.MethodPost, reg, tok, servertest.Participant("walkin2@example.uz", func(b map[string]any) {
		b["check_in"], b["day"] = true, "1999-01-01"
	})))
	rp.call(a, 404, sendReq(http.MethodPost, "/api/v1/events/nope/registrations", "", servertest.Participant("x@example.uz", nil)))
	rp.call(a, 409, sendReq(http.MethodPost, "/api/v1/events/closed/registrations", "", servertest.Participant("x@example.uz", inLanguage("ru"))))
	rp.call(a, 400, sendReq(http.MethodPost, reg, "", `{"first_name": "Dilnoza",`))
	rp.call(a, 413, sendReq(http.MethodPost, reg, "", servertest.Participant("x@example.uz", func(b map[string]any) {
		b["position"] = strings.Repeat("x", 70000)
	})))
	rp.call(a, 401, sendReq(http.MethodPost, reg, strings.Repeat("A", 43), servertest.Participant("x@example.uz", nil)))

	// The list, one registration, the export
	rp.call(a, 200, getReq(reg, tok))
	rp.call(a, 200, getReq(reg+"?status=pending&country=uz&q=example&limit=1", tok))
	rp.call(a, 422, getReq(reg+"?limit=0&status=gone&country=xx&cursor=abc", tok))
	rp.call(a, 200, getReq(reg+"?delegation=oecd&answer=diet:vegetarian&answer=visa_letter:yes&answer=", tok))
	rp.call(a, 422, getReq(reg+"?delegation=NATO2&answer=diet:pizza&answer=nope:x", tok))
	rp.call(a, 200, getReq(reg+"/export?format=csv&answer=sessions:open_data", tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/registrations", tok))
	rp.call(a, 401, getReq(reg, ""))
	rp.call(a, 200, getReq(reg+"/export?format=csv", tok))
	rp.call(a, 200, getReq(reg+"/export?format=xlsx&country=UZ", tok))
	rp.call(a, 422, getReq(reg+"/export?format=pdf", tok))
	p1, p3, link, walker := idOf(a, "p1@example.uz"), idOf(a, "p3@example.uz"), idOf(a, "link@example.uz"), idOf(a, "walkin@example.uz")
	rp.call(a, 200, getReq(reg+"/"+p1, tok))
	rp.call(a, 422, getReq(reg+"/not-a-uuid", tok))
	rp.call(a, 404, getReq(reg+"/"+uuid0, tok))

	// Check-ins
	ci := "/api/v1/events/egov/checkins"
	rp.call(a, 422, sendReq(http.MethodPost, ci, tok, map[string]any{"registration_id": p3})) // waitlisted
	rp.call(a, 422, sendReq(http.MethodPost, ci, tok, map[string]any{}))
	rp.call(a, 422, sendReq(http.MethodPost, ci, tok, map[string]any{"registration_id": "nope", "day": "tomorrow"}))
	rp.call(a, 404, sendReq(http.MethodPost, ci, tok, map[string]any{"code": "ZZZZZZZZ", "day": day}))
	rp.call(a, 400, sendReq(http.MethodPost, ci, tok, `{"code": 1`))

	// Participant links
	token := map[string]any{"token": linkToken}
	rp.call(a, 200, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", token))
	rp.call(a, 200, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", token))
	rp.call(a, 404, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", map[string]any{"token": strings.Repeat("A", 43)}))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", map[string]any{}))
	rp.call(a, 400, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", `token`))
	rp.call(a, 200, getReq("/r/"+linkToken+"/data", ""))
	update := "/api/v1/registrations/update"
	rp.call(a, 200, sendReq(http.MethodPost, update, "", map[string]any{"token": linkToken, "last_name": "Юсупова-Каримова",
		"latin_last_name": "Yusupova-Karimova", "delegation": "OECD", "answers": map[string]any{"diet": "halal", "sessions": nil}}))
	rp.call(a, 200, sendReq(http.MethodPost, update, "", map[string]any{"token": linkToken, "last_name": "Юсупова-Каримова"}))
	rp.call(a, 422, sendReq(http.MethodPost, update, "", map[string]any{"token": linkToken, "email": "other@example.uz",
		"first_name": "", "answers": map[string]any{"diet": "pizza"}}))
	rp.call(a, 422, sendReq(http.MethodPost, update, "", map[string]any{"last_name": "x"}))
	rp.call(a, 404, sendReq(http.MethodPost, update, "", map[string]any{"token": strings.Repeat("A", 43)}))
	rp.call(a, 400, sendReq(http.MethodPost, update, "", `{"token": `))
	rp.call(a, 404, getReq("/r/"+strings.Repeat("A", 43)+"/data", ""))
	rp.call(a, 404, getReq("/r/short/data", ""))

	var code string
	if err := a.DB.Get(&code, `SELECT checkin_code FROM registrations WHERE id = $1`, link); err != nil {
		t.Fatal(err)
	}
	rp.call(a, 201, sendReq(http.MethodPost, ci, tok, map[string]any{"code": strings.ToLower(code[:4]) + "-" + code[4:], "day": day}))
	rp.call(a, 200, sendReq(http.MethodPost, ci, tok, map[string]any{"registration_id": link, "day": day}))
	undo := ci + "/" + walker + "/" + day
	rp.call(a, 204, sendReq(http.MethodDelete, undo, tok, nil))
	rp.call(a, 404, sendReq(http.MethodDelete, undo, tok, nil))
	rp.call(a, 422, sendReq(http.MethodDelete, ci+"/not-a-uuid/yesterday", tok, nil))

	// The papers (link attended the first day)
	docs := "/api/v1/events/egov/documents/"
	rp.call(a, 200, getReq(docs+"sign-in-sheet.pdf?day="+day+"&lang=ru&order=surname", tok))
	rp.call(a, 422, getReq(docs+"sign-in-sheet.pdf?day=1999-01-01&lang=fr&order=age", tok))
	rp.call(a, 200, getReq(docs+"badges.pdf?id="+link, tok))
	rp.call(a, 422, getReq(docs+"badges.pdf?id=42", tok))
	rp.call(a, 404, getReq(docs+"certificates.zip", tok)) // no settings yet
	rp.call(a, 404, getReq(docs+"certificates/"+link+".pdf", tok))
	rp.call(a, 422, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{
		"certificate": map[string]any{"rule": "min_days", "min_days": 0}}))
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{
		"certificate": map[string]any{"rule": "min_days", "min_days": 1, "hours": 8, "signatory_name": "Alisher Karimov"}}))
	rp.call(a, 200, getReq("/api/v1/events/egov", tok))
	rp.call(a, 200, getReq(docs+"certificates.zip", tok))
	rp.call(a, 200, getReq(docs+"certificates/"+link+".pdf", tok))
	rp.call(a, 422, getReq(docs+"certificates/"+link+".png", tok))
	rp.call(a, 200, getReq(docs+"attendance-report.pdf?lang=uz", tok))
	rp.call(a, 422, getReq(docs+"attendance-report.pdf?lang=xx", tok))
	rp.call(a, 200, getReq(docs+"attendance-report.xlsx", tok))
	rp.call(a, 401, getReq(docs+"attendance-report.xlsx", ""))

	// Organizers' decisions
	rp.call(a, 409, sendReq(http.MethodPost, reg+"/"+p3+"/promote", tok, nil)) // every seat held
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+p1+"/cancel", tok, map[string]any{"message": "The hall is smaller.\nSorry."}))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+p1+"/cancel", tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/"+p1+"/cancel", tok, map[string]any{"message": strings.Repeat("x", 2001)}))
	rp.call(a, 400, servertest.Request{Method: http.MethodPost, Path: reg + "/" + p1 + "/cancel", Token: tok, Body: "why", ContentType: "text/plain"})
	rp.call(a, 404, sendReq(http.MethodPost, reg+"/"+uuid0+"/cancel", tok, nil))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+p3+"/promote", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, reg+"/"+p3+"/promote", tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/x/promote", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"capacity": 1}))
	rp.call(a, 200, sendReq(http.MethodPost, "/api/v1/registrations/cancel", "", token))
	rp.call(a, 404, sendReq(http.MethodPost, "/api/v1/registrations/cancel", "", map[string]any{"token": strings.Repeat("B", 43)}))
	rp.call(a, 409, sendReq(http.MethodPost, "/api/v1/registrations/confirm", "", token)) // cancelled now
	rp.call(a, 409, sendReq(http.MethodPost, update, "", map[string]any{"token": linkToken, "position": "Head"}))
	rp.call(a, 204, sendReq(http.MethodDelete, reg+"/"+p1+"?erase=true", tok, nil))
	rp.call(a, 422, sendReq(http.MethodDelete, reg+"/"+p1, tok, nil))
	rp.call(a, 404, sendReq(http.MethodDelete, reg+"/"+uuid0+"?erase=true", tok, nil))

	// Invitations and nominations (issue 17)
	rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("invited", func(b map[string]any) { b["invitation_only"] = true })))
	invitations := "/api/v1/events/invited/invitations"
	csvRows := "email,Фамилия,Имя,delegation\ninvitee@example.kz,Bekova,Aigerim,KZ\nbad,X,Y,ZZZ\n"
	rp.call(a, 200, servertest.Request{Method: http.MethodPost, Path: invitations + "?dry_run=true", Token: tok, Body: csvRows, ContentType: "text/csv"})
	rp.call(a, 200, servertest.Request{Method: http.MethodPost, Path: invitations, Token: tok, Body: csvRows, ContentType: "text/csv"})
	rp.call(a, 200, sendReq(http.MethodPost, invitations, tok, map[string]any{"invitees": []map[string]any{{"email": "second@example.uz", "first_name": "Rustam"}}}))
	rp.call(a, 422, sendReq(http.MethodPost, invitations, tok, map[string]any{"invitees": []map[string]any{}}))
	rp.call(a, 422, servertest.Request{Method: http.MethodPost, Path: invitations, Token: tok, Body: "name\nx\n", ContentType: "text/csv"})
	rp.call(a, 400, sendReq(http.MethodPost, invitations, tok, `{"invitees": 5`))
	// A bare array is the rows; any other JSON value is a wrong type of
	// invitees, named without the server's type names.
	rp.call(a, 200, sendReq(http.MethodPost, invitations+"?dry_run=true", tok, []map[string]any{{"email": "third@example.uz", "first_name": "Oybek"}}))
	for _, body := range []string{`"rows"`, `5`, `{"invitees": "x"}`} {
		if rec := rp.call(a, 422, sendReq(http.MethodPost, invitations, tok, body)); !strings.Contains(rec.Body.String(), `"field":"invitees"`) ||
			strings.Contains(rec.Body.String(), "inviteesBody") || strings.Contains(rec.Body.String(), "domain.") {
			t.Errorf("%s: %s", body, rec.Body)
		}
	}
	rp.call(a, 200, getReq(invitations, tok))
	rp.call(a, 200, getReq(invitations+"?state=queued&delegation=KZ&limit=1", tok))
	rp.call(a, 422, getReq(invitations+"?state=lost", tok))
	rp.call(a, 401, getReq(invitations, ""))
	var invitationID int64
	if err := a.DB.Get(&invitationID, `SELECT min(id) FROM invitees`); err != nil {
		t.Fatal(err)
	}
	invitation := fmt.Sprintf("%s/%d", invitations, invitationID)
	rp.call(a, 409, sendReq(http.MethodPost, invitation+"/resend", tok, ""))
	rp.call(a, 200, sendReq(http.MethodPost, invitation+"/withdraw", tok, ""))
	rp.call(a, 409, sendReq(http.MethodPost, invitation+"/resend", tok, ""))
	a.DB.MustExec(`UPDATE invitees SET created_at = created_at - interval '1 hour'`)
	rp.call(a, 200, sendReq(http.MethodPost, fmt.Sprintf("%s/%d/resend", invitations, invitationID+1), tok, ""))
	rp.call(a, 404, sendReq(http.MethodPost, invitations+"/999999/withdraw", tok, ""))
	rp.call(a, 422, sendReq(http.MethodPost, invitations+"/x/withdraw", tok, ""))
	rp.call(a, 413, servertest.Request{Method: http.MethodPost, Path: invitations, Token: tok,
		Body: "email\n" + strings.Repeat("a", 6<<20), ContentType: "text/csv"})
	rp.call(a, 403, sendReq(http.MethodPost, "/api/v1/events/invited/registrations", "", servertest.Participant("uninvited@example.uz", nil)))
	focal := "/api/v1/events/invited/focal-points"
	rp.call(a, 200, sendReq(http.MethodPost, focal, tok, map[string]any{"delegation": "KZ", "email": "focal@example.kz", "quota": 2}))
	rp.call(a, 422, sendReq(http.MethodPost, focal, tok, map[string]any{"delegation": "XX1", "email": "nope", "quota": 0}))
	rp.call(a, 200, getReq(focal, tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/focal-points", tok))
	replayApproval(t, rp, a)
	replayVisaLetters(t, rp, a)

	// The team, its roles and the audit log
	members := "/api/v1/events/egov/members"
	door, doorTok := a.Organizer("door@example.uz")
	rp.call(a, 201, sendReq(http.MethodPost, members, tok, map[string]any{"email": door.Email, "role": "organizer"}))
	rp.call(a, 200, sendReq(http.MethodPost, members, tok, map[string]any{"email": "DOOR@example.uz", "role": "Door"}))
	rp.call(a, 201, sendReq(http.MethodPost, members, tok, map[string]any{"email": "new@example.uz", "role": "door", "language": "ru"}))
	rp.call(a, 422, sendReq(http.MethodPost, members, tok, map[string]any{"email": "x", "role": "owner", "language": "de"}))
	rp.call(a, 409, sendReq(http.MethodPost, members, tok, map[string]any{"email": a.Org.Email, "role": "door"}))
	rp.call(a, 400, sendReq(http.MethodPost, members, tok, `{"email": `))
	rp.call(a, 413, sendReq(http.MethodPost, members, tok, map[string]any{"email": strings.Repeat("x", 70000)}))
	rp.call(a, 200, getReq(members, tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/members", tok))
	rp.call(a, 401, getReq(members, ""))
	// Door staff check people in, and nothing else.
	rp.call(a, 201, sendReq(http.MethodPost, ci, doorTok, map[string]any{"registration_id": walker, "day": day}))
	rp.call(a, 403, getReq(members, doorTok))
	rp.call(a, 403, sendReq(http.MethodPost, members, doorTok, map[string]any{"email": "x@example.uz", "role": "door"}))
	rp.call(a, 403, getReq(reg, doorTok))
	rp.call(a, 403, getReq(reg+"/"+p1, doorTok))
	rp.call(a, 403, getReq(reg+"/export?format=csv", doorTok))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/"+p3+"/cancel", doorTok, nil))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/"+p3+"/promote", doorTok, nil))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/"+p3+"/approve", doorTok, nil))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/"+p3+"/reject", doorTok, nil))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/approve", doorTok, map[string]any{"ids": []string{p3}}))
	rp.call(a, 403, sendReq(http.MethodPost, reg+"/reject", doorTok, map[string]any{"ids": []string{p3}}))
	rp.call(a, 403, getReq(reg+"/"+p3+"/visa-letter.pdf", doorTok))
	rp.call(a, 403, getReq("/api/v1/events/egov/documents/visa-letters.zip", doorTok))
	rp.call(a, 403, sendReq(http.MethodDelete, reg+"/"+p3+"?erase=true", doorTok, nil))
	rp.call(a, 403, sendReq(http.MethodPost, reg, doorTok, servertest.Participant("walkin3@example.uz", nil)))
	rp.call(a, 403, sendReq(http.MethodPatch, "/api/v1/events/egov", doorTok, map[string]any{"title": "Mine now"}))
	rp.call(a, 403, getReq("/api/v1/events/egov/stats", doorTok))
	rp.call(a, 403, getReq("/api/v1/events/egov/emails", doorTok))
	rp.call(a, 403, sendReq(http.MethodPost, "/api/v1/events/egov/emails/1/retry", doorTok, nil))
	rp.call(a, 403, getReq("/api/v1/events/egov/audit", doorTok))
	rp.call(a, 403, sendReq(http.MethodDelete, members+"/new@example.uz", doorTok, nil))
	rp.call(a, 204, sendReq(http.MethodDelete, members+"/new@example.uz", tok, nil))
	rp.call(a, 404, sendReq(http.MethodDelete, members+"/new@example.uz", tok, nil))
	rp.call(a, 409, sendReq(http.MethodDelete, members+"/"+a.Org.Email, tok, nil))
	rp.call(a, 200, getReq("/api/v1/events/egov/audit", tok))
	rp.call(a, 200, getReq("/api/v1/events/egov/audit?action=checkin.create&limit=1", tok))
	rp.call(a, 422, getReq("/api/v1/events/egov/audit?action=nothing&limit=0", tok))
	rp.call(a, 422, getReq("/api/v1/events/egov/audit?cursor=abc", tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/audit", tok))
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"translations": map[string]any{
		"ru": map[string]any{"title": "Семинар по электронному правительству", "city": "Ташкент"}, "uz": nil}}))
	rp.call(a, 422, sendReq(http.MethodPatch, "/api/v1/events/egov", tok, map[string]any{"translations": map[string]any{
		"de": map[string]any{"title": "Workshop"}, "ru": map[string]any{"title": strings.Repeat("я", 201)}}}))

	// Statistics and emails
	rp.call(a, 200, getReq("/api/v1/events/egov/stats", tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/stats", tok))
	rp.call(a, 401, getReq("/api/v1/events/egov/stats", ""))
	emails := rp.call(a, 200, getReq("/api/v1/events/egov/emails", tok))
	rp.call(a, 200, getReq("/api/v1/events/egov/emails?status=sent&limit=5", tok))
	rp.call(a, 422, getReq("/api/v1/events/egov/emails?status=lost", tok))
	list := servertest.Decode[struct {
		Emails []struct {
			ID int64 `json:"id"`
		} `json:"emails"`
	}](t, emails, http.StatusOK)
	if len(list.Emails) == 0 {
		t.Fatal("no emails queued")
	}
	failed := list.Emails[0].ID
	if _, err := a.DB.Exec(`UPDATE emails SET status = 'failed', attempts = 12, last_error = '550 5.1.1 mailbox unavailable' WHERE id = $1`, failed); err != nil {
		t.Fatal(err)
	}
	retry := fmt.Sprintf("/api/v1/events/egov/emails/%d/retry", failed)
	rp.call(a, 200, sendReq(http.MethodPost, retry, tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, retry, tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events/egov/emails/abc/retry", tok, nil))
	rp.call(a, 404, sendReq(http.MethodPost, "/api/v1/events/egov/emails/999999/retry", tok, nil))

	// Messages to participants: the confirmed who attended the first day
	// (walkin, checked in by the door above).
	msgs := "/api/v1/events/egov/messages"
	message := map[string]any{
		"texts": map[string]any{
			"en": map[string]any{"subject": "Slides", "body": "Dear {name}, the slides: https://example.org/slides"},
			"ru": map[string]any{"subject": "Слайды", "body": "Слайды: https://example.org/slides"},
		},
		"filter": map[string]any{"statuses": []string{"confirmed"}, "attended": []string{day}, "answers": []string{"diet:halal", ""}},
	}
	with := func(k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range message {
			out[key] = val
		}
		out[k] = v
		return out
	}
	rp.call(a, 200, sendReq(http.MethodPost, msgs+"/preview", tok, with("filter", map[string]any{"statuses": []string{"confirmed"}, "attended": []string{day}})))
	rp.call(a, 422, sendReq(http.MethodPost, msgs+"/preview", tok, map[string]any{"texts": map[string]any{"de": map[string]any{"subject": "x"}}}))
	draft := servertest.Decode[struct {
		ID int64 `json:"id"`
	}](t, rp.call(a, 201, sendReq(http.MethodPost, msgs, tok, message)), http.StatusCreated).ID
	rp.call(a, 201, sendReq(http.MethodPost, msgs, tok, with("send", true)))
	scheduled := servertest.Decode[struct {
		ID int64 `json:"id"`
	}](t, rp.call(a, 201, sendReq(http.MethodPost, msgs, tok, with("send_at", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))), http.StatusCreated).ID
	rp.call(a, 422, sendReq(http.MethodPost, msgs, tok, map[string]any{"texts": map[string]any{"en": map[string]any{"subject": "a\nb", "body": ""}},
		"filter": map[string]any{"statuses": []string{"cancelled"}, "role": "boss", "delegation": "NATO2", "attended": []string{"1999-01-01"},
			"answers": []string{"diet:pizza"}}, "send_at": "2001-01-01T00:00:00Z"}))
	rp.call(a, 422, sendReq(http.MethodPost, msgs, tok, with("send_at", "tomorrow")))
	rp.call(a, 400, sendReq(http.MethodPost, msgs, tok, `{"texts": `))
	rp.call(a, 200, getReq(msgs, tok))
	rp.call(a, 404, getReq("/api/v1/events/nope/messages", tok))
	one := fmt.Sprintf("%s/%d", msgs, draft)
	rp.call(a, 200, sendReq(http.MethodPost, one+"/preview", tok, nil))
	rp.call(a, 404, sendReq(http.MethodPost, msgs+"/999999/preview", tok, nil))
	rp.call(a, 202, sendReq(http.MethodPost, one+"/test", tok, nil))
	rp.call(a, 404, sendReq(http.MethodPost, msgs+"/999999/test", tok, nil))
	rp.call(a, 200, sendReq(http.MethodPost, one+"/send", tok, nil))
	rp.call(a, 200, getReq(one, tok))
	rp.call(a, 422, getReq(msgs+"/abc", tok))
	rp.call(a, 404, getReq(msgs+"/999999", tok))
	rp.call(a, 200, sendReq(http.MethodPost, one+"/retry-failed", tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, msgs+"/0/retry-failed", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, one+"/cancel", tok, nil))
	other := fmt.Sprintf("%s/%d", msgs, scheduled)
	rp.call(a, 200, sendReq(http.MethodPost, other+"/cancel", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, other+"/send", tok, nil))
	rp.call(a, 403, getReq(msgs, doorTok))
	rp.call(a, 403, sendReq(http.MethodPost, msgs, doorTok, message))
	rp.call(a, 403, sendReq(http.MethodPost, one+"/send", doorTok, nil))

	// An internal error: no sealer for the confirmation link.
	sealer := a.Store.Sealer
	a.Store.Sealer = nil
	rp.call(a, 500, sendReq(http.MethodPost, reg, "", servertest.Participant("p9@example.uz", nil)))
	a.Store.Sealer = sealer

	// The rate limit, on a server that allows one registration.
	limited := servertest.New(t, func(d *server.Deps) { d.Config.RegisterRateLimit = 1 })
	limited.Event(limited.Token, "egov", nil)
	rp.call(limited, 202, sendReq(http.MethodPost, reg, "", servertest.Participant("one@example.uz", nil)))
	rp.call(limited, 429, sendReq(http.MethodPost, reg, "", servertest.Participant("two@example.uz", nil)))

	replayWebhooks(rp, a, tok)

	// An unreachable database.
	down := unreachableAPI(t)
	rp.call(down, 503, getReq("/readyz", ""))
	rp.call(down, 503, getReq("/api/v1/events", ""))
	rp.call(down, 503, sendReq(http.MethodPost, reg, "", servertest.Participant("x@example.uz", nil)))

	for _, op := range rp.sc.untried() {
		t.Errorf("not replayed: %s", op)
	}
}

// unreachableAPI is a server whose database cannot be reached.
func unreachableAPI(t *testing.T) *servertest.Server {
	t.Helper()
	db, err := sqlx.Open("postgres", "postgres://attend@127.0.0.1:1/attend?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &servertest.Server{T: t, DB: db, Logs: &servertest.SyncBuffer{}}
	a.Srv = servertest.Handler(t, server.Deps{
		Config: servertest.Config(t), Store: store.New(db), Rules: domain.NewRules(),
		Logger: slog.New(slog.NewJSONHandler(a.Logs, nil)),
	})
	return a
}

// replayQuestions are the replayed event's questions, none required, so
// that participants who answer nothing register too.
func replayQuestions() []map[string]any {
	label := func(en, ru string) map[string]string { return map[string]string{"en": en, "ru": ru} }
	return []map[string]any{
		{"key": "diet", "type": "single_choice", "label": label("Dietary needs", "Питание"), "options": []map[string]any{
			{"value": "vegetarian", "label": label("Vegetarian", "Вегетарианское")},
			{"value": "halal", "label": label("Halal", "Халяль")}}},
		{"key": "sessions", "type": "multiple_choice", "personal": false, "label": label("Sessions", "Секции"), "options": []map[string]any{
			{"value": "open_data", "label": label("Open data", "Открытые данные")},
			{"value": "services", "label": label("Services", "Услуги")}}},
		{"key": "visa_letter", "type": "yes_no", "label": label("Visa letter", "Визовое письмо"),
			"help": label("We send it to your email.", "Мы пришлём его на вашу почту.")},
	}
}

// replayApproval replays the approval operations on an event of three
// seats that requires approval, and checks the seats in SQL: five
// applications hold none; one is rejected, one approved alone, and three
// approved together take the two seats left and the waiting list.
func replayApproval(t *testing.T, rp *replay, a *servertest.Server) {
	t.Helper()
	tok := a.Token
	rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("review", func(b map[string]any) {
		b["capacity"] = 3
		b["requires_approval"] = true
	})))
	reg := "/api/v1/events/review/registrations"
	ids := make([]string, 5)
	for i := range ids {
		email := fmt.Sprintf("applicant%d@example.uz", i)
		rec := rp.call(a, 202, sendReq(http.MethodPost, reg, "", servertest.Participant(email, nil)))
		if !strings.Contains(rec.Body.String(), `"awaiting_approval"`) {
			t.Errorf("an application is answered %s, want awaiting_approval", rec.Body)
		}
		ids[i] = idOf(a, email)
	}
	seats := func() (held, holding int) {
		t.Helper()
		if err := a.DB.Get(&held, `SELECT event_seats_held(id) FROM events WHERE slug = 'review'`); err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Get(&holding, `SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id
			WHERE e.slug = 'review' AND r.status IN ('pending', 'confirmed')`); err != nil {
			t.Fatal(err)
		}
		return held, holding
	}
	if held, holding := seats(); held != 0 || holding != 0 {
		t.Errorf("five applications: seats_held %d, holding %d; want 0 and 0", held, holding)
	}
	uuid0 := "00000000-0000-4000-8000-000000000000"
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+ids[4]+"/reject", tok, map[string]any{"message": "The hall is small.\nSorry."}))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+ids[4]+"/reject", tok, nil))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/"+ids[0]+"/approve", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, reg+"/"+ids[0]+"/approve", tok, nil))
	rp.call(a, 409, sendReq(http.MethodPost, reg+"/"+ids[0]+"/reject", tok, nil))
	rp.call(a, 404, sendReq(http.MethodPost, reg+"/"+uuid0+"/approve", tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/x/reject", tok, nil))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/"+ids[1]+"/approve", tok, map[string]any{"message": strings.Repeat("x", 2001)}))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/approve", tok, map[string]any{"ids": []string{}}))
	rp.call(a, 422, sendReq(http.MethodPost, reg+"/reject", tok, map[string]any{"ids": []string{"nope"}}))
	rp.call(a, 400, sendReq(http.MethodPost, reg+"/approve", tok, `{"ids": `))
	for i, list := range [][]string{{uuid0, ids[1]}, {ids[1], uuid0}} { // which one is not the event's is named
		field := fmt.Sprintf(`"ids[%d]"`, i)
		if rec := rp.call(a, 404, sendReq(http.MethodPost, reg+"/approve", tok, map[string]any{"ids": list})); !strings.Contains(rec.Body.String(), field) {
			t.Errorf("a stranger's id is not named %s: %s", field, rec.Body)
		}
	}
	rp.call(a, 409, sendReq(http.MethodPost, reg+"/reject", tok, map[string]any{"ids": []string{ids[1], ids[0]}}))
	rp.call(a, 401, sendReq(http.MethodPost, reg+"/approve", "", map[string]any{"ids": []string{ids[1]}}))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/approve", tok, map[string]any{"ids": []string{ids[1], ids[2], ids[3]}, "message": "Welcome!"}))
	rp.call(a, 200, sendReq(http.MethodPost, reg+"/reject", tok, map[string]any{"ids": []string{ids[4]}}))
	if held, holding := seats(); held != 3 || holding != 3 {
		t.Errorf("after approving four into three seats: seats_held %d, holding %d; want 3 and 3", held, holding)
	}
	var statuses []string
	if err := a.DB.Select(&statuses, `SELECT status FROM registrations WHERE id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], id)`,
		pq.StringArray(ids)); err != nil {
		t.Fatal(err)
	}
	// Approved, but none has confirmed the address yet: pending seats.
	if want := "pending pending pending waitlisted rejected"; strings.Join(statuses, " ") != want {
		t.Errorf("statuses %v, want %s", statuses, want)
	}
	rp.call(a, 200, getReq(reg+"?status=awaiting_approval", tok))
	rp.call(a, 200, getReq(reg+"?status=rejected", tok))
}

// replayVisaLetters replays the visa letter operations: an event that
// offers letters, an application with passport details (a letter only once
// confirmed), a walk-in with them, and the letters one by one and as a ZIP.
func replayVisaLetters(t *testing.T, rp *replay, a *servertest.Server) {
	t.Helper()
	tok := a.Token
	letters := map[string]any{"host_name": "Academy of Public Administration", "host_address": "45 Amir Temur Avenue\nTashkent",
		"signatory_name": "Alisher Karimov", "signatory_title": "Rector", "templates": map[string]any{"ru": "Приглашаем {{name}}."},
		"translations": map[string]any{"ru": map[string]any{"host_name": "Академия государственного управления", "signatory_title": "Ректор"}}}
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("visa", func(b map[string]any) {
		b["visa_letters"] = map[string]any{"host_name": "", "templates": map[string]any{"de": "x"}}
	})))
	bad := maps.Clone(letters)
	bad["templates"] = map[string]any{"en": "We invite {{name}} to {{nonsense}}."}
	if rec := rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("visa", func(b map[string]any) {
		b["visa_letters"] = bad
	}))); !strings.Contains(rec.Body.String(), `"visa_letters.templates.en"`) || !strings.Contains(rec.Body.String(), "{{nonsense}}") {
		t.Errorf("an unknown placeholder is not named: %s", rec.Body)
	}
	rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/events", tok, servertest.EventBody("visa", func(b map[string]any) {
		b["visa_letters"] = letters
	})))
	rp.call(a, 200, getReq("/api/v1/events/visa", ""))
	start := domain.DateOf(time.Now()).AddDays(30)
	passport := func(number string) func(map[string]any) {
		return func(b map[string]any) {
			b["first_name"], b["last_name"] = "Дилноза", "Юсупова"
			b["visa"] = map[string]any{"passport_name": "Dilnoza Yusupova", "passport_number": number, "nationality": "KZ",
				"date_of_birth": "1988-03-14", "passport_expiry": start.AddDays(400).String()}
		}
	}
	reg := "/api/v1/events/visa/registrations"
	rp.call(a, 422, sendReq(http.MethodPost, reg, "", servertest.Participant("bad@example.kz", func(b map[string]any) {
		b["visa"] = map[string]any{"passport_name": "Дилноза", "passport_number": "№1", "nationality": "XX",
			"date_of_birth": "2999-01-01", "passport_expiry": start.String()}
	})))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/events/review/registrations", "", servertest.Participant("novisa@example.kz", passport("N1234567"))))
	rp.call(a, 202, sendReq(http.MethodPost, reg, "", servertest.Participant("dilnoza@example.kz", passport("N 123-4567"))))
	pending := idOf(a, "dilnoza@example.kz")
	rp.call(a, 404, getReq(reg+"/"+pending+"/visa-letter.pdf", tok)) // not confirmed yet
	if rec := rp.call(a, 404, getReq("/api/v1/events/visa/documents/visa-letters.zip", tok)); !strings.Contains(rec.Body.String(), "no visa invitation letters yet") {
		t.Errorf("an archive without letters does not say why: %s", rec.Body)
	}
	rp.call(a, 201, sendReq(http.MethodPost, reg, tok, servertest.Participant("walkin-visa@example.kz", passport("FA7654321"))))
	walker := idOf(a, "walkin-visa@example.kz")
	rec := rp.call(a, 200, getReq(reg+"/"+walker+"/visa-letter.pdf", tok))
	if !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Errorf("the letter is not a PDF: %.20q", rec.Body.String())
	}
	rp.call(a, 422, getReq(reg+"/nope/visa-letter.pdf", tok))
	rp.call(a, 404, getReq(reg+"/00000000-0000-4000-8000-000000000000/visa-letter.pdf", tok))
	rp.call(a, 401, getReq(reg+"/"+walker+"/visa-letter.pdf", ""))
	rp.call(a, 200, getReq("/api/v1/events/visa/documents/visa-letters.zip", tok))
	var audited []string // the letters show passport numbers: each download is logged
	if err := a.DB.Select(&audited, `SELECT coalesce(registration_id::text, '') || '/' || coalesce(detail->>'count', '')
		FROM audit_log WHERE action = 'visa_letters.download' ORDER BY id`); err != nil || strings.Join(audited, " ") != walker+"/ /1" {
		t.Errorf("audited downloads %q (%v), want the walk-in's letter, then an archive of 1", audited, err)
	}
	export := "/api/v1/events/visa/registrations/export?format=csv"
	if rec := rp.call(a, 200, getReq(export, tok)); strings.Contains(rec.Body.String(), "FA7654321") {
		t.Error("the export carries a passport number it was not asked for")
	}
	if rec := rp.call(a, 200, getReq(export+"&include=visa", tok)); !strings.Contains(rec.Body.String(), "FA7654321") ||
		!strings.Contains(rec.Body.String(), "Passport number") {
		t.Errorf("the export with include=visa lacks the passport details:\n%s", rec.Body)
	}
	rp.call(a, 200, getReq("/api/v1/events/visa/registrations/export?format=xlsx&include=visa", tok))
	rp.call(a, 422, getReq(export+"&include=passports", tok))
	rp.call(a, 404, getReq("/api/v1/events/review/documents/visa-letters.zip", tok))
	var number string
	if err := a.DB.Get(&number, `SELECT passport_number FROM registration_visa WHERE registration_id = $1`, pending); err != nil || number != "N1234567" {
		t.Errorf("stored passport number %q (%v), want N1234567", number, err)
	}
	rp.call(a, 200, sendReq(http.MethodPatch, "/api/v1/events/visa", tok, map[string]any{"visa_letters": nil}))
	rp.call(a, 404, getReq("/api/v1/events/visa/documents/visa-letters.zip", tok))
}

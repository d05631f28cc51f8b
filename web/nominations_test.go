package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// emailedToken is the plain token of the newest email of kind to address.
func emailedToken(t *testing.T, a *servertest.Server, kind, address string) string {
	t.Helper()
	var sealed string
	if err := a.DB.Get(&sealed, `SELECT payload->>'sealed_token' FROM emails
		WHERE kind = $1 AND recipient = $2 ORDER BY id DESC LIMIT 1`, kind, address); err != nil {
		t.Fatalf("no %s email to %s: %v", kind, address, err)
	}
	token, err := a.Store.Sealer.Open(sealed)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// A focal point from Kazakhstan whose organizers chose Russian for them,
// with a browser in English: the page speaks Russian; after nominating
// they see each nominee and the state of their invitation; an address
// invited before is refused with a message that says so; once the quota
// is used up the page says what that means and whom to ask; a nominee who
// declines, or whose invitation the organizers withdraw, gives the place
// back.
func TestAFocalPointNominatesInTheirLanguageUpToTheQuota(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "invited", func(b map[string]any) { b["invitation_only"] = true })
	if rec := a.Post("/api/v1/events/invited/focal-points", a.Token,
		map[string]any{"delegation": "KZ", "email": "focal@example.kz", "quota": 2, "language": "ru"}); rec.Code != http.StatusOK {
		t.Fatalf("focal point: %d %s", rec.Code, rec.Body)
	}
	token := emailedToken(t, a, "nomination_request", "focal@example.kz")
	page := "/n/" + token
	english := []string{"Accept-Language", "en-US,en;q=0.9"}
	nominate := func(first, last, email string) (int, *servertest.Doc) {
		t.Helper()
		form := url.Values{"first_name": {first}, "last_name": {last}, "email": {email},
			"organization": {"Министерство цифрового развития"}, "position": {"Директор департамента"}}
		rec, doc := a.Submit(page, form, english...)
		if rec.Code == http.StatusSeeOther {
			location := rec.Header().Get("Location")
			if !strings.Contains(location, "lang=ru") {
				t.Errorf("after a nomination, back to %q: the page would change language", location)
			}
			_, doc = a.Page(location, english...)
		}
		return rec.Code, doc
	}

	_, doc := a.Page(page, english...)
	if text := doc.Text(); !strings.Contains(text, "Вы можете выдвинуть до 2 человек") || !strings.Contains(text, "Казахстан") {
		t.Fatalf("the page is not in Russian: %s", text)
	}
	if code, doc := nominate("Айгерим", "Бекова", "aigerim@example.kz"); code != http.StatusSeeOther ||
		!strings.Contains(doc.Text(), "Кандидат приглашён") {
		t.Fatalf("first nomination: %d %s", code, doc.Text())
	} else if rows := servertest.TableRows(doc.ByID("nominees"), "tbody"); len(rows) != 1 ||
		rows[0][0] != "Айгерим Бекова" || rows[0][2] != "Отправляется" {
		t.Errorf("nominees: %q", rows)
	}
	if code, doc := nominate("Айгерим", "Бекова", "AIGERIM@example.kz"); code != http.StatusConflict ||
		!strings.Contains(servertest.TextOf(doc.ByID("email-error")), "уже приглашён") {
		t.Errorf("the same address again: %d %s", code, doc.Text())
	}
	code, doc := nominate("Ержан", "Смагулов", "yerzhan@example.kz")
	used := doc.ByID("quota-used")
	if code != http.StatusSeeOther || used == nil || !strings.Contains(servertest.TextOf(used), "все места вашей квоты заняты") ||
		doc.Has("nominate") {
		t.Fatalf("quota used up: %d %s", code, doc.Text())
	}
	if code, _ := nominate("Третий", "Кандидат", "third@example.kz"); code != http.StatusConflict {
		t.Errorf("a third nomination: %d", code)
	}

	places := func() string {
		_, doc := a.Page(page, english...)
		return servertest.TextOf(doc.ByID("quota"))
	}
	declined := emailedToken(t, a, "participant_invitation", "aigerim@example.kz")
	if rec, _ := a.Submit("/i/"+declined+"/decline", url.Values{}); rec.Code != http.StatusOK {
		t.Fatalf("decline: %d", rec.Code)
	}
	a.Submit("/i/"+declined+"/decline", url.Values{}) // twice: one place only
	if got := places(); !strings.Contains(got, "осталось мест: 1") {
		t.Errorf("after a decline: %q", got)
	}
	var yerzhan int64
	if err := a.DB.Get(&yerzhan, `SELECT id FROM invitees WHERE email = 'yerzhan@example.kz'`); err != nil {
		t.Fatal(err)
	}
	if rec := a.Post(fmt.Sprintf("/api/v1/events/invited/invitations/%d/withdraw", yerzhan), a.Token, ""); rec.Code != http.StatusOK {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body)
	}
	_, doc = a.Page(page, english...)
	rows := servertest.TableRows(doc.ByID("nominees"), "tbody")
	if got := servertest.TextOf(doc.ByID("quota")); !strings.Contains(got, "осталось мест: 2") || !doc.Has("nominate") ||
		len(rows) != 2 || rows[0][2] != "Отказался" || rows[1][2] != "Отозвано" {
		t.Errorf("after a withdrawal: %q, nominees %q", got, rows)
	}
}

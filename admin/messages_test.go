package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// composeForm is the compose form, filled in for the confirmed from KZ.
func composeForm(action string) url.Values {
	return url.Values{"action": {action}, "translations.en.subject": {"The slides"},
		"translations.en.body":    {"Dear {name}, the slides: https://example.org/slides <b>now</b>"},
		"translations.ru.subject": {"Слайды"}, "translations.ru.body": {"Слайды: https://example.org/slides"},
		"statuses": {"confirmed"}, "delegation": {"kz"}}
}

func TestOrganizersWriteToParticipantsFromTheDashboard(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	for _, p := range []servertest.Attendee{
		{First: "Aigerim", Last: "Seitova", Email: "aigerim@example.kz", Country: "KZ", Confirmed: true},
		{First: "Nursultan", Last: "Abenov", Email: "nursultan@example.kz", Country: "KZ", Confirmed: true},
		{First: "Bolat", Last: "Pending", Email: "bolat@example.kz", Country: "KZ"},
		{First: "Dilnoza", Last: "Yusupova", Email: "dilnoza@example.uz", Country: "UZ", Confirmed: true},
	} {
		d.Enrol(d.Ev, p)
	}
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	page := "/admin/events/" + d.Ev.Slug + "/messages"

	rec, doc := d.Open(page, owner)
	if rec.Code != http.StatusOK || !doc.Has("translations-en-subject") {
		t.Fatalf("the compose page: %d %.300s", rec.Code, doc.Text())
	}
	// The count and a preview before sending, escaped, storing nothing.
	rec, doc = d.Submit(page, composeForm("preview"), "Cookie", owner)
	// The two registered at the same moment: either may be the sample.
	if rec.Code != http.StatusOK || !strings.Contains(doc.Text(), "Participants it goes to now: 2") ||
		!strings.Contains(doc.Text(), "Dear Aigerim Seitova, the slides") && !strings.Contains(doc.Text(), "Dear Nursultan Abenov, the slides") {
		t.Fatalf("preview: %d %.600s", rec.Code, doc.Text())
	}
	if strings.Contains(rec.Body.String(), "<b>now</b>") {
		t.Error("the preview shows the organizer's markup unescaped")
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("a preview stored %d messages", n)
	}
	// A message without a subject comes back with what was typed.
	bad := composeForm("send")
	bad.Set("translations.en.subject", "")
	rec, doc = d.Submit(page, bad, "Cookie", owner)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc.Text(), "Subject (English)") ||
		!strings.Contains(rec.Body.String(), "https://example.org/slides") {
		t.Errorf("a message without a subject: %d %.400s", rec.Code, doc.Text())
	}
	// Sent: the message's page lists the two confirmed from KZ.
	rec, _ = d.Submit(page, composeForm("send"), "Cookie", owner)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=message_sent") {
		t.Fatalf("send: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	_, doc = d.Follow(rec, owner)
	rows := servertest.TableRows(doc.SelectAll("table.recipients")[0], "tbody")
	people := ""
	for _, row := range rows {
		people += row[0] + " "
	}
	if len(rows) != 2 || !strings.Contains(people, "aigerim@example.kz") || !strings.Contains(people, "nursultan@example.kz") {
		t.Errorf("recipients %q", rows)
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM audit_log WHERE action = 'message.send'`); n != 1 {
		t.Errorf("%d audit entries for the send, want 1", n)
	}
	// Sending it again writes to nobody new; the list shows it, in Russian too.
	self := rec.Header().Get("Location")
	self = self[:strings.Index(self, "?")]
	d.Send(self+"/send", owner, url.Values{})
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM message_recipients`); n != 2 {
		t.Errorf("%d recipients after sending again, want 2", n)
	}
	_, doc = d.Open(page+"?lang=ru", owner)
	if !strings.Contains(doc.Text(), "Сообщения участникам") || !strings.Contains(doc.Text(), "Слайды") {
		t.Errorf("the list in Russian: %.400s", doc.Text())
	}
	// A scheduled message can be cancelled.
	later := composeForm("schedule")
	later.Set("send_at", "2019-06-10T10:00") // within 30 days of the end
	rec, _ = d.Submit(page, later, "Cookie", owner)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("schedule: %d", rec.Code)
	}
	scheduled := rec.Header().Get("Location")
	scheduled = scheduled[:strings.Index(scheduled, "?")]
	_, doc = d.Follow(d.Send(scheduled+"/cancel", owner, url.Values{}), owner)
	if !strings.Contains(doc.Text(), "The message is cancelled.") {
		t.Errorf("cancel: %.300s", doc.Text())
	}
}

func TestAComposeFormWithBytesThatAreNotUTF8IsRefusedAndNotEchoed(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	page := "/admin/events/" + d.Ev.Slug + "/messages"
	for _, action := range []string{"preview", "send"} {
		form := composeForm(action)
		form.Set("translations.en.subject", "The \xff\xfe slides")
		form.Set("translations.en.body", "Bad \xc3 body")
		rec, _ := d.Submit(page, form, "Cookie", owner)
		if rec.Code != http.StatusUnprocessableEntity || !utf8.Valid(rec.Body.Bytes()) {
			t.Errorf("%s with bytes that are not UTF-8: %d, valid UTF-8 page: %v", action, rec.Code, utf8.Valid(rec.Body.Bytes()))
		}
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM messages`); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

func TestAnAnswerFilterTheEventDoesNotOfferIsExplainedByTheAnswersField(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	page := "/admin/events/" + d.Ev.Slug + "/messages"
	for lang, want := range map[string]string{
		"en": "Choose answers that the event's questions offer.",
		"ru": "Выберите ответы, которые предлагают вопросы мероприятия.",
		"uz": "Tadbir savollari taklif qiladigan javoblarni tanlang.",
	} {
		form := composeForm("preview")
		form.Set("answer", "nope:x")
		rec, doc := d.Submit(page+"?lang="+lang, form, "Cookie", owner)
		box := doc.ByID("answer-error")
		if rec.Code != http.StatusUnprocessableEntity || box == nil || !strings.Contains(servertest.TextOf(box), want) ||
			strings.Contains(doc.Text(), "field.answers") {
			t.Errorf("%s: %d, error by the answers %v; page %.500s", lang, rec.Code, box != nil, doc.Text())
		}
	}
}

func TestTheDashboardShowsWhomThePerAddressLimitHoldsBack(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t, func(deps *server.Deps) { deps.Store.MessagesPerAddressHour = 1 })
	d.Enrol(d.Ev, servertest.Attendee{First: "Aigerim", Last: "Seitova", Email: "aigerim@example.kz", Country: "KZ", Confirmed: true})
	owner := d.SignIn(d.Org.Email, servertest.DashPassword)
	page := "/admin/events/" + d.Ev.Slug + "/messages"
	d.Submit(page, composeForm("send"), "Cookie", owner)
	if _, doc := d.Submit(page+"?lang=en", composeForm("preview"), "Cookie", owner); !strings.Contains(doc.Text(), "1 more match but got the most organizer messages") {
		t.Errorf("the preview within the hour: %.600s", doc.Text())
	}
	rec, _ := d.Submit(page, composeForm("send"), "Cookie", owner)
	second := rec.Header().Get("Location")
	if _, doc := d.Open(second[:strings.Index(second, "?")]+"?lang=en", owner); !strings.Contains(doc.Text(), "Partly sent") ||
		!strings.Contains(doc.Text(), "Held back1 1 more match") {
		t.Errorf("the second message's page: %.600s", doc.Text())
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/servertest"
)

func TestBrowserRegistersInRussianAfterFixingErrors(t *testing.T) {
	a := servertest.New(t)
	if _, err := demo.Load(context.Background(), a.Store, a.Rules, time.Now()); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)
	submit := chromedp.CSS(`form.form button[type=submit]`)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/events/"+demo.UpcomingSlug),
		chromedp.WaitVisible(submit),
	); err != nil {
		t.Fatalf("open the event page: %v", err)
	}
	if lang, title := servertest.Attribute(t, ctx, "html", "lang"), servertest.ElementText(t, ctx, "h1"); lang != "en" || !strings.Contains(title, "follow-up workshop") {
		t.Fatalf("event page in %q titled %q", lang, title)
	}

	t.Log("submit the empty form")
	if err := chromedp.Do(ctx, chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`#first_name-error`))); err != nil {
		t.Fatalf("submit empty: %v", err)
	}
	if got := servertest.ElementText(t, ctx, "#first_name-error"); !strings.Contains(got, "Enter your first name.") {
		t.Errorf("first name error %q", got)
	}
	if got := servertest.ElementText(t, ctx, "#consent-error"); !strings.Contains(got, "agree to the processing") {
		t.Errorf("consent error %q", got)
	}
	if got := servertest.Attribute(t, ctx, "#first_name", "aria-invalid"); got != "true" {
		t.Errorf("aria-invalid %q", got)
	}
	if got := servertest.Attribute(t, ctx, "#first_name", "aria-describedby"); !strings.Contains(got, "first_name-error") {
		t.Errorf("aria-describedby %q", got)
	}
	if got := servertest.ElementText(t, ctx, ".error-summary"); !strings.Contains(got, "First name: Enter your first name.") {
		t.Errorf("summary %q", got)
	}
	servertest.Screenshot(t, ctx, "registration-form-errors.png")

	t.Log("switch to Russian and fill the form in")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.langs a[hreflang=ru]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang=ru] #first_name`)),
	); err != nil {
		t.Fatalf("switch to Russian: %v", err)
	}
	if got := servertest.ElementText(t, ctx, "#registration-title"); got != "Регистрация на мероприятие" {
		t.Errorf("Russian form title %q", got)
	}
	country := servertest.Eval(t, ctx, `[...document.querySelectorAll('#country option')].find(o => o.textContent.trim() === 'Узбекистан').value`)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#first_name`), "Дилноза"),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Юсупова"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "dilnoza.browser@example.uz"),
		chromedp.SendKeys(chromedp.CSS(`#organization`), "Центр экономических исследований и реформ"),
		chromedp.SendKeys(chromedp.CSS(`#position`), "Научный сотрудник"),
		chromedp.SetValue(chromedp.CSS(`#country`), country),
		chromedp.SetValue(chromedp.CSS(`#role`), "researcher"),
		chromedp.Click(chromedp.CSS(`#consent`)),
	); err != nil {
		t.Fatalf("fill the Russian form: %v", err)
	}
	if got := servertest.Eval(t, ctx, `document.querySelector('#country').selectedOptions[0].textContent.trim()`); country != "UZ" || got != "Узбекистан" {
		t.Errorf("chose %q (%q) for Узбекистан", country, got)
	}

	t.Log("forget the dietary needs, which the workshop requires")
	if err := chromedp.Do(ctx, chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`#q-diet-error`))); err != nil {
		t.Fatalf("submit without the required answer: %v", err)
	}
	if got := servertest.ElementText(t, ctx, "#q-diet-error"); !strings.Contains(got, "Ответьте на этот вопрос.") {
		t.Errorf("diet error %q, want it in Russian", got)
	}
	if got := servertest.ElementText(t, ctx, "#q-diet legend"); !strings.Contains(got, "Особенности питания") || !strings.Contains(got, "*") {
		t.Errorf("diet legend %q, want the Russian label marked required", got)
	}
	if got := servertest.Attribute(t, ctx, "#q-diet", "aria-describedby"); !strings.Contains(got, "q-diet-error") {
		t.Errorf("diet aria-describedby %q", got)
	}
	if got := servertest.ElementText(t, ctx, ".error-summary"); !strings.Contains(got, "Особенности питания: Ответьте на этот вопрос.") {
		t.Errorf("summary %q", got)
	}
	if got := servertest.Eval(t, ctx, `document.querySelector('#first_name').value`); got != "Дилноза" {
		t.Errorf("first name kept as %q", got)
	}
	servertest.Screenshot(t, ctx, "registration-questions-error-ru.png")

	t.Log("answer the questions: one choice, several choices, yes or no")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="answers.diet"][value=vegetarian]`)),
		chromedp.Click(chromedp.CSS(`input[name="answers.sessions"][value=open_data]`)),
		chromedp.Click(chromedp.CSS(`input[name="answers.sessions"][value=skills]`)),
		chromedp.Click(chromedp.CSS(`input[name="answers.visa_letter"][value=yes]`)),
		chromedp.Click(submit), chromedp.WaitVisible(chromedp.CSS(`.panel h1`)),
	); err != nil {
		t.Fatalf("submit the Russian form: %v", err)
	}
	location, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(location); err != nil || u.Path != "/events/"+demo.UpcomingSlug+"/thanks" {
		t.Errorf("landed on %q", location)
	}
	if got := servertest.ElementText(t, ctx, ".panel"); !strings.Contains(got, "Спасибо за регистрацию") || !strings.Contains(got, "Мы отправили письмо") {
		t.Errorf("thank-you page says %q", got)
	}
	servertest.Screenshot(t, ctx, "registration-thanks.png")

	var got struct {
		FirstName string `db:"first_name"`
		Country   string `db:"country"`
		Language  string `db:"language"`
		Status    string `db:"status"`
		Answers   string `db:"answers"`
	}
	if err := a.DB.Get(&got, `SELECT first_name, country, language, status, answers::text AS answers FROM registrations WHERE email = $1`,
		"dilnoza.browser@example.uz"); err != nil {
		t.Fatalf("the registration is not stored: %v", err)
	}
	if got.FirstName != "Дилноза" || got.Country != "UZ" || got.Language != "ru" || got.Status != "pending" ||
		got.Answers != `{"diet": "vegetarian", "sessions": ["open_data", "skills"], "visa_letter": true}` {
		t.Errorf("stored %+v", got)
	}
	organizerSeesTheAnswers(t, a)
}

// organizerSeesTheAnswers checks, as the demo organizer on the Russian
// dashboard, that the answers of the participant registered through the
// Russian form are in the list, the CSV, the XLSX and the statistics, and
// that the 2019 workshop counts the OECD's expert under the OECD.
func organizerSeesTheAnswers(t *testing.T, a *servertest.Server) {
	t.Helper()
	rec, _ := a.Submit("/admin/login", url.Values{"email": {demo.Organizer}, "password": {demo.Password}})
	ck := servertest.SessionCookie(rec)
	if ck == nil {
		t.Fatalf("sign in: %d", rec.Code)
	}
	cookie := ck.Name + "=" + ck.Value
	page := "/admin/events/" + demo.UpcomingSlug + "?lang=ru"
	_, d := a.Page(page+"&answer=diet:vegetarian", "Cookie", cookie)

	t.Log("the list, filtered by the answer")
	rows := servertest.TableRows(d.ByID("registrations-table"), "tbody")
	if len(rows) != 1 || !strings.Contains(rows[0][0], "Дилноза") ||
		!strings.Contains(rows[0][3], "Особенности питания: Вегетарианское") ||
		!strings.Contains(rows[0][3], "Секции, которые вы планируете посетить: Открытые данные; Цифровые навыки госслужащих") ||
		!strings.Contains(rows[0][3], "Мне нужно визовое приглашение: Да") {
		t.Errorf("the list filtered by diet:vegetarian: %q", rows)
	}

	t.Log("the statistics")
	diet := servertest.TableRows(d.ByID("answers-diet"), "tbody")
	counts := map[string]string{}
	for _, r := range diet {
		counts[r[0]] = r[1]
	}
	if counts["Вегетарианское"] != "1" || counts["Халяль"] != "0" {
		t.Errorf("diet counts %q", diet)
	}
	sessions := servertest.TableRows(d.ByID("answers-sessions"), "tbody")
	if len(sessions) != 3 || sessions[1][1] != "1" || sessions[2][1] != "1" || sessions[0][1] != "0" {
		t.Errorf("session counts %q", sessions)
	}

	t.Log("the CSV and the XLSX")
	rec, _ = a.Page("/admin/events/"+demo.UpcomingSlug+"/export?format=csv&lang=ru", "Cookie", cookie)
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil || len(records) < 2 {
		t.Fatalf("CSV (%v): %s", err, rec.Body)
	}
	col := slices.Index(records[0], "Особенности питания")
	multi := slices.Index(records[0], "Секции, которые вы планируете посетить")
	var row []string
	for _, r := range records[1:] {
		if slices.Contains(r, "dilnoza.browser@example.uz") {
			row = r
		}
	}
	if col < 0 || multi < 0 || row == nil || row[col] != "Вегетарианское" || row[multi] != "Открытые данные; Цифровые навыки госслужащих" {
		t.Errorf("CSV headers %q, row %q", records[0], row)
	}
	rec, _ = a.Page("/admin/events/"+demo.UpcomingSlug+"/export?format=xlsx&lang=ru", "Cookie", cookie)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	sheet, err := f.GetRows("Участники")
	if err != nil || len(sheet) < 2 || sheet[0][col] != "Особенности питания" || !slices.Contains(sheet[len(sheet)-1], "Вегетарианское") {
		t.Errorf("XLSX attendees (%v): %q", err, sheet)
	}
	answers, err := f.GetRows("Ответы")
	if err != nil || !slices.ContainsFunc(answers, func(r []string) bool {
		return len(r) == 3 && r[0] == "Особенности питания" && r[1] == "Вегетарианское" && r[2] == "1"
	}) {
		t.Errorf("XLSX answers (%v): %q", err, answers)
	}

	t.Log("the OECD's expert counts under the OECD")
	_, d = a.Page("/admin/events/"+demo.PastSlug+"?lang=ru", "Cookie", cookie)
	stats := map[string]string{}
	for _, r := range servertest.TableRows(d.ByID("stats-table"), "tbody") {
		stats[r[0]] = r[1]
	}
	if stats["ОЭСР"] != "1" || stats["Франция"] != "" {
		t.Errorf("2019 numbers by delegation %v, want ОЭСР 1 and no France", stats)
	}
}

func TestBrowserConfirmsThroughThePersonalPage(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) {
		b["venue"], b["city"], b["capacity"] = "Academy of Public Administration", "Tashkent", 40
	})
	token := a.LinkToken("egov", "gayrat@example.uz", "uz")
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)

	t.Log("a phone-sized Uzbek event page")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/events/egov?lang=uz"),
		chromedp.WaitVisible(chromedp.CSS(`#first_name`)),
	); err != nil {
		t.Fatalf("open the Uzbek page: %v", err)
	}
	if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the page is %spx wide on a 390px screen", w)
	}
	servertest.Screenshot(t, ctx, "event-uz-phone.png")

	t.Log("the personal page, as the confirmation email links it")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1000, 900),
		chromedp.Navigate(srv.URL+"/r/"+token+"?action=confirm"),
		chromedp.WaitVisible(chromedp.CSS(`#status`)),
	); err != nil {
		t.Fatalf("open the personal page: %v", err)
	}
	if got := servertest.ElementText(t, ctx, "#status"); got != "Tasdiqlashingiz kutilmoqda" {
		t.Errorf("status %q", got)
	}
	if got := servertest.ElementText(t, ctx, ".intent"); !strings.Contains(got, "tasdiqlash uchun") {
		t.Errorf("intent %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action*="/confirm"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.checkin .code`)),
	); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if got := servertest.ElementText(t, ctx, "#status"); got != "Tasdiqlangan" {
		t.Errorf("status after confirming %q", got)
	}
	servertest.Screenshot(t, ctx, "personal-page-confirmed.png")
	if got := a.Registrations()[0].Status; got != "confirmed" {
		t.Errorf("stored status %s", got)
	}
}

func TestBrowserChangesARegistrationInRussianOnAPhone(t *testing.T) {
	a := servertest.New(t)
	questionEvent(a, "egov")
	token := a.LinkToken("egov", "dilnoza@example.uz", "ru")
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)

	t.Log("the event page with its questions, phone-sized, in Russian")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/events/egov?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#q-diet`)),
	); err != nil {
		t.Fatalf("open the event page: %v", err)
	}
	if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the event page is %spx wide on a 390px screen", w)
	}
	servertest.Screenshot(t, ctx, "event-questions-ru-phone.png")

	t.Log("change the registration from the personal page")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/r/"+token),
		chromedp.WaitVisible(chromedp.CSS(`#edit`)),
		chromedp.Click(chromedp.CSS(`#edit`)),
		chromedp.WaitVisible(chromedp.CSS(`#q-diet`)),
	); err != nil {
		t.Fatalf("open the edit form: %v", err)
	}
	if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the edit page is %spx wide on a 390px screen", w)
	}
	if got := servertest.ElementText(t, ctx, "h1"); got != "Изменение регистрации" {
		t.Errorf("edit page title %q", got)
	}
	servertest.Screenshot(t, ctx, "edit-ru-phone.png")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#last_name`), "Юсупова-Каримова"),
		chromedp.Click(chromedp.CSS(`input[name="answers.diet"][value=halal]`)),
		chromedp.Click(chromedp.CSS(`input[name="answers.sessions"][value=services]`)),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	); err != nil {
		t.Fatalf("save the change: %v", err)
	}
	text := servertest.ElementText(t, ctx, "main")
	for _, want := range []string{"Изменения сохранены", "Юсупова-Каримова", "Халяль", "Услуги"} {
		if !strings.Contains(text, want) {
			t.Errorf("the personal page lacks %q after the change", want)
		}
	}

	t.Log("the same at desktop width")
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/r/"+token+"/edit"),
		chromedp.WaitVisible(chromedp.CSS(`#q-diet`)),
	); err != nil {
		t.Fatalf("open the edit form: %v", err)
	}
	servertest.Screenshot(t, ctx, "edit-ru-desktop.png")
}

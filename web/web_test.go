package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/internal/servertest"
)

func TestEventPageShowsTheFormWithEveryField(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) {
		b["venue"], b["city"], b["capacity"] = "Academy of Public Administration", "Tashkent", 40
		b["description"] = "Integrated services.\n\nOpen data."
	})
	rec, d := a.Page("/events/egov")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if got := servertest.Attr(d.All("html")[0], "lang"); got != "en" {
		t.Errorf(`<html lang=%q>, want "en"`, got)
	}
	if n := len(d.All("h1")); n != 1 {
		t.Errorf("%d <h1>, want one", n)
	}
	for _, tag := range []string{"header", "main", "footer", "fieldset", "legend"} {
		if len(d.All(tag)) == 0 {
			t.Errorf("no <%s>", tag)
		}
	}
	if len(d.All("meta")) < 2 || !strings.Contains(rec.Body.String(), `name="viewport"`) {
		t.Error("no viewport meta")
	}
	if strings.Contains(rec.Body.String(), "<script") || strings.Contains(rec.Body.String(), "style=") {
		t.Error("the page has inline script or style, which the CSP forbids")
	}
	text := d.Text()
	for _, want := range []string{"E-government workshop egov", "Academy of Public Administration", "Tashkent, Uzbekistan",
		"Astana Civil Service Hub", "40 seats left", "Open data.", "Registration is open",
		"Your email address will not be published. Required fields are marked *"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	start := domain.DateOf(time.Now()).AddDays(30)
	if want := i18n.FormatDateRange("en", start.Time(), start.AddDays(1).Time()); !strings.Contains(text, want) {
		t.Errorf("the page does not show the dates %q", want)
	}

	form := d.All("form")[0]
	if servertest.Attr(form, "method") != "post" || servertest.Attr(form, "action") != "/events/egov/register?lang=en" {
		t.Errorf("form method %q action %q", servertest.Attr(form, "method"), servertest.Attr(form, "action"))
	}
	fields := []struct {
		id, tag, autocomplete string
		required              bool
	}{
		{"first_name", "input", "given-name", true},
		{"last_name", "input", "family-name", true},
		{"email", "input", "email", true},
		{"phone", "input", "tel", false},
		{"country", "select", "country", true},
		{"organization", "input", "organization", true},
		{"position", "input", "organization-title", false},
		{"role", "select", "", true},
		{"language", "select", "", false},
		{"consent", "input", "", true},
	}
	for _, f := range fields {
		t.Run("field "+f.id, func(t *testing.T) {
			n := d.ByID(f.id)
			if n.Data != f.tag || servertest.Attr(n, "name") != f.id {
				t.Errorf("<%s name=%q>, want <%s name=%q>", n.Data, servertest.Attr(n, "name"), f.tag, f.id)
			}
			if f.autocomplete != "" && servertest.Attr(n, "autocomplete") != f.autocomplete {
				t.Errorf("autocomplete=%q, want %q", servertest.Attr(n, "autocomplete"), f.autocomplete)
			}
			if servertest.HasAttr(n, "required") != f.required {
				t.Errorf("required = %v, want %v", servertest.HasAttr(n, "required"), f.required)
			}
			label := servertest.TextOf(d.LabelFor(f.id))
			if strings.HasSuffix(label, "*") != f.required {
				t.Errorf("label %q: the asterisk should mark exactly the required fields", label)
			}
		})
	}
	if servertest.Attr(d.ByID("email"), "type") != "email" || servertest.Attr(d.ByID("phone"), "type") != "tel" {
		t.Error("email and phone inputs should have their input types")
	}
	if servertest.Attr(d.ByID("consent"), "type") != "checkbox" {
		t.Error("consent is not a checkbox")
	}
	consentLink := d.Walk(func(n *html.Node) bool {
		return n.Data == "a" && strings.HasPrefix(servertest.Attr(n, "href"), "/privacy")
	})
	if consentLink == nil || !strings.Contains(servertest.TextOf(d.LabelFor("consent")), "privacy notice") {
		t.Error("the consent label does not link the privacy notice")
	}

	values, labels, _ := servertest.Options(d.ByID("country"))
	if len(values) != len(domain.CountryCodes())+1 || values[0] != "" {
		t.Errorf("country has %d options, want a placeholder and %d countries", len(values), len(domain.CountryCodes()))
	}
	if !slices.Contains(labels, "Uzbekistan") {
		t.Error("no Uzbekistan in the country list")
	}
	values, labels, _ = servertest.Options(d.ByID("role"))
	if !slices.Equal(values[1:], domain.Roles) || labels[1] != "Expert" {
		t.Errorf("roles %v %v", values, labels)
	}
	_, _, chosen := servertest.Options(d.ByID("language"))
	if chosen != "en" {
		t.Errorf("language preselects %q, want the page language en", chosen)
	}
	for i, day := range []domain.Date{start, start.AddDays(1)} {
		cb := d.ByID("days-" + string(rune('0'+i)))
		if servertest.Attr(cb, "name") != "days" || servertest.Attr(cb, "value") != day.String() || !servertest.HasAttr(cb, "checked") {
			t.Errorf("day %d: %v, want a checked box for %s", i, cb.Attr, day)
		}
		d.LabelFor(servertest.Attr(cb, "id"))
	}
	hp := d.ByID("website")
	if servertest.Attr(hp, "tabindex") != "-1" || servertest.Attr(hp, "autocomplete") != "off" || servertest.Attr(hp, "value") != "" {
		t.Errorf("honeypot %v", hp.Attr)
	}
}

func TestOneDayEventHasNoDayCheckboxes(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "oneday", func(b map[string]any) { b["ends_on"] = b["starts_on"] })
	_, d := a.Page("/events/oneday")
	if d.Has("days-0") {
		t.Error("a one-day event shows day checkboxes")
	}
}

func TestEventPageSpeaksRussianAndUzbek(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	tests := []struct {
		lang, header, note, country, label string
	}{
		{"ru", "ru-RU,ru;q=0.9", "Ваш адрес электронной почты не будет опубликован. Обязательные поля отмечены *", "Узбекистан", "Имя *"},
		{"uz", "uz", "Elektron pochta manzilingiz eʼlon qilinmaydi. Majburiy maydonlar * bilan belgilangan", "Oʻzbekiston", "Ism *"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			rec, d := a.Page("/events/egov", "Accept-Language", tt.header)
			if rec.Code != http.StatusOK || servertest.Attr(d.All("html")[0], "lang") != tt.lang {
				t.Fatalf("status %d, lang %q", rec.Code, servertest.Attr(d.All("html")[0], "lang"))
			}
			if !strings.Contains(d.Text(), tt.note) {
				t.Errorf("no %q", tt.note)
			}
			if got := servertest.TextOf(d.LabelFor("first_name")); got != tt.label {
				t.Errorf("first name label %q, want %q", got, tt.label)
			}
			_, labels, _ := servertest.Options(d.ByID("country"))
			if !slices.Contains(labels, tt.country) {
				t.Errorf("no %q among the countries", tt.country)
			}
			_, _, chosen := servertest.Options(d.ByID("language"))
			if chosen != tt.lang {
				t.Errorf("language preselects %q", chosen)
			}
			_, roles, _ := servertest.Options(d.ByID("role"))
			if slices.Contains(roles, "Expert") {
				t.Error("role names are not translated")
			}
		})
	}
}

func TestCountryListIsSortedForEachLanguage(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	for _, lang := range i18n.Supported {
		t.Run(lang, func(t *testing.T) {
			_, d := a.Page("/events/egov?lang=" + lang)
			_, labels, _ := servertest.Options(d.ByID("country"))
			names := labels[1:]
			col := collate.New(language.Make(lang))
			if !slices.IsSortedFunc(names, col.CompareString) {
				t.Errorf("the %s country list is not sorted for %s: %v…", lang, lang, names[:5])
			}
		})
	}
}

func TestFormErrorsComeBackWithEveryValueKept(t *testing.T) {
	a := servertest.New(t)
	ev := a.Event(a.Token, "egov", nil)
	second := ev["days"].([]any)[1].(string)
	form := url.Values{
		"first_name":   {"Gʻayrat"},
		"last_name":    {""},
		"email":        {"gayrat at example"},
		"country":      {"UZ"},
		"organization": {"Academy <of> \"Public\" Administration"},
		"position":     {"Master's student"},
		"phone":        {"12345"},
		"role":         {"student"},
		"language":     {"uz"},
		"days":         {second},
	}
	rec, d := a.Submit("/events/egov/register?lang=en", form)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", rec.Code, rec.Body)
	}
	if n := len(a.Registrations()); n != 0 {
		t.Errorf("%d registrations stored from an invalid form", n)
	}
	for name, want := range map[string]string{"first_name": "Gʻayrat", "email": "gayrat at example",
		"organization": "Academy <of> \"Public\" Administration", "position": "Master's student", "phone": "12345"} {
		if got := servertest.Attr(d.ByID(name), "value"); got != want {
			t.Errorf("%s kept as %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{"country": "UZ", "role": "student", "language": "uz"} {
		if _, _, got := servertest.Options(d.ByID(name)); got != want {
			t.Errorf("%s selects %q, want %q", name, got, want)
		}
	}
	if servertest.HasAttr(d.ByID("days-0"), "checked") || !servertest.HasAttr(d.ByID("days-1"), "checked") {
		t.Error("the days ticked are not kept")
	}
	if servertest.HasAttr(d.ByID("consent"), "checked") {
		t.Error("consent is ticked though it was not sent")
	}
	errs := map[string]string{
		"last_name": "Enter your last name.",
		"email":     "Enter a valid email address",
		"phone":     "international format",
		"consent":   "agree to the processing of your personal data",
	}
	summary := d.Walk(func(n *html.Node) bool { return strings.Contains(servertest.Attr(n, "class"), "error-summary") })
	if summary == nil || servertest.Attr(summary, "role") != "alert" {
		t.Fatal("no error summary with role=alert")
	}
	for field, want := range errs {
		t.Run("error on "+field, func(t *testing.T) {
			msg := d.ByID(field + "-error")
			if !strings.Contains(servertest.TextOf(msg), want) {
				t.Errorf("error text %q, want %q", servertest.TextOf(msg), want)
			}
			input := d.ByID(field)
			if servertest.Attr(input, "aria-invalid") != "true" {
				t.Error("no aria-invalid")
			}
			if !slices.Contains(strings.Fields(servertest.Attr(input, "aria-describedby")), field+"-error") {
				t.Errorf("aria-describedby %q does not point at the error", servertest.Attr(input, "aria-describedby"))
			}
			link := d.Walk(func(n *html.Node) bool { return n.Data == "a" && servertest.Attr(n, "href") == "#"+field })
			if link == nil || !strings.Contains(servertest.TextOf(link), want) {
				t.Errorf("the summary does not link #%s with the error", field)
			}
		})
	}
	for _, fine := range []string{"first_name", "country", "organization", "role"} {
		if d.Has(fine+"-error") || servertest.HasAttr(d.ByID(fine), "aria-invalid") {
			t.Errorf("%s is marked as an error", fine)
		}
	}
	if title := servertest.TextOf(d.All("title")[0]); !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title %q does not say there are errors", title)
	}
}

func TestFormErrorsAreTranslated(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	rec, d := a.Submit("/events/egov/register?lang=ru", url.Values{})
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", rec.Code)
	}
	for id, want := range map[string]string{
		"first_name-error": "Укажите имя.", "email-error": "Укажите адрес электронной почты.",
		"country-error": "Выберите страну.", "role-error": "Выберите вашу роль на мероприятии.",
		"consent-error": "Чтобы зарегистрироваться, нужно дать согласие на обработку персональных данных.",
	} {
		if got := servertest.TextOf(d.ByID(id)); !strings.HasSuffix(got, want) {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	_, d = a.Submit("/events/egov/register?lang=uz", url.Values{"email": {"x"}, "first_name": {strings.Repeat("a", 101)}})
	if got := servertest.TextOf(d.ByID("first_name-error")); !strings.HasSuffix(got, "Koʻpi bilan 100 ta belgi kiriting.") {
		t.Errorf("uz max = %q", got)
	}
	if got := servertest.TextOf(d.ByID("email-error")); !strings.Contains(got, "Toʻgʻri elektron pochta manzilini kiriting") {
		t.Errorf("uz email = %q", got)
	}
}

func TestRegisteringThroughTheForm(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	tests := []struct {
		name, path, first, last, lang, want string
	}{
		{"Cyrillic names are accepted and the page language is stored", "/events/egov/register?lang=ru",
			"Дилноза", "Юсупова", "", "ru"},
		{"Uzbek names with ʻ are accepted", "/events/egov/register?lang=uz", "Gʻayrat", "Toʻxtayev", "", "uz"},
		{"a language picked in the form wins over the page's", "/events/egov/register?lang=en", "Leyla", "Mammadova", "ru", "ru"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := servertest.ValidForm("person" + string(rune('a'+i)) + "@example.org")
			form.Set("first_name", tt.first)
			form.Set("last_name", tt.last)
			if tt.lang != "" {
				form.Set("language", tt.lang)
			}
			rec, _ := a.Submit(tt.path, form)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("status %d, want 303\n%s", rec.Code, rec.Body)
			}
			loc, err := url.Parse(rec.Header().Get("Location"))
			if err != nil || loc.Path != "/events/egov/thanks" || loc.Query().Get("status") != "pending" {
				t.Errorf("Location %q", rec.Header().Get("Location"))
			}
			regs := a.Registrations()
			got := regs[len(regs)-1]
			if got.FirstName != tt.first || got.LastName != tt.last || got.Language != tt.want || got.Status != "pending" {
				t.Errorf("stored %+v, want %s %s in %s", got, tt.first, tt.last, tt.want)
			}
		})
	}
	t.Run("the thank-you page says to check the inbox", func(t *testing.T) {
		rec, d := a.Page("/events/egov/thanks?status=pending&lang=ru")
		if rec.Code != http.StatusOK || !strings.Contains(d.Text(), "Мы отправили письмо") {
			t.Errorf("status %d: %s", rec.Code, d.Text())
		}
	})
	t.Run("unticked days are not attended", func(t *testing.T) {
		_, d := a.Page("/events/egov")
		form := servertest.ValidForm("oneday@example.org")
		form.Set("days", servertest.Attr(d.ByID("days-1"), "value"))
		if rec, _ := a.Submit("/events/egov/register", form); rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d", rec.Code)
		}
		regs := a.Registrations()
		if got := regs[len(regs)-1].Days; got != "{"+servertest.Attr(d.ByID("days-1"), "value")+"}" {
			t.Errorf("days %s", got)
		}
	})
}

func TestFullEventPutsTheFormOnTheWaitingList(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) { b["capacity"] = 1 })
	if rec, _ := a.Submit("/events/egov/register", servertest.ValidForm("first@example.org")); rec.Code != http.StatusSeeOther {
		t.Fatalf("first: %d", rec.Code)
	}
	_, d := a.Page("/events/egov")
	text := d.Text()
	for _, want := range []string{"All seats are taken", "waiting list", "Join the waiting list"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	rec, _ := a.Submit("/events/egov/register", servertest.ValidForm("second@example.org"))
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || loc.Query().Get("status") != "waitlisted" {
		t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	_, d = a.Page(loc.String())
	if !strings.Contains(d.Text(), "You are on the waiting list") || !strings.Contains(d.Text(), "confirm your email address") {
		t.Errorf("thank-you page: %s", d.Text())
	}
}

func TestHoneypotAnswersLikeSuccessAndStoresNothing(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	form := servertest.ValidForm("bot@example.org")
	form.Set("website", "http://spam.example")
	rec, _ := a.Submit("/events/egov/register", form)
	real, _ := a.Submit("/events/egov/register", servertest.ValidForm("human@example.org"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != real.Header().Get("Location") {
		t.Errorf("honeypot: %d %q; a person: %d %q", rec.Code, rec.Header().Get("Location"), real.Code, real.Header().Get("Location"))
	}
	regs := a.Registrations()
	if len(regs) != 1 || regs[0].Email != "human@example.org" {
		t.Errorf("stored %+v, want only the person", regs)
	}
}

func TestClosedRegistrationShowsWhyInsteadOfTheForm(t *testing.T) {
	a := servertest.New(t)
	now := time.Now()
	past := domain.DateOf(now).AddDays(-40)
	a.Event(a.Token, "closed", func(b map[string]any) {
		b["registration_closes_at"] = now.Add(-time.Hour).Format(time.RFC3339)
	})
	a.Event(a.Token, "later", func(b map[string]any) {
		b["registration_opens_at"] = now.Add(72 * time.Hour).Format(time.RFC3339)
	})
	a.Event(a.Token, "past", func(b map[string]any) {
		b["starts_on"], b["ends_on"] = past.String(), past.AddDays(1).String()
	})
	tests := []struct{ slug, lang, want string }{
		{"closed", "en", "Registration for this event is closed."},
		{"later", "en", "Registration for this event has not opened yet."},
		{"later", "en", "Registration opens on"},
		{"past", "en", "This event has already taken place."},
		{"past", "ru", "Это мероприятие уже прошло."},
		{"closed", "uz", "Bu tadbirga roʻyxatdan oʻtish yopilgan."},
	}
	for _, tt := range tests {
		t.Run(tt.slug+" in "+tt.lang, func(t *testing.T) {
			rec, d := a.Page("/events/" + tt.slug + "?lang=" + tt.lang)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if !strings.Contains(d.Text(), tt.want) {
				t.Errorf("the page does not say %q", tt.want)
			}
			if len(d.All("form")) != 0 {
				t.Error("the page shows a form")
			}
		})
	}
	t.Run("a form posted anyway is refused with the reason", func(t *testing.T) {
		rec, d := a.Submit("/events/closed/register", servertest.ValidForm("late@example.org"))
		if rec.Code != http.StatusConflict || !strings.Contains(d.Text(), "Registration for this event is closed.") {
			t.Errorf("status %d: %s", rec.Code, d.Text())
		}
		if len(a.Registrations()) != 0 {
			t.Error("a registration was stored")
		}
	})
	t.Run("the list of upcoming events leaves out past ones", func(t *testing.T) {
		_, d := a.Page("/")
		text := d.Text()
		if !strings.Contains(text, "E-government workshop closed") || strings.Contains(text, "E-government workshop past") {
			t.Errorf("index: %s", text)
		}
		if !strings.Contains(text, "Registration closed") || !strings.Contains(text, "Registration not yet open") {
			t.Errorf("index does not show registration states: %s", text)
		}
	})
}

func TestUnknownEventIsANotFoundPage(t *testing.T) {
	a := servertest.New(t)
	rec, d := a.Page("/events/no-such-event?lang=uz")
	if rec.Code != http.StatusNotFound || !strings.Contains(d.Text(), "Sahifa topilmadi") {
		t.Errorf("status %d: %s", rec.Code, d.Text())
	}
	rec, _ = a.Submit("/events/no-such-event/register", servertest.ValidForm("x@example.org"))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST: status %d", rec.Code)
	}
}

func TestLanguageIsNegotiated(t *testing.T) {
	a := servertest.New(t)
	tests := []struct {
		name, query, cookie, accept, want string
		setsCookie                        bool
	}{
		{"English by default", "", "", "", "en", false},
		{"the browser's language", "", "", "ru-RU,ru;q=0.9,en;q=0.8", "ru", false},
		{"the cookie over the browser", "", "uz", "ru", "uz", false},
		{"?lang= over the cookie, remembered", "?lang=ru", "uz", "en", "ru", true},
		{"an unknown ?lang= is ignored", "?lang=fr", "", "uz", "uz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := []string{}
			if tt.accept != "" {
				h = append(h, "Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				h = append(h, "Cookie", "lang="+tt.cookie)
			}
			rec, d := a.Page("/privacy"+tt.query, h...)
			if got := servertest.Attr(d.All("html")[0], "lang"); got != tt.want {
				t.Errorf("lang %q, want %q", got, tt.want)
			}
			if got := rec.Header().Get("Content-Language"); got != tt.want {
				t.Errorf("Content-Language %q", got)
			}
			cookie := rec.Header().Get("Set-Cookie")
			if tt.setsCookie != strings.HasPrefix(cookie, "lang="+tt.want) {
				t.Errorf("Set-Cookie %q", cookie)
			}
			if tt.setsCookie && (!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax")) {
				t.Errorf("cookie attributes %q", cookie)
			}
		})
	}
	t.Run("the switcher links keep the path and query", func(t *testing.T) {
		_, d := a.Page("/events/egov/thanks?status=waitlisted&lang=uz")
		nav := d.Walk(func(n *html.Node) bool { return n.Data == "nav" })
		var hrefs []string
		for _, l := range (&servertest.Doc{T: t, Root: nav}).All("a") {
			hrefs = append(hrefs, servertest.Attr(l, "href"))
		}
		want := []string{"/events/egov/thanks?lang=en&status=waitlisted", "/events/egov/thanks?lang=ru&status=waitlisted",
			"/events/egov/thanks?lang=uz&status=waitlisted"}
		if !slices.Equal(hrefs, want) {
			t.Errorf("switcher %v, want %v", hrefs, want)
		}
	})
}

func TestPrivacyNoticeIsRealAndTranslated(t *testing.T) {
	a := servertest.New(t)
	for lang, want := range map[string][]string{
		"en": {"What data we collect", "Who sees your data", "How long we keep it", "12 months", "cancel"},
		"ru": {"Какие данные мы собираем", "Кто видит ваши данные", "12 месяцев", "отменить"},
		"uz": {"Qanday maʼlumotlarni yigʻamiz", "Maʼlumotlaringizni kim koʻradi", "12 oy", "bekor qilish"},
	} {
		rec, d := a.Page("/privacy?lang=" + lang)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", lang, rec.Code)
		}
		for _, w := range want {
			if !strings.Contains(d.Text(), w) {
				t.Errorf("%s privacy notice does not say %q", lang, w)
			}
		}
	}
}

func TestStylesheetIsServedWithCacheHeaders(t *testing.T) {
	a := servertest.New(t)
	_, d := a.Page("/")
	href := ""
	for _, l := range d.All("link") {
		if servertest.Attr(l, "rel") == "stylesheet" {
			href = servertest.Attr(l, "href")
		}
	}
	if !strings.HasPrefix(href, "/static/style.css?v=") {
		t.Fatalf("stylesheet link %q", href)
	}
	rec := a.Get(href, "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("Cache-Control %q", cc)
	}
	again := a.Do(servertest.Request{Method: http.MethodGet, Path: href, Header: http.Header{"If-None-Match": {rec.Header().Get("ETag")}}})
	if again.Code != http.StatusNotModified {
		t.Errorf("conditional GET: %d", again.Code)
	}
	if !strings.Contains(rec.Body.String(), ":focus-visible") {
		t.Error("the stylesheet has no focus styles")
	}
}

func TestPagesRenderConcurrently(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	var wg sync.WaitGroup
	codes := make(chan int, 24)
	for i := range 24 {
		wg.Go(func() {
			lang := i18n.Supported[i%3]
			codes <- a.Do(servertest.Request{Method: http.MethodGet, Path: "/events/egov?lang=" + lang}).Code
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("status %d", c)
		}
	}
}

// Every message a template asks for must exist, in every language.
func TestTemplatesUseOnlyKnownMessages(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../templates/web/*.tmpl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	call := regexp.MustCompile(`\.(?:T|N) "([a-z0-9_.]+)"`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			for _, lang := range i18n.Supported {
				if !b.Localizer(lang).Has(m[1]) {
					t.Errorf("%s uses %q, which active.%s.toml lacks", filepath.Base(f), m[1], lang)
				}
			}
		}
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/internal/servertest"
)

// formState is what a browser would send for form as it stands: the
// inputs' values (radio buttons and checkboxes when checked), the
// selected options and the text areas' text.
func formState(form *html.Node) url.Values {
	v := url.Values{}
	for _, in := range servertest.Within(form, "input") {
		switch servertest.Attr(in, "type") {
		case "radio", "checkbox":
			if servertest.HasAttr(in, "checked") {
				v.Add(servertest.Attr(in, "name"), servertest.Attr(in, "value"))
			}
		default:
			v.Add(servertest.Attr(in, "name"), servertest.Attr(in, "value"))
		}
	}
	for _, sel := range servertest.Within(form, "select") {
		chosen := ""
		for _, o := range servertest.Within(sel, "option") { // in optgroups too
			if servertest.HasAttr(o, "selected") {
				chosen = servertest.Attr(o, "value")
			}
		}
		v.Add(servertest.Attr(sel, "name"), chosen)
	}
	for _, ta := range servertest.Within(form, "textarea") {
		v.Add(servertest.Attr(ta, "name"), servertest.TextOf(ta))
	}
	return v
}

// questionEvent creates an event that asks for dietary needs, the sessions
// and a visa letter, none required (so the shared helpers can register).
func questionEvent(a *servertest.Server, slug string) {
	a.T.Helper()
	label := func(en, ru string) map[string]string { return map[string]string{"en": en, "ru": ru} }
	a.Event(a.Token, slug, func(b map[string]any) {
		b["questions"] = []map[string]any{
			{"key": "diet", "type": "single_choice", "label": label("Dietary needs", "Питание"), "options": []map[string]any{
				{"value": "vegetarian", "label": label("Vegetarian", "Вегетарианское")},
				{"value": "halal", "label": label("Halal", "Халяль")}}},
			{"key": "sessions", "type": "multiple_choice", "label": label("Sessions", "Секции"), "options": []map[string]any{
				{"value": "open_data", "label": label("Open data", "Открытые данные")},
				{"value": "services", "label": label("Services", "Услуги")}}},
			{"key": "nights", "type": "number", "label": label("Nights", "Ночей")},
		}
	})
}

func TestParticipantsChangeTheirRegistrationFromTheirPage(t *testing.T) {
	a := servertest.New(t)
	questionEvent(a, "egov")
	token := a.LinkToken("egov", "kadri@example.ee", "ru")
	page := "/r/" + token

	_, d := a.Page(page)
	edit := d.ByID("edit")
	if edit == nil || servertest.Attr(edit, "href") != page+"/edit?lang=ru" {
		t.Fatalf("no link to change the registration: %s", d.Text())
	}
	rec, d := a.Page(page + "/edit")
	if rec.Code != http.StatusOK || servertest.Attr(d.ByID("first_name"), "value") != "Kadri" || d.ByID("email") == nil ||
		d.ByID("email").Data == "input" || !strings.Contains(d.Text(), "kadri@example.ee") {
		t.Fatalf("edit form: %d %s", rec.Code, d.Text())
	}
	if d.Has("consent") {
		t.Error("the edit form asks for consent again")
	}
	form := formState(d.FormsWithAction("/edit?lang=ru")[0])
	if form.Get("first_name") != "Kadri" || form.Get("country") != "EE" || form.Get("delegation") != "" || form.Has("email") {
		t.Errorf("edit form values %v", form)
	}
	form.Set("last_name", "Tamm-Kask")
	form.Set("answers.diet", "halal")
	form["answers.sessions"] = []string{"open_data", "services"}
	form.Set("answers.nights", "2,5")
	form.Set("delegation", "OECD")

	t.Run("a change is saved, shown and emailed", func(t *testing.T) {
		rec, _ := a.Submit(page+"/edit?lang=ru", form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page+"?lang=ru&saved=1" {
			t.Fatalf("edit: %d %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
		}
		_, d := a.Page(page + "?lang=ru&saved=1")
		text := d.Text()
		for _, want := range []string{"Изменения сохранены", "Kadri Tamm-Kask", "Питание", "Халяль", "Открытые данные; Услуги",
			"Ночей", "2,5", "Организация экономического сотрудничества и развития"} {
			if !strings.Contains(text, want) {
				t.Errorf("the personal page lacks %q: %s", want, text)
			}
		}
		if n := servertest.CountRows(t, a, `SELECT count(*) FROM emails WHERE kind = 'updated'`); n != 1 {
			t.Errorf("%d update emails, want 1", n)
		}
		var answers string
		if err := a.DB.Get(&answers, `SELECT answers::text FROM registrations`); err != nil ||
			answers != `{"diet": "halal", "nights": 2.5, "sessions": ["open_data", "services"]}` {
			t.Errorf("stored answers %s (%v)", answers, err)
		}
	})
	t.Run("the form comes back filled in with what is stored", func(t *testing.T) {
		_, d := a.Page(page + "/edit")
		again := formState(d.FormsWithAction("/edit?lang=ru")[0])
		if again.Get("answers.diet") != "halal" || len(again["answers.sessions"]) != 2 || again.Get("delegation") != "OECD" ||
			again.Get("answers.nights") != "2,5" && again.Get("answers.nights") != "2.5" {
			t.Errorf("edit form values %v", again)
		}
		rec, _ := a.Submit(page+"/edit?lang=ru", again)
		if loc := rec.Header().Get("Location"); !strings.HasSuffix(loc, "saved=0") {
			t.Errorf("saving the same values: %q, want nothing changed", loc)
		}
	})
	t.Run("a bad answer comes back with its error in Russian, the values kept", func(t *testing.T) {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("answers.nights", "много")
		bad.Set("first_name", "")
		rec, d := a.Submit(page+"/edit?lang=ru", bad)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", rec.Code)
		}
		if got := servertest.TextOf(d.ByID("q-nights-error")); !strings.Contains(got, "Введите число") {
			t.Errorf("nights error %q", got)
		}
		if got := servertest.Attr(d.ByID("q-nights"), "value"); got != "много" {
			t.Errorf("nights kept as %q", got)
		}
		if !strings.Contains(d.Text(), "Имя:") {
			t.Errorf("the summary does not name the first name: %s", d.Text())
		}
	})
	t.Run("once registration has closed, the registration cannot change", func(t *testing.T) {
		servertest.Decode[map[string]any](t, a.Patch("/api/v1/events/egov", a.Token, map[string]any{
			"registration_opens_at": "2019-01-01T00:00:00Z", "registration_closes_at": "2020-01-01T00:00:00Z"}), http.StatusOK)
		_, d := a.Page(page)
		if d.Has("edit") {
			t.Error("the personal page still offers to change the registration")
		}
		_, d = a.Page(page + "/edit")
		if !strings.Contains(d.Text(), "Регистрация закрыта") || len(d.FormsWithAction("/edit?lang=ru")) != 0 {
			t.Errorf("closed edit page: %s", d.Text())
		}
		rec, _ := a.Submit(page+"/edit?lang=ru", form)
		if rec.Code != http.StatusConflict {
			t.Errorf("an edit after closing answered %d", rec.Code)
		}
	})
}

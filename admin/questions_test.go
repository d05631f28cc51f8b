package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

func TestOrganizersEditTheRegistrationQuestions(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	path := "/admin/events/egov-tashkent-2019/questions"

	rec, page := d.Open(path+"?lang=ru", cookie)
	if rec.Code != http.StatusOK || !strings.Contains(page.Text(), "Вопросы регистрации") || !page.Has("q0-key") {
		t.Fatalf("editor: %d %s", rec.Code, page.Text())
	}
	form := url.Values{"count": {"1"},
		"q0.key": {"diet"}, "q0.type": {"single_choice"}, "q0.label.en": {"Dietary needs"}, "q0.label.ru": {"Питание"},
		"q0.options":  {"vegetarian | Vegetarian | Вегетарианское\nhalal | Halal | Халяль | Halol"},
		"q0.required": {"yes"}, "q0.personal": {"yes"}, "q0.position": {"1"}}
	rec = d.Send(path+"?lang=ru", cookie, form)
	_, page = d.Follow(rec, cookie)
	if !strings.Contains(page.Text(), "Вопросы сохранены.") {
		t.Errorf("after saving: %s", page.Text())
	}
	ev, err := d.Store.ManagedEvent(t.Context(), d.Org.ID, "egov-tashkent-2019")
	if err != nil {
		t.Fatal(err)
	}
	diet, ok := ev.Questions.Find("diet")
	if !ok || !diet.Required || len(diet.Options) != 2 || diet.Options[1].Label["uz"] != "Halol" || diet.Label["ru"] != "Питание" {
		t.Fatalf("stored question %+v", diet)
	}

	t.Run("the editor shows the question with its key and type fixed", func(t *testing.T) {
		_, page := d.Open(path, cookie)
		if page.Has("q0-key") || servertest.Attr(page.ByID("q0-label-ru"), "value") != "Питание" ||
			!strings.Contains(servertest.TextOf(page.ByID("q0-options")), "halal | Halal | Халяль | Halol") || !page.Has("q1-key") {
			t.Errorf("editor: %s", page.Text())
		}
	})
	t.Run("mistakes are named in the question they belong to", func(t *testing.T) {
		bad := url.Values{"count": {"2"},
			"q0.key": {"diet"}, "q0.type": {"single_choice"}, "q0.label.en": {""}, "q0.options": {"vegetarian | Vegetarian"}, "q0.position": {"1"},
			"q1.key": {"Shoe Size"}, "q1.type": {"number"}, "q1.label.en": {"Shoe size"}, "q1.position": {"2"}}
		rec, page := d.Submit(path+"?lang=ru", bad, "Cookie", cookie)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("status %d", rec.Code)
		}
		q0, q1 := servertest.TextOf(page.ByID("q0-errors")), servertest.TextOf(page.ByID("q1-errors"))
		if !strings.Contains(q0, "Заполните это поле") || !strings.Contains(q1, "строчные латинские буквы") {
			t.Errorf("errors: q0 %q, q1 %q", q0, q1)
		}
		if servertest.Attr(page.ByID("q1-key"), "value") != "Shoe Size" {
			t.Error("the key typed was not kept")
		}
	})
	t.Run("removing an option or the question keeps the answers given", func(t *testing.T) {
		reg := d.Enrol(ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Role: "expert", Confirmed: true,
			Answers: map[string]any{"diet": "halal"}})
		rec := d.Send(path, cookie, url.Values{"count": {"1"}, "q0.key": {"diet"}, "q0.type": {"single_choice"},
			"q0.label.en": {"Dietary needs"}, "q0.options": {"vegetarian | Vegetarian"}, "q0.position": {"1"}, "q0.remove": {"yes"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("remove: %d %s", rec.Code, rec.Body)
		}
		ev, err := d.Store.ManagedEvent(t.Context(), d.Org.ID, "egov-tashkent-2019")
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Questions.Asked()) != 0 {
			t.Errorf("still asked: %+v", ev.Questions.Asked())
		}
		got, err := d.Store.Registration(t.Context(), ev.ID, reg.ID)
		if err != nil || got.Answers["diet"] != "halal" {
			t.Fatalf("answers %v (%v)", got.Answers, err)
		}
		_, page := d.Open("/admin/events/egov-tashkent-2019?lang=ru", cookie)
		if !strings.Contains(page.Text(), "Питание: Халяль") {
			t.Errorf("the list no longer reads the answer: %s", page.Text())
		}
	})
}

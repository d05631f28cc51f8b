package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// eventForm is a complete new-event form: the two-day 2020 workshop, with
// its Russian and Uzbek texts.
func eventForm() url.Values {
	return url.Values{
		"slug": {"egov-tashkent-2020"}, "title": {"Workshop on e-government"}, "description": {"Integrated services."},
		"venue": {"Academy of Public Administration"}, "city": {"Tashkent"}, "country": {"UZ"},
		"co_organizers": {"Astana Civil Service Hub\r\n\r\nAcademy of Public Administration\r\n"},
		"languages":     {"ru", "en", "uz"}, "timezone": {"Asia/Tashkent"},
		"starts_on": {"2020-05-28"}, "ends_on": {"2020-05-29"}, "day_starts_at": {"09:30"}, "day_ends_at": {"17:00"},
		"capacity": {"60"}, "registration_opens_at": {"2020-04-01T09:00"}, "registration_closes_at": {"2020-05-27T18:00"},
		"confirm_within_hours": {"48"}, "reminder_days_before": {"2"}, "retention_days": {"400"},
		"translations.ru.title": {"Семинар по электронному правительству"}, "translations.ru.city": {"Ташкент"},
		"translations.ru.venue":         {"Академия государственного управления"},
		"translations.ru.co_organizers": {"Астанинский хаб\n"},
		"translations.uz.title":         {"Elektron hukumat seminari"}, "translations.uz.city": {"Toshkent"},
		"translations.uz.co_organizers": {"\nDavlat boshqaruvi akademiyasi"},
		"translations.en.title":         {""},
	}
}

func TestTheNewEventFormCreatesAnEventWithEveryField(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	rec, page := d.Open("/admin/events/new", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("new-event form: %d", rec.Code)
	}
	for _, id := range []string{"slug", "title", "country", "timezone", "starts_on", "ends_on", "capacity",
		"registration_opens_at", "translations-ru-title", "translations-uz-city", "languages-en", "published"} {
		if !page.Has(id) || page.LabelFor(id) == nil {
			t.Errorf("the form has no labelled #%s", id)
		}
	}

	rec = d.Send("/admin/events", cookie, eventForm())
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/events/egov-tashkent-2020?done=created" {
		t.Fatalf("create: %d to %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	_, page = d.Follow(rec, cookie)
	if !strings.Contains(page.Text(), "It is a draft until you publish it") || !strings.Contains(page.Text(), "Draft") {
		t.Errorf("the event page does not say the new event is a draft")
	}
	ev, role, err := d.Store.Membership(context.Background(), d.Org.ID, "egov-tashkent-2020")
	if err != nil || role != domain.RoleOwner {
		t.Fatalf("stored event: %v, role %q", err, role)
	}
	tashkent := time.FixedZone("UTC+5", 5*3600)
	checks := []struct {
		name      string
		got, want any
	}{
		{"title", ev.Title, "Workshop on e-government"},
		{"days", len(ev.Days()), 2},
		{"hours", ev.DayStartsAt + "-" + ev.DayEndsAt, "09:30-17:00"},
		{"capacity", *ev.Capacity, 60},
		{"opens", ev.RegistrationOpensAt.Equal(time.Date(2020, 4, 1, 9, 0, 0, 0, tashkent)), true},
		{"closes", ev.RegistrationClosesAt.Equal(time.Date(2020, 5, 27, 18, 0, 0, 0, tashkent)), true},
		{"co-organizers", strings.Join(ev.CoOrganizers, "|"), "Astana Civil Service Hub|Academy of Public Administration"},
		{"languages", strings.Join(ev.Languages, " "), "ru en uz"},
		{"published", ev.Published, false},
		{"confirm", ev.ConfirmWithinHours, 48},
		{"reminder", ev.ReminderDaysBefore, 2},
		{"retention", ev.RetentionDays, 400},
		{"ru title", ev.Translations["ru"].Title, "Семинар по электронному правительству"},
		{"ru co-organizers", strings.Join(ev.Translations["ru"].CoOrganizers, "|"), "Астанинский хаб"},
		{"uz city", ev.In("uz").City, "Toshkent"},
		{"uz co-organizers", strings.Join(ev.In("uz").CoOrganizers, "|"), "Astana Civil Service Hub|Davlat boshqaruvi akademiyasi"},
		{"no en text", len(ev.Translations), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestTheEventFormShowsEveryErrorAndKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	form := eventForm()
	form.Set("slug", d.Ev.Slug) // taken: reported once the rest is right
	form.Set("title", "")
	form.Set("ends_on", "2020-05-27")
	form.Set("capacity", "sixty")
	form.Set("timezone", "Mars/Olympus")
	form.Set("translations.ru.title", strings.Repeat("я", 201))
	form.Del("languages")
	rec, page := d.Submit("/admin/events", form, "Cookie", cookie)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", rec.Code)
	}
	summary := page.ByID("error-summary")
	if summary == nil {
		t.Fatal("no error summary")
	}
	var links []string
	for _, a := range servertest.Within(summary, "a") {
		links = append(links, servertest.Attr(a, "href"))
	}
	want := []string{"#title", "#languages", "#timezone", "#ends_on", "#capacity", "#translations-ru-title"}
	if !slices.Equal(links, want) {
		t.Errorf("summary links %q, want %q", links, want)
	}
	for _, id := range []string{"title", "timezone", "ends_on", "capacity", "translations-ru-title"} {
		if n := page.ByID(id); n == nil || servertest.Attr(n, "aria-invalid") != "true" || page.ByID(id+"-error") == nil {
			t.Errorf("#%s is not marked invalid with its message", id)
		}
	}
	if got := servertest.TextOf(page.ByID("translations-ru-title-error")); !strings.Contains(got, "200") {
		t.Errorf("the Russian title's error reads %q", got)
	}
	if got := servertest.Attr(page.ByID("capacity"), "value"); got != "sixty" {
		t.Errorf("capacity kept as %q", got)
	}
	if got := servertest.TextOf(page.ByID("translations-uz-co_organizers")); got != "\nDavlat boshqaruvi akademiyasi" && got != "Davlat boshqaruvi akademiyasi" {
		t.Errorf("the Uzbek co-organizers came back as %q", got)
	}

	// Right but for the taken address: 409, the address's error, values kept.
	form = eventForm()
	form.Set("slug", d.Ev.Slug)
	rec, page = d.Submit("/admin/events", form, "Cookie", cookie)
	if rec.Code != http.StatusConflict || page.ByID("slug-error") == nil || servertest.Attr(page.ByID("title"), "value") != "Workshop on e-government" {
		t.Errorf("a taken address: %d, error %v", rec.Code, page.ByID("slug-error") != nil)
	}
	// In Russian, the summary and the messages are Russian.
	form.Set("title", "")
	_, page = d.Submit("/admin/events?lang=ru", form, "Cookie", cookie)
	if text := page.Text(); !strings.Contains(text, "Название: Заполните это поле.") {
		t.Errorf("Russian summary missing: %.400s", text)
	}
}

func TestLoweringTheCapacityBelowTheSeatsHeldSaysWhy(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	for _, who := range []string{"kadri@example.ee", "nino@example.ge", "armen@example.am"} {
		d.Enrol(d.Ev, servertest.Attendee{First: "A", Last: "B", Email: who, Country: "EE", Confirmed: true})
	}
	rec, page := d.Open("/admin/events/"+d.Ev.Slug+"/edit", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("edit form: %d", rec.Code)
	}
	if page.Has("slug") {
		t.Error("the edit form offers the slug, which cannot change")
	}
	form := url.Values{}
	for _, in := range page.All("input") {
		if name := servertest.Attr(in, "name"); name != "" && (servertest.Attr(in, "type") != "checkbox" || servertest.HasAttr(in, "checked")) {
			form.Add(name, servertest.Attr(in, "value"))
		}
	}
	for _, ta := range page.All("textarea") {
		form.Set(servertest.Attr(ta, "name"), servertest.TextOf(ta))
	}
	form.Set("country", "UZ")
	form.Set("capacity", "2")
	rec, page = d.Submit("/admin/events/"+d.Ev.Slug+"/edit", form, "Cookie", cookie)
	if rec.Code != http.StatusConflict {
		t.Fatalf("status %d, want 409: %.300s", rec.Code, page.Text())
	}
	if got := servertest.TextOf(page.ByID("capacity-error")); !strings.Contains(got, "seats already held (3)") {
		t.Errorf("capacity error %q", got)
	}
	if servertest.Attr(page.ByID("capacity"), "value") != "2" {
		t.Error("the capacity typed was not kept")
	}
	form.Set("capacity", "3")
	form.Set("translations.ru.city", "Ташкент")
	rec = d.Send("/admin/events/"+d.Ev.Slug+"/edit", cookie, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save: %d", rec.Code)
	}
	ev, _, _ := d.Store.Membership(context.Background(), d.Org.ID, d.Ev.Slug)
	if *ev.Capacity != 3 || ev.In("ru").City != "Ташкент" || ev.Title != d.Ev.Title {
		t.Errorf("saved: capacity %d, ru city %q, title %q", *ev.Capacity, ev.In("ru").City, ev.Title)
	}
}

func TestDuplicatingAnEventFillsTheFormWithNextYearsDates(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t) // clock: 30 May 2019
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	if _, err := d.Store.UpdateEvent(context.Background(), d.Org.ID, d.Ev.Slug, func(ev *domain.Event) error {
		return d.Rules.ApplyPatch(ev, domain.EventInput{Translations: domain.Some(map[string]*domain.EventText{"ru": {City: "Ташкент"}})})
	}); err != nil {
		t.Fatal(err)
	}
	rec, page := d.Open("/admin/events/new?from="+d.Ev.Slug, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	values := map[string]string{"slug": "egov-tashkent-2020", "starts_on": "2020-05-30", "ends_on": "2020-05-31",
		"title": d.Ev.Title, "translations-ru-city": "Ташкент"}
	for id, want := range values {
		if got := servertest.Attr(page.ByID(id), "value"); got != want {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
	if servertest.HasAttr(page.ByID("published"), "checked") {
		t.Error("the copy would be published at once")
	}
	if !strings.Contains(page.Text(), "copied from") {
		t.Error("the form does not say it is a copy")
	}
	// Someone off the team cannot copy the event.
	other, _ := d.Organizer("other@example.org")
	d.SetPassword(other, servertest.DashPassword)
	if rec, _ := d.Open("/admin/events/new?from="+d.Ev.Slug, d.SignIn(other.Email, servertest.DashPassword)); rec.Code != http.StatusNotFound {
		t.Errorf("another organizer's copy: %d, want 404", rec.Code)
	}
}

func TestPublishingAndUnpublishingAnEvent(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	public := func() int { rec, _ := d.Page("/events/" + d.Ev.Slug); return rec.Code }
	_, page := d.Follow(d.Send("/admin/events/"+d.Ev.Slug+"/publish", cookie, url.Values{"published": {"false"}}), cookie)
	if public() != http.StatusNotFound || !strings.Contains(page.Text(), "only its team can see it") {
		t.Errorf("unpublished: public page %d", public())
	}
	if len(page.FormsWithAction("/publish")) != 1 || !strings.Contains(page.Text(), "Publish") {
		t.Error("the draft's page offers no way to publish it")
	}
	d.Follow(d.Send("/admin/events/"+d.Ev.Slug+"/publish", cookie, url.Values{"published": {"true"}}), cookie)
	if public() != http.StatusOK {
		t.Errorf("published: public page %d", public())
	}
	n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM audit_log WHERE action = 'event.update' AND detail->'fields' ? 'published'`)
	if n != 2 {
		t.Errorf("%d audit entries for publishing, want 2", n)
	}
}

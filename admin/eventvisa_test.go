package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

func TestTheEventFormOffersVisaLetters(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	_, page := d.Open("/admin/events/new", cookie)
	for _, id := range []string{"visa_letters", "visa_letters-host_name", "visa_letters-host_address", "visa_letters-signatory_name",
		"visa_letters-signatory_title", "visa_letters-templates-en", "visa_letters-templates-ru", "requires_approval"} {
		if !page.Has(id) || page.LabelFor(id) == nil {
			t.Errorf("the form has no labelled #%s", id)
		}
	}

	t.Run("a ticked box without a host comes back with the error", func(t *testing.T) {
		form := eventForm()
		form.Set("visa_letters", "on")
		rec, page := d.Submit("/admin/events", form, "Cookie", cookie)
		if rec.Code != http.StatusUnprocessableEntity || !page.Has("visa_letters-host_name-error") {
			t.Errorf("status %d, want 422 with the host name's error", rec.Code)
		}
	})

	t.Run("an unknown placeholder comes back named", func(t *testing.T) {
		form := eventForm()
		form.Set("visa_letters", "on")
		form.Set("visa_letters.host_name", "Academy of Public Administration")
		form.Set("visa_letters.host_address", "Tashkent")
		form.Set("visa_letters.signatory_name", "Alisher Karimov")
		form.Set("visa_letters.templates.en", "We invite {{name}} to {{nonsense}}.")
		rec, page := d.Submit("/admin/events", form, "Cookie", cookie)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(servertest.TextOf(page.ByID("visa_letters-templates-en-error")), "{{nonsense}}") {
			t.Errorf("status %d, want 422 naming {{nonsense}} at the English template", rec.Code)
		}
	})

	form := eventForm()
	form.Set("visa_letters", "on")
	form.Set("visa_letters.host_name", "Academy of Public Administration")
	form.Set("visa_letters.host_address", "45 Amir Temur Avenue\r\nTashkent")
	form.Set("visa_letters.signatory_name", "Alisher Karimov")
	form.Set("visa_letters.templates.ru", "Приглашаем {{name}}.")
	form.Set("visa_letters.translations.ru.host_name", "Академия государственного управления")
	form.Set("requires_approval", "on")
	if rec := d.Send("/admin/events", cookie, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	ev, _, err := d.Store.Membership(context.Background(), d.Org.ID, "egov-tashkent-2020")
	if err != nil {
		t.Fatal(err)
	}
	v := ev.VisaLetters
	if v == nil || v.HostAddress != "45 Amir Temur Avenue\nTashkent" || v.Templates["ru"] != "Приглашаем {{name}}." || !ev.RequiresApproval ||
		v.Translations["ru"].HostName != "Академия государственного управления" || len(v.Translations) != 1 {
		t.Fatalf("stored %+v, approval %v", v, ev.RequiresApproval)
	}

	_, page = d.Open("/admin/events/egov-tashkent-2020/edit", cookie)
	if servertest.Attr(page.ByID("visa_letters-signatory_name"), "value") != "Alisher Karimov" ||
		servertest.Attr(page.ByID("visa_letters-translations-ru-host_name"), "value") != "Академия государственного управления" ||
		!strings.Contains(servertest.TextOf(page.ByID("visa_letters-templates-ru")), "{{name}}") {
		t.Error("the edit form does not show the stored settings")
	}
	form.Del("visa_letters")
	form.Del("slug")
	if rec := d.Send("/admin/events/egov-tashkent-2020/edit", cookie, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", rec.Code, rec.Body)
	}
	if ev, _, _ = d.Store.Membership(context.Background(), d.Org.ID, "egov-tashkent-2020"); ev.VisaLetters != nil {
		t.Error("unticking the box did not stop offering letters")
	}
}

func TestTheListMasksPassportNumbers(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)
	if _, err := d.Store.UpdateEvent(t.Context(), d.Org.ID, d.Ev.Slug, func(ev *domain.Event) error {
		ev.VisaLetters = &domain.VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	reg := d.Enrol(d.Ev, servertest.Attendee{First: "Gʻayrat", Last: "Toʻxtayev", Email: "gayrat@example.uz", Country: "UZ", Confirmed: true})
	if _, err := d.DB.Exec(`INSERT INTO registration_visa VALUES ($1, 'G''ayrat To''xtayev', 'FA1234567', 'UZ', '1990-01-01', '2030-01-01', now())`, reg.ID); err != nil {
		t.Fatal(err)
	}
	rec, page := d.Open("/admin/events/"+d.Ev.Slug, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	text := page.Text()
	if !strings.Contains(text, "passport ••••4567, Uzbekistan") || strings.Contains(rec.Body.String(), "FA1234567") {
		t.Errorf("the list does not show the passport masked, and only masked")
	}
	letter := "/admin/events/" + d.Ev.Slug + "/registrations/" + reg.ID + "/visa-letter.pdf"
	if !strings.Contains(rec.Body.String(), `href="`+letter+`"`) || !page.Has("doc-visa-letters") {
		t.Error("the list offers no letter to download")
	}
	if rec, _ := d.Open(letter, cookie); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Errorf("the letter: status %d", rec.Code)
	}
	if rec, _ := d.Open("/admin/events/"+d.Ev.Slug+"/documents/visa-letters.zip", cookie); rec.Code != http.StatusOK {
		t.Errorf("the archive: status %d", rec.Code)
	}
	var audited []string // the letters show passport numbers: each download is logged
	if err := d.DB.Select(&audited, `SELECT coalesce(registration_id::text, '') || '/' || coalesce(detail->>'count', '')
		FROM audit_log WHERE action = 'visa_letters.download' ORDER BY id`); err != nil || strings.Join(audited, " ") != reg.ID+"/ /1" {
		t.Errorf("audited downloads %q (%v), want the letter, then an archive of 1", audited, err)
	}
}

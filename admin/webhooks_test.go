package admin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

func TestTheDashboardAddsDisablesAndRemovesWebhooks(t *testing.T) {
	t.Parallel()
	a := servertest.NewDashboard(t)
	cookie := a.SignIn(a.Org.Email, servertest.DashPassword)

	rec, doc := a.Page("/admin/webhooks?lang=ru", "Cookie", cookie)
	if rec.Code != http.StatusOK || !strings.Contains(doc.Text(), "Адресов пока нет") {
		t.Fatalf("%d\n%s", rec.Code, doc.Text())
	}

	// A loopback address is refused, with what was typed kept.
	rec, doc = a.Submit("/admin/webhooks?lang=en", url.Values{"url": {"http://127.0.0.1/hook"}, "event": {a.Ev.Slug}}, "Cookie", cookie)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(doc.Text(), "not this server's own network") {
		t.Fatalf("%d\n%s", rec.Code, doc.Text())
	}
	if n := servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints`); n != 0 {
		t.Fatalf("%d endpoints stored", n)
	}

	// No notice chosen is refused too, keeping the choices.
	rec, doc = a.Submit("/admin/webhooks?lang=en", url.Values{"url": {"https://crm.example.org/hooks"}}, "Cookie", cookie)
	if rec.Code != http.StatusUnprocessableEntity || !doc.Has("types-error") {
		t.Fatalf("no types: %d\n%s", rec.Code, doc.Text())
	}

	// Created for one event and two notices, the answer redirects to the
	// page, which shows the secret once: a reload shows it no more.
	rec, _ = a.Submit("/admin/webhooks?lang=en", url.Values{"url": {"https://crm.example.org/hooks"}, "event": {a.Ev.Slug},
		"personal": {"on"}, "types": {"registration.created", "checkin.created"}}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/webhooks?done=created" {
		t.Fatalf("add: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	flash := secretCookies(rec)
	if len(flash) != 1 || !flash[0].HttpOnly || strings.Contains(flash[0].Value, "whsec_") {
		t.Fatalf("the secret's cookie: %+v", flash)
	}
	rec, doc = a.Page("/admin/webhooks", "Cookie", cookie+"; "+flash[0].Name+"="+flash[0].Value)
	secret := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(doc.Text())
	if rec.Code != http.StatusOK || secret == "" || rec.Header().Get("Cache-Control") != "no-store" ||
		!strings.Contains(doc.Text(), "registration.created, checkin.created") {
		t.Fatalf("after the redirect: %d %q\n%s", rec.Code, rec.Header().Get("Cache-Control"), doc.Text())
	}
	if cleared := secretCookies(rec); len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Errorf("the secret's cookie is not cleared: %+v", cleared)
	}
	var id string
	if err := a.DB.Get(&id, `SELECT id::text FROM webhook_endpoints WHERE include_personal_data AND event_id IS NOT NULL
		AND event_types = ARRAY['registration.created', 'checkin.created']`); err != nil {
		t.Fatal(err)
	}
	if _, doc = a.Page("/admin/webhooks", "Cookie", cookie); strings.Contains(doc.Text(), secret) {
		t.Error("the secret is shown again")
	}
	// Another organizer's browser holding the cookie does not see it.
	o, _ := a.Organizer("other@example.org")
	a.SetPassword(o, servertest.DashPassword)
	other := a.SignIn(o.Email, servertest.DashPassword)
	if _, doc = a.Page("/admin/webhooks", "Cookie", other+"; "+flash[0].Name+"="+flash[0].Value); strings.Contains(doc.Text(), secret) {
		t.Error("another organizer sees the secret")
	}

	// The endpoint's recent deliveries, with what it answered.
	if _, err := a.DB.Exec(`INSERT INTO webhook_deliveries (endpoint_id, event_id, type, payload, status, attempts,
		last_status_code, last_response) VALUES ($1, $2, 'registration.created', '{}', 'failed', 3, 500, 'upstream exploded')`,
		id, a.Ev.ID); err != nil {
		t.Fatal(err)
	}
	if _, doc = a.Page("/admin/webhooks?lang=en", "Cookie", cookie); !strings.Contains(doc.Text(), "Failed registration.created") ||
		!strings.Contains(doc.Text(), "HTTP 500 · upstream exploded") {
		t.Errorf("deliveries: %.800s", doc.Text())
	}

	rec, _ = a.Submit("/admin/webhooks/"+id+"/active", url.Values{}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints WHERE NOT active`) != 1 {
		t.Errorf("disable: %d", rec.Code)
	}
	rec, _ = a.Submit("/admin/webhooks/"+id+"/active", url.Values{"active": {"on"}}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints WHERE active`) != 1 {
		t.Errorf("enable: %d", rec.Code)
	}

	if rec, _ = a.Submit("/admin/webhooks/"+id+"/delete", url.Values{}, "Cookie", other); rec.Code != http.StatusNotFound {
		t.Errorf("another organizer removing it: %d, want 404", rec.Code)
	}
	rec, _ = a.Submit("/admin/webhooks/"+id+"/delete", url.Values{}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints`) != 0 {
		t.Errorf("remove: %d", rec.Code)
	}
}

// secretCookies are the cookies an answer sets that carry a new webhook
// endpoint's secret to the page.
func secretCookies(rec *httptest.ResponseRecorder) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "attend_webhook_secret" {
			out = append(out, c)
		}
	}
	return out
}

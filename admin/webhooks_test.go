package admin_test

import (
	"net/http"
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

	rec, doc = a.Submit("/admin/webhooks?lang=en", url.Values{"url": {"https://crm.example.org/hooks"}, "event": {a.Ev.Slug},
		"personal": {"on"}}, "Cookie", cookie)
	secret := regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).FindString(doc.Text())
	if rec.Code != http.StatusOK || secret == "" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %q\n%s", rec.Code, rec.Header().Get("Cache-Control"), doc.Text())
	}
	var id string
	if err := a.DB.Get(&id, `SELECT id::text FROM webhook_endpoints WHERE include_personal_data AND event_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if _, doc = a.Page("/admin/webhooks", "Cookie", cookie); strings.Contains(doc.Text(), secret) {
		t.Error("the secret is shown again")
	}

	rec, _ = a.Submit("/admin/webhooks/"+id+"/active", url.Values{}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints WHERE NOT active`) != 1 {
		t.Errorf("disable: %d", rec.Code)
	}
	rec, _ = a.Submit("/admin/webhooks/"+id+"/active", url.Values{"active": {"on"}}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints WHERE active`) != 1 {
		t.Errorf("enable: %d", rec.Code)
	}

	o, _ := a.Organizer("other@example.org")
	a.SetPassword(o, servertest.DashPassword)
	other := a.SignIn(o.Email, servertest.DashPassword)
	if rec, _ = a.Submit("/admin/webhooks/"+id+"/delete", url.Values{}, "Cookie", other); rec.Code != http.StatusNotFound {
		t.Errorf("another organizer removing it: %d, want 404", rec.Code)
	}
	rec, _ = a.Submit("/admin/webhooks/"+id+"/delete", url.Values{}, "Cookie", cookie)
	if rec.Code != http.StatusSeeOther || servertest.CountRows(t, a.Server, `SELECT count(*) FROM webhook_endpoints`) != 0 {
		t.Errorf("remove: %d", rec.Code)
	}
}

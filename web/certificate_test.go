package web_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// movableClock is the server's clock, which the test moves past the event.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestParticipantsCertificate: a participant who meets the rule gets a
// link to their certificate on their page once the event has ended, and
// the certificate in their language; before the end, or for someone who
// does not meet the rule, there is a page saying why and no certificate.
func TestParticipantsCertificate(t *testing.T) {
	clock := &movableClock{now: time.Now()}
	a := servertest.New(t, func(d *server.Deps) { d.Now = clock.Now })
	a.Event(a.Token, "egov", nil)
	kadri := a.LinkToken("egov", "kadri@example.ee", "ru")
	nino := a.LinkToken("egov", "nino@example.ge", "en")
	start := domain.DateOf(time.Now()).AddDays(30)
	var ids struct{ Kadri, Nino string }
	for email, id := range map[string]*string{"kadri@example.ee": &ids.Kadri, "nino@example.ge": &ids.Nino} {
		if err := a.DB.Get(id, `SELECT id FROM registrations WHERE email = $1`, email); err != nil {
			t.Fatal(err)
		}
	}
	for _, ci := range []struct {
		id  string
		day domain.Date
	}{{ids.Kadri, start}, {ids.Kadri, start.AddDays(1)}, {ids.Nino, start}} {
		rec := a.Post("/api/v1/events/egov/checkins", a.Token, map[string]any{"registration_id": ci.id, "day": ci.day.String()})
		if rec.Code != http.StatusCreated {
			t.Fatalf("check-in: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := a.Patch("/api/v1/events/egov", a.Token, map[string]any{"certificate": map[string]any{
		"rule": "every_day", "signatory_name": "Alisher Karimov"}}); rec.Code != http.StatusOK {
		t.Fatalf("settings: %d %s", rec.Code, rec.Body)
	}

	noCertificate := func(token, when string) {
		t.Helper()
		if _, page := a.Page("/r/" + token); page.Has("certificate") {
			t.Errorf("%s: the page links a certificate", when)
		}
		rec, page := a.Page("/r/" + token + "/certificate.pdf")
		if rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") == "application/pdf" ||
			!strings.Contains(page.Text(), "certificate") && !strings.Contains(page.Text(), "ертификат") {
			t.Errorf("%s: %d %s, want a page saying why there is none", when, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	noCertificate(kadri, "before the event ends")

	// The day after the event: Kadri attended both days, Nino one.
	clock.Set(start.AddDays(2).In(time.UTC).Add(12 * time.Hour))
	noCertificate(nino, "one day of two")
	_, page := a.Page("/r/" + kadri)
	link := page.ByID("certificate")
	if href := servertest.Attr(link, "href"); href != "/r/"+kadri+"/certificate.pdf" {
		t.Fatalf("certificate link %q on:\n%s", href, page.Text())
	}
	if got := servertest.TextOf(link); got != "Скачать сертификат участия (PDF)" {
		t.Errorf("link in the participant's language: %q", got)
	}
	rec := a.Get("/r/"+kadri+"/certificate.pdf", "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" ||
		rec.Header().Get("Content-Language") != "ru" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("certificate: %d %v", rec.Code, rec.Header())
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"СЕРТИФИКАТ", "Tamm", "Alisher Karimov"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("certificate lacks %q:\n%s", want, out)
		}
	}
}

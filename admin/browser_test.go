package admin_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/servertest"
)

// TestBrowserChecksInAtTheDoor signs in as the demo organizer in Chromium,
// looks at the 2019 workshop's dashboard, and checks a participant of the
// upcoming workshop in on its first day by typing their code at the door.
func TestBrowserChecksInAtTheDoor(t *testing.T) {
	// The server's clock stands at 08:30 on the upcoming workshop's first
	// day once the demo data is loaded, so that day is "today" at the door.
	var (
		mu sync.Mutex
		at time.Time
	)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		if at.IsZero() {
			return time.Now()
		}
		return at
	}
	a := servertest.New(t, servertest.WithClock(clock))
	ctx := context.Background()
	res, err := demo.Load(ctx, a.Store, a.Rules, time.Now())
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	up := res.Upcoming
	consent := true
	var arrives *domain.Registration
	for i, p := range []struct{ first, last, email, country string }{
		{"Kadri", "Tamm", "kadri.tamm@example.ee", "EE"},
		{"Nino", "Beridze", "nino.beridze@example.ge", "GE"},
		{"Oʻktam", "Ergashev", "oktam.ergashev@example.uz", "UZ"},
		{"Айгерим", "Сейтказиева", "aigerim.s@example.kz", "KZ"},
	} {
		reg, err := a.Rules.NewRegistration(domain.RegistrationInput{FirstName: p.first, LastName: p.last, Email: p.email,
			Country: p.country, Organization: "Ministry of Digital Development", Role: "expert", Consent: &consent,
			Answers: map[string]any{"diet": "none", "visa_letter": false}}, up, time.Now()) // the workshop's required questions
		if err != nil {
			t.Fatal(err)
		}
		register := a.Store.ImportRegistration
		if i == 3 {
			register = a.Store.Register
		}
		r, err := register(ctx, up, reg)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			arrives = r.Registration
		}
	}
	mu.Lock()
	at = up.StartsOn.In(up.Location()).Add(8*time.Hour + 30*time.Minute)
	mu.Unlock()

	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	bctx := servertest.Browser(t)

	t.Log("sign in from the dashboard's address")
	if err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/admin/events/"+demo.PastSlug),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), demo.Organizer),
		chromedp.SendKeys(chromedp.CSS(`#password`), demo.Password),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stats-table`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	if got := servertest.ElementText(t, bctx, ".admin-user"); got != "Signed in as "+demo.Organizer {
		t.Errorf("bar says %q", got)
	}
	if got := servertest.ElementText(t, bctx, "#stats-table tfoot"); !strings.HasPrefix(got, "Total\t13") && !strings.HasPrefix(got, "Total 13") {
		t.Errorf("2019 totals %q, want 13 registered", got)
	}
	if got := servertest.Eval(t, bctx, `String(document.querySelectorAll('#chart .chart-row').length)`); got == "0" {
		t.Error("no chart rows")
	}
	servertest.Screenshot(t, bctx, "dashboard-event.png")

	t.Log("the door page of the upcoming workshop, on a phone")
	count := func() string { return servertest.ElementText(t, bctx, "#count") }
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/admin/events/"+demo.UpcomingSlug+"/checkin"),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
	); err != nil {
		t.Fatalf("open the door page: %v", err)
	}
	if got := count(); got != "0 of 4 checked in today" {
		t.Errorf("before: %q", got)
	}
	if got := servertest.Eval(t, bctx, `document.activeElement.id`); got != "code" {
		t.Errorf("focus is on %q, want the code input", got)
	}
	if w := servertest.Eval(t, bctx, `String(document.documentElement.scrollWidth)`); w != "390" {
		t.Errorf("the door page is %spx wide on a 390px screen", w)
	}
	typed := strings.ToLower(arrives.CheckinCode[:4] + " " + arrives.CheckinCode[4:])
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`#code`), typed),
		chromedp.Click(chromedp.CSS(`#code-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#result`)),
	); err != nil {
		t.Fatalf("check in: %v", err)
	}
	if got := servertest.ElementText(t, bctx, ".door-headline"); got != "Checked in" {
		t.Errorf("headline %q", got)
	}
	if got := servertest.ElementText(t, bctx, ".door-name"); got != "Kadri Tamm" {
		t.Errorf("name %q", got)
	}
	if got := count(); got != "1 of 4 checked in today" {
		t.Errorf("after: %q", got)
	}
	servertest.Screenshot(t, bctx, "door-checked-in.png")
	location, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := url.Parse(location); err != nil || u.Path != "/admin/events/"+demo.UpcomingSlug+"/checkin" {
		t.Errorf("landed on %q", location)
	}
	var n int
	if err := a.DB.Get(&n, `SELECT count(*) FROM checkins WHERE registration_id = $1 AND day = $2`, arrives.ID, up.StartsOn.String()); err != nil || n != 1 {
		t.Errorf("%d check-ins of Kadri stored, %v", n, err)
	}
}

package admin_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/servertest"
)

// chartTextPixels is the smallest font size, in CSS pixels as drawn, of
// the visible chart's text: an SVG's text shrinks with the drawing.
const chartTextPixels = `(() => {
	let least = Infinity;
	for (const t of document.querySelectorAll('.chart-figure text')) {
		if (t.getClientRects().length === 0) continue; // in the drawing not shown
		const m = t.getScreenCTM();
		least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b));
	}
	return least === Infinity ? "none" : least.toFixed(1);
})()`

// headerBand is how many times taller the statistics table's header row
// is than its first line of numbers.
const headerBand = `(() => {
	const head = document.querySelector('#stats-table thead tr').getBoundingClientRect().height;
	const line = document.querySelector('#stats-table tbody tr').getBoundingClientRect().height;
	return (head / line).toFixed(2);
})()`

// TestBrowserDashboardReadsOnAPhoneAndADesktop opens the 2019 workshop's
// dashboard page at a phone's width and a desktop's, and checks that the
// chart's text is drawn at a readable size, that the statistics table's
// header is no taller than its lines, and that the table of countries by
// role and the list's check-in column are there.
func TestBrowserDashboardReadsOnAPhoneAndADesktop(t *testing.T) {
	a := servertest.New(t)
	if _, err := demo.Load(context.Background(), a.Store, a.Rules, time.Now()); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)
	signInChromium(t, ctx, srv.URL, demo.Organizer, demo.Password)
	for _, screen := range []struct {
		name          string
		width, height int64
		lang          string
	}{
		{"phone", 390, 844, "en"},
		{"small phone in Russian", 320, 640, "ru"},
		{"desktop", 1280, 900, "en"},
	} {
		t.Run("on a "+screen.name, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(screen.width, screen.height),
				chromedp.Navigate(srv.URL+"/admin/events/"+demo.PastSlug+"?lang="+screen.lang),
				chromedp.WaitVisible(chromedp.CSS(`#roles-table`)),
			); err != nil {
				t.Fatalf("open the event page: %v", err)
			}
			px, err := strconv.ParseFloat(servertest.Eval(t, ctx, chartTextPixels), 64)
			t.Logf("smallest chart text %.1f px, header %s lines high", px, servertest.Eval(t, ctx, headerBand))
			if err != nil || px < 11 {
				t.Errorf("the chart's smallest text is %.1f px (%v), want at least 11", px, err)
			}
			if band, err := strconv.ParseFloat(servertest.Eval(t, ctx, headerBand), 64); err != nil || band > 1.5 {
				t.Errorf("the statistics header is %.2f times as tall as a line (%v), want at most 1.5", band, err)
			}
			if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the page is %s px wide on a %d px screen: tables must scroll in their frames", w, screen.width)
			}
			if rows := servertest.Eval(t, ctx, `String(document.querySelectorAll('#roles-table tbody tr').length)`); rows != "8" {
				t.Errorf("%s countries in the table by role, want the demo's 8", rows)
			}
			checkedIn := servertest.Eval(t, ctx, `Array.from(document.querySelectorAll('#registrations-table td.checked-in')).map(c => c.innerText.trim()).join('|')`)
			if !strings.Contains(checkedIn, "08:") || strings.Count(checkedIn, "|") < 9 {
				t.Errorf("check-in column reads %q, want a time for the demo's participants", checkedIn)
			}
			servertest.Screenshot(t, ctx, "dashboard-"+strings.ReplaceAll(screen.name, " ", "-")+".png")
		})
	}
}

// TestBrowserQuestionsAndAnswersReadOnAPhoneAndADesktop opens, in
// Russian, the upcoming demo workshop's dashboard page (with a
// participant's answers and their counts) and its questions editor, at a
// phone's width and a desktop's: nothing wider than the screen.
func TestBrowserQuestionsAndAnswersReadOnAPhoneAndADesktop(t *testing.T) {
	a := servertest.New(t)
	res, err := demo.Load(context.Background(), a.Store, a.Rules, time.Now())
	if err != nil {
		t.Fatalf("demo data: %v", err)
	}
	consent := true
	reg, err := a.Rules.NewRegistration(domain.RegistrationInput{FirstName: "Клэр", LastName: "Дюбуа", LatinFirstName: "Claire",
		LatinLastName: "Dubois", Email: "claire@example.org", Country: "FR", Delegation: "OECD", Organization: "OECD",
		Role: "expert", Consent: &consent, Answers: map[string]any{"diet": "vegetarian", "visa_letter": true,
			"sessions": []any{"open_data", "services"}, "arrival": "2030-05-01"}}, res.Upcoming, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.ImportRegistration(context.Background(), res.Upcoming, reg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Srv)
	t.Cleanup(srv.Close)
	ctx := servertest.Browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/login?lang=ru"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), demo.Organizer),
		chromedp.SendKeys(chromedp.CSS(`#password`), demo.Password),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-user`)),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, screen := range []struct {
		name          string
		width, height int64
	}{{"phone", 390, 844}, {"desktop", 1280, 900}} {
		t.Run("on a "+screen.name, func(t *testing.T) {
			page := srv.URL + "/admin/events/" + demo.UpcomingSlug
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(screen.width, screen.height),
				chromedp.Navigate(page+"?lang=ru"),
				chromedp.WaitVisible(chromedp.CSS(`#answers-diet`)),
			); err != nil {
				t.Fatalf("open the event page: %v", err)
			}
			if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the event page is %s px wide on a %d px screen", w, screen.width)
			}
			if got := servertest.ElementText(t, ctx, "#registrations-table td.answers"); !strings.Contains(got, "Особенности питания: Вегетарианское") {
				t.Errorf("answers in the list %q", got)
			}
			servertest.Screenshot(t, ctx, "dashboard-answers-ru-"+screen.name+".png")
			if err := chromedp.Do(ctx,
				chromedp.Navigate(page+"/questions?lang=ru"),
				chromedp.WaitVisible(chromedp.CSS(`#q0`)),
			); err != nil {
				t.Fatalf("open the questions editor: %v", err)
			}
			if w := servertest.Eval(t, ctx, `String(document.documentElement.scrollWidth)`); w != strconv.FormatInt(screen.width, 10) {
				t.Errorf("the questions editor is %s px wide on a %d px screen", w, screen.width)
			}
			servertest.Screenshot(t, ctx, "dashboard-questions-ru-"+screen.name+".png")
		})
	}
}

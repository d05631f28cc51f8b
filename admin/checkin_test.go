package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// doorText reads the door page's large result and its count.
func doorText(page *servertest.Doc) (result, count string) {
	if page.Has("result") {
		result = servertest.TextOf(page.ByID("result"))
	}
	return result, servertest.TextOf(page.ByID("count"))
}

func TestDoorChecksInByCode(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	kadri := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Nino", Last: "Beridze", Email: "nino@example.ge", Country: "GE", Confirmed: true})
	gone := d.Enrol(d.Ev, servertest.Attendee{First: "Armen", Last: "Petrosyan", Email: "armen@example.am", Country: "AM", Confirmed: true})
	if _, err := d.Store.CancelRegistration(t.Context(), d.Org.ID, d.Ev.Slug, gone.ID, ""); err != nil {
		t.Fatal(err)
	}
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	door := "/admin/events/egov-tashkent-2019/checkin"

	rec, page := d.Open(door, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("door page: %d", rec.Code)
	}
	code := page.ByID("code")
	for name, want := range map[string]string{"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text", "type": "text"} {
		if got := servertest.Attr(code, name); got != want {
			t.Errorf("code input %s=%q, want %q", name, got, want)
		}
	}
	if !servertest.HasAttr(code, "autofocus") {
		t.Error("the code input is not focused")
	}
	if _, count := doorText(page); count != "0 of 2 checked in today" {
		t.Errorf("count %q", count)
	}
	// One script, the scanner's, from this site and not inline: the page
	// works without it (this test posts the form as a browser without
	// scripts would).
	if scripts := page.All("script"); len(scripts) != 1 || servertest.Attr(scripts[0], "src") != "/static/door.js" ||
		strings.TrimSpace(servertest.TextOf(scripts[0])) != "" {
		t.Errorf("the door page's scripts: %d, want only /static/door.js", len(scripts))
	}

	// As typed at the door: lower case, with a dash and spaces.
	typed := " " + strings.ToLower(kadri.CheckinCode[:4]+"-"+kadri.CheckinCode[4:]) + " "
	checkIn := func(code string) (string, *servertest.Doc) {
		t.Helper()
		rec := d.Send(door, cookie, url.Values{"code": {code}, "day": {"2019-05-30"}})
		location := rec.Header().Get("Location")
		_, page := d.Follow(rec, cookie)
		return location, page
	}
	steps := []struct {
		name, code   string
		result, want string
		count        string
	}{
		{"a registered participant is checked in", typed, "Checked in Kadri Tamm Estonia", "outcome=in", "1 of 2 checked in today"},
		{"the same code again says since when", kadri.CheckinCode, "Already checked in at 10:07 Kadri Tamm Estonia", "outcome=already", "1 of 2 checked in today"},
		{"an unknown code is not found", "ZZZZ-ZZZZ", "Not found No registration for this event has the code ZZZZZZZZ.", "outcome=not_found", "1 of 2 checked in today"},
		{"a cancelled registration is refused", gone.CheckinCode, "Cancelled registration Armen Petrosyan Armenia Not checked in.", "outcome=refused", "1 of 2 checked in today"},
		{"nothing typed asks for a code", "   ", "Type a code first.", "outcome=empty", "1 of 2 checked in today"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			d.SetClock(d.Clock().Add(7 * time.Minute))
			location, page := checkIn(s.code)
			if !strings.Contains(location, s.want) || !strings.Contains(location, "day=2019-05-30") {
				t.Errorf("redirected to %q, want %s", location, s.want)
			}
			result, count := doorText(page)
			if !strings.HasPrefix(result, s.result) {
				t.Errorf("result %q, want %q", result, s.result)
			}
			if count != s.count {
				t.Errorf("count %q, want %q", count, s.count)
			}
		})
	}
	if n := servertest.CountRows(t, d.Server, `SELECT count(*) FROM checkins`); n != 1 {
		t.Errorf("%d check-ins stored, want 1", n)
	}

	t.Run("the result is in the page language", func(t *testing.T) {
		rec := d.Send(door, cookie, url.Values{"code": {kadri.CheckinCode}})
		location, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
		_, page := d.Open(location+"&lang=uz", cookie)
		if result, _ := doorText(page); !strings.HasPrefix(result, "Allaqachon qayd etilgan: soat 10:07 da Kadri Tamm Estoniya") {
			t.Errorf("uz result %q", result)
		}
	})
}

func TestDoorSearchAndOneTapCheckIn(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	d.Enrol(d.Ev, servertest.Attendee{First: "Дилноза", Last: "Юсупова", Email: "dilnoza@example.uz", Country: "UZ",
		Org: "Centre for Economic Research and Reforms"})
	d.Enrol(d.Ev, servertest.Attendee{First: "Gʻayrat", Last: "Toʻxtayev", Email: "gayrat@example.uz", Country: "UZ", Confirmed: true,
		Org: "Academy of Public Administration"})
	waiting := d.Workshop(d.Org, "full-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
	d.Enrol(waiting, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	d.Enrol(waiting, servertest.Attendee{First: "Kadri", Last: "Kask", Email: "kadri.kask@example.ee", Country: "EE", Confirmed: true})
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	door := "/admin/events/egov-tashkent-2019/checkin"

	_, page := d.Open(door+"?q=research&day=2019-05-31", cookie)
	people := page.SelectAll("li.person")
	if len(people) != 1 || !strings.Contains(servertest.TextOf(people[0]), "Дилноза Юсупова") ||
		!strings.Contains(servertest.TextOf(people[0]), "Not confirmed yet") {
		t.Fatalf("found %d: %s", len(people), page.Text())
	}
	forms := servertest.Within(people[0], "form")
	if len(forms) != 1 {
		t.Fatal("no Check in button")
	}
	form := servertest.FormValues(forms[0])
	if form.Get("day") != "2019-05-31" || form.Get("q") != "research" || form.Get("registration_id") == "" {
		t.Errorf("button form %v", form)
	}
	rec := d.Send(servertest.Attr(forms[0], "action"), cookie, form)
	location := rec.Header().Get("Location")
	if !strings.Contains(location, "q=research") || !strings.Contains(location, "outcome=in") {
		t.Errorf("redirected to %q", location)
	}
	_, page = d.Follow(rec, cookie)
	result, count := doorText(page)
	if !strings.HasPrefix(result, "Checked in Дилноза Юсупова Uzbekistan") {
		t.Errorf("result %q", result)
	}
	// She was pending: checking in at the door confirms her.
	if count != "1 of 2 checked in on Friday, 31 May 2019" {
		t.Errorf("count %q", count)
	}
	people = page.SelectAll("li.person")
	if len(people) != 1 || !strings.Contains(servertest.TextOf(people[0]), "Checked in at 10:00") || len(servertest.Within(people[0], "form")) != 0 {
		t.Errorf("after checking in, the list shows %q", servertest.TextOf(people[0]))
	}
	if !strings.Contains(servertest.TextOf(people[0]), "Confirmed") {
		t.Errorf("the check-in did not confirm her: %q", servertest.TextOf(people[0]))
	}

	t.Run("the waiting list has no button", func(t *testing.T) {
		_, page := d.Open("/admin/events/full-workshop/checkin?q=kadri", cookie)
		people := page.SelectAll("li.person")
		if len(people) != 2 {
			t.Fatalf("people %d: %s", len(people), page.Text())
		}
		for _, p := range people {
			seated := strings.Contains(servertest.TextOf(p), "Tamm")
			if hasButton := len(servertest.Within(p, "form")) == 1; hasButton != seated {
				t.Errorf("%q: button %v", servertest.TextOf(p), hasButton)
			}
		}
	})
	t.Run("no one found", func(t *testing.T) {
		_, page := d.Open(door+"?q=nobody-at-all", cookie)
		if !strings.Contains(page.Text(), "No one found.") {
			t.Errorf("page %s", page.Text())
		}
	})
}

func TestDoorDay(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	door := "/admin/events/egov-tashkent-2019/checkin"
	current := func(page *servertest.Doc) string {
		for _, a := range page.SelectAll("a") {
			if servertest.Attr(a, "aria-current") == "page" {
				return servertest.TextOf(a)
			}
		}
		return ""
	}
	tests := []struct {
		name  string
		now   time.Time
		query string
		want  string
	}{
		{"today during the event", time.Date(2019, time.May, 31, 8, 0, 0, 0, servertest.Tashkent), "", "Friday, 31 May 2019 (today)"},
		{"the first day before the event", time.Date(2019, time.May, 20, 8, 0, 0, 0, servertest.Tashkent), "", "Thursday, 30 May 2019"},
		{"the first day after it", time.Date(2019, time.June, 3, 8, 0, 0, 0, servertest.Tashkent), "", "Thursday, 30 May 2019"},
		{"the day asked for", time.Date(2019, time.May, 30, 8, 0, 0, 0, servertest.Tashkent), "?day=2019-05-31", "Friday, 31 May 2019"},
		{"not a day of the event", time.Date(2019, time.May, 30, 8, 0, 0, 0, servertest.Tashkent), "?day=2019-06-01", "Thursday, 30 May 2019 (today)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.SetClock(tt.now)
			_, page := d.Open(door+tt.query, d.SignIn("lead@example.org", servertest.DashPassword))
			if got := current(page); got != tt.want {
				t.Errorf("day %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("check-ins go to the day shown", func(t *testing.T) {
		d.SetClock(time.Date(2019, time.May, 30, 9, 0, 0, 0, servertest.Tashkent))
		reg := d.Enrol(d.Ev, servertest.Attendee{First: "Nino", Last: "Beridze", Email: "nino@example.ge", Country: "GE", Confirmed: true})
		d.Send(door, d.SignIn("lead@example.org", servertest.DashPassword), url.Values{"code": {reg.CheckinCode}, "day": {"2019-05-31"}})
		var day string
		if err := d.DB.Get(&day, `SELECT day::text FROM checkins`); err != nil || day != "2019-05-31" {
			t.Errorf("checked in on %q, %v", day, err)
		}
	})
}

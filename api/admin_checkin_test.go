package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

// doorText reads the door page's large result and its count.
func doorText(page *doc) (result, count string) {
	if page.has("result") {
		result = textOf(page.byID("result"))
	}
	return result, textOf(page.byID("count"))
}

func TestDoorChecksInByCode(t *testing.T) {
	t.Parallel()
	d := newDashboard(t)
	kadri := d.enrol(d.ev, attendee{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", confirmed: true})
	d.enrol(d.ev, attendee{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", confirmed: true})
	gone := d.enrol(d.ev, attendee{first: "Armen", last: "Petrosyan", email: "armen@example.am", country: "AM", confirmed: true})
	if _, err := d.st.CancelRegistration(t.Context(), d.org.ID, d.ev.Slug, gone.ID, ""); err != nil {
		t.Fatal(err)
	}
	cookie := d.signIn("lead@example.org", dashPassword)
	door := "/admin/events/egov-tashkent-2019/checkin"

	rec, page := d.open(door, cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("door page: %d", rec.Code)
	}
	code := page.byID("code")
	for name, want := range map[string]string{"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text", "type": "text"} {
		if got := attr(code, name); got != want {
			t.Errorf("code input %s=%q, want %q", name, got, want)
		}
	}
	if !hasAttr(code, "autofocus") {
		t.Error("the code input is not focused")
	}
	if _, count := doorText(page); count != "0 of 2 checked in today" {
		t.Errorf("count %q", count)
	}
	if len(page.all("script")) != 0 {
		t.Error("the door page needs a script")
	}

	// As typed at the door: lower case, with a dash and spaces.
	typed := " " + strings.ToLower(kadri.CheckinCode[:4]+"-"+kadri.CheckinCode[4:]) + " "
	checkIn := func(code string) (string, *doc) {
		t.Helper()
		rec := d.send(door, cookie, url.Values{"code": {code}, "day": {"2019-05-30"}})
		location := rec.Header().Get("Location")
		_, page := d.follow(rec, cookie)
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
			d.setClock(d.clock().Add(7 * time.Minute))
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
	if n := countRows(t, d.testAPI, `SELECT count(*) FROM checkins`); n != 1 {
		t.Errorf("%d check-ins stored, want 1", n)
	}

	t.Run("the result is in the page language", func(t *testing.T) {
		rec := d.send(door, cookie, url.Values{"code": {kadri.CheckinCode}})
		location, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
		_, page := d.open(location+"&lang=uz", cookie)
		if result, _ := doorText(page); !strings.HasPrefix(result, "Allaqachon qayd etilgan: soat 10:07 da Kadri Tamm Estoniya") {
			t.Errorf("uz result %q", result)
		}
	})
}

func TestDoorSearchAndOneTapCheckIn(t *testing.T) {
	t.Parallel()
	d := newDashboard(t)
	d.enrol(d.ev, attendee{first: "Дилноза", last: "Юсупова", email: "dilnoza@example.uz", country: "UZ",
		org: "Centre for Economic Research and Reforms"})
	d.enrol(d.ev, attendee{first: "Gʻayrat", last: "Toʻxtayev", email: "gayrat@example.uz", country: "UZ", confirmed: true,
		org: "Academy of Public Administration"})
	waiting := d.workshop(d.org, "full-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
	d.enrol(waiting, attendee{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", confirmed: true})
	d.enrol(waiting, attendee{first: "Kadri", last: "Kask", email: "kadri.kask@example.ee", country: "EE", confirmed: true})
	cookie := d.signIn("lead@example.org", dashPassword)
	door := "/admin/events/egov-tashkent-2019/checkin"

	_, page := d.open(door+"?q=research&day=2019-05-31", cookie)
	people := page.selectAll("li.person")
	if len(people) != 1 || !strings.Contains(textOf(people[0]), "Дилноза Юсупова") ||
		!strings.Contains(textOf(people[0]), "Not confirmed yet") {
		t.Fatalf("found %d: %s", len(people), page.text())
	}
	forms := within(people[0], "form")
	if len(forms) != 1 {
		t.Fatal("no Check in button")
	}
	form := formValues(forms[0])
	if form.Get("day") != "2019-05-31" || form.Get("q") != "research" || form.Get("registration_id") == "" {
		t.Errorf("button form %v", form)
	}
	rec := d.send(attr(forms[0], "action"), cookie, form)
	location := rec.Header().Get("Location")
	if !strings.Contains(location, "q=research") || !strings.Contains(location, "outcome=in") {
		t.Errorf("redirected to %q", location)
	}
	_, page = d.follow(rec, cookie)
	result, count := doorText(page)
	if !strings.HasPrefix(result, "Checked in Дилноза Юсупова Uzbekistan") {
		t.Errorf("result %q", result)
	}
	// She was pending: checking in at the door confirms her.
	if count != "1 of 2 checked in on Friday, 31 May 2019" {
		t.Errorf("count %q", count)
	}
	people = page.selectAll("li.person")
	if len(people) != 1 || !strings.Contains(textOf(people[0]), "Checked in at 10:00") || len(within(people[0], "form")) != 0 {
		t.Errorf("after checking in, the list shows %q", textOf(people[0]))
	}
	if !strings.Contains(textOf(people[0]), "Confirmed") {
		t.Errorf("the check-in did not confirm her: %q", textOf(people[0]))
	}

	t.Run("the waiting list has no button", func(t *testing.T) {
		_, page := d.open("/admin/events/full-workshop/checkin?q=kadri", cookie)
		people := page.selectAll("li.person")
		if len(people) != 2 {
			t.Fatalf("people %d: %s", len(people), page.text())
		}
		for _, p := range people {
			seated := strings.Contains(textOf(p), "Tamm")
			if hasButton := len(within(p, "form")) == 1; hasButton != seated {
				t.Errorf("%q: button %v", textOf(p), hasButton)
			}
		}
	})
	t.Run("no one found", func(t *testing.T) {
		_, page := d.open(door+"?q=nobody-at-all", cookie)
		if !strings.Contains(page.text(), "No one found.") {
			t.Errorf("page %s", page.text())
		}
	})
}

func TestDoorDay(t *testing.T) {
	t.Parallel()
	d := newDashboard(t)
	door := "/admin/events/egov-tashkent-2019/checkin"
	current := func(page *doc) string {
		for _, a := range page.selectAll("a") {
			if attr(a, "aria-current") == "page" {
				return textOf(a)
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
		{"today during the event", time.Date(2019, time.May, 31, 8, 0, 0, 0, tashkent), "", "Friday, 31 May 2019 (today)"},
		{"the first day before the event", time.Date(2019, time.May, 20, 8, 0, 0, 0, tashkent), "", "Thursday, 30 May 2019"},
		{"the first day after it", time.Date(2019, time.June, 3, 8, 0, 0, 0, tashkent), "", "Thursday, 30 May 2019"},
		{"the day asked for", time.Date(2019, time.May, 30, 8, 0, 0, 0, tashkent), "?day=2019-05-31", "Friday, 31 May 2019"},
		{"not a day of the event", time.Date(2019, time.May, 30, 8, 0, 0, 0, tashkent), "?day=2019-06-01", "Thursday, 30 May 2019 (today)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.setClock(tt.now)
			_, page := d.open(door+tt.query, d.signIn("lead@example.org", dashPassword))
			if got := current(page); got != tt.want {
				t.Errorf("day %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("check-ins go to the day shown", func(t *testing.T) {
		d.setClock(time.Date(2019, time.May, 30, 9, 0, 0, 0, tashkent))
		reg := d.enrol(d.ev, attendee{first: "Nino", last: "Beridze", email: "nino@example.ge", country: "GE", confirmed: true})
		d.send(door, d.signIn("lead@example.org", dashPassword), url.Values{"code": {reg.CheckinCode}, "day": {"2019-05-31"}})
		var day string
		if err := d.db.Get(&day, `SELECT day::text FROM checkins`); err != nil || day != "2019-05-31" {
			t.Errorf("checked in on %q, %v", day, err)
		}
	})
}

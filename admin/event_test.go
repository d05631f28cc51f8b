package admin_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/store"
)

func TestEventsListShowsTheOrganizersEventsWithTheirNumbers(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	other, _ := d.Organizer("other@example.org")
	d.Workshop(other, "someone-elses-workshop", func(in *domain.EventInput) { in.Title = domain.Some("Someone else's workshop") })
	d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Nino", Last: "Beridze", Email: "nino@example.ge", Country: "GE", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Armen", Last: "Petrosyan", Email: "armen@example.am", Country: "AM"})
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)

	rec, page := d.Open("/admin", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(page.Text(), "Someone else's workshop") {
		t.Error("another organizer's event is listed")
	}
	rows := servertest.TableRows(page.SelectAll("table.data")[0], "tbody")
	if len(rows) != 1 {
		t.Fatalf("rows %q", rows)
	}
	// Event, dates, registered, confirmed, waiting list, checked in today, seats held, links.
	want := []string{"30–31 May 2019", "3", "2", "0", "0", "3"}
	if got := rows[0][1:7]; !slices.Equal(got, want) {
		t.Errorf("numbers %q, want %q", got, want)
	}
	link := page.Walk(func(n *html.Node) bool { return n.Data == "a" && servertest.TextOf(n) == d.Ev.Title })
	if link == nil || servertest.Attr(link, "href") != "/admin/events/egov-tashkent-2019" {
		t.Errorf("no link to the event's dashboard page")
	}
}

// statsWorkshop registers five people and checks three of them in:
//
//	Armen   AM  waitlisted (capacity 3)
//	Aigerim KZ  confirmed, then cancelled
//	Alikhan KZ  confirmed, in on day 1
//	Rustam  UZ  confirmed, in on both days
//	Malika  UZ  pending, in on day 2 (which confirms her)
func statsWorkshop(t *testing.T) (*servertest.Dashboard, string) {
	d := servertest.NewDashboard(t)
	ctx := context.Background()
	ev := d.Workshop(d.Org, "stats-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(3) })
	rustam := d.Enrol(ev, servertest.Attendee{First: "Rustam", Last: "Kasimov", Email: "rustam@example.uz", Country: "UZ", Confirmed: true})
	malika := d.Enrol(ev, servertest.Attendee{First: "Malika", Last: "Rahimova", Email: "malika@example.uz", Country: "UZ"})
	aigerim := d.Enrol(ev, servertest.Attendee{First: "Айгерим", Last: "Сейтказиева", Email: "aigerim@example.kz", Country: "KZ", Confirmed: true})
	if _, err := d.Store.CancelRegistration(ctx, d.Org.ID, ev.Slug, aigerim.ID, ""); err != nil {
		t.Fatal(err)
	}
	alikhan := d.Enrol(ev, servertest.Attendee{First: "Alikhan", Last: "Baimenov", Email: "alikhan@example.kz", Country: "KZ", Confirmed: true})
	if armen := d.Enrol(ev, servertest.Attendee{First: "Armen", Last: "Petrosyan", Email: "armen@example.am", Country: "AM"}); armen.Status != domain.StatusWaitlisted {
		t.Fatalf("Armen is %s, want waitlisted", armen.Status)
	}
	for _, ci := range []struct {
		reg *domain.Registration
		day string
	}{{rustam, "2019-05-30"}, {rustam, "2019-05-31"}, {malika, "2019-05-31"}, {alikhan, "2019-05-30"}} {
		day, err := domain.ParseDate(ci.day)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.Store.CheckIn(ctx, d.Org.ID, ev.Slug, store.CheckinRequest{RegistrationID: ci.reg.ID, Day: day}); err != nil {
			t.Fatal(err)
		}
	}
	return d, d.SignIn("lead@example.org", servertest.DashPassword)
}

func TestEventPageCountsByCountryInATableAndAChart(t *testing.T) {
	t.Parallel()
	d, cookie := statsWorkshop(t)
	rec, page := d.Open("/admin/events/stats-workshop", cookie)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}

	t.Run("the table has a line per country and the totals", func(t *testing.T) {
		table := page.ByID("stats-table")
		head := servertest.TableRows(table, "thead")
		wantHead := []string{"Delegation", "Registered", "Confirmed", "Waiting list", "Cancelled", "Expired",
			"Attended 30 May", "Attended 31 May", "Attended (any day)"}
		if len(head) != 1 || !slices.Equal(head[0], wantHead) {
			t.Errorf("head %q\nwant %q", head, wantHead)
		}
		want := [][]string{
			{"Armenia", "1", "0", "1", "0", "0", "0", "0", "0"},
			{"Kazakhstan", "1", "1", "0", "1", "0", "1", "0", "1"},
			{"Uzbekistan", "2", "2", "0", "0", "0", "1", "2", "2"},
		}
		if got := servertest.TableRows(table, "tbody"); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("lines\n got %q\nwant %q", got, want)
		}
		total := []string{"Total", "4", "3", "1", "1", "0", "2", "2", "3"}
		if got := servertest.TableRows(table, "tfoot"); len(got) != 1 || !slices.Equal(got[0], total) {
			t.Errorf("totals %q, want %q", got, total)
		}
	})

	t.Run("the chart draws the same numbers, accessibly", func(t *testing.T) {
		svg := page.ByID("chart")
		if servertest.Attr(svg, "role") != "img" || servertest.Attr(svg, "aria-labelledby") != "chart-title chart-desc" {
			t.Errorf("svg role %q labelledby %q", servertest.Attr(svg, "role"), servertest.Attr(svg, "aria-labelledby"))
		}
		if titles := servertest.Within(svg, "title"); len(titles) != 1 || servertest.TextOf(titles[0]) != "Registered and attended people by delegation" {
			t.Errorf("titles %v", titles)
		}
		widths := func(class string) []string {
			var out []string
			for _, r := range servertest.Within(svg, "rect") {
				if servertest.HasClass(r, class) {
					out = append(out, servertest.Attr(r, "width"))
				}
			}
			return out[1:] // the first is the legend's swatch
		}
		// The longest bar (2 people) is 400 units long.
		if got, want := widths("bar-registered"), []string{"200", "200", "400"}; !slices.Equal(got, want) {
			t.Errorf("registered bars %q, want %q (AM, KZ, UZ)", got, want)
		}
		if got, want := widths("bar-attended"), []string{"0", "200", "400"}; !slices.Equal(got, want) {
			t.Errorf("attended bars %q, want %q (AM, KZ, UZ)", got, want)
		}
		var labels []string
		for _, txt := range servertest.Within(svg, "text") {
			if servertest.HasClass(txt, "label") {
				labels = append(labels, servertest.TextOf(txt))
			}
		}
		if want := []string{"Armenia", "Kazakhstan", "Uzbekistan"}; !slices.Equal(labels, want) {
			t.Errorf("labels %q", labels)
		}
		if len(page.All("script")) != 0 {
			t.Error("the page carries a script")
		}
	})

	t.Run("in Russian the countries and headings are Russian", func(t *testing.T) {
		_, page := d.Open("/admin/events/stats-workshop?lang=ru", cookie)
		rows := servertest.TableRows(page.ByID("stats-table"), "tbody")
		if len(rows) != 3 || rows[0][0] != "Армения" || rows[2][0] != "Узбекистан" {
			t.Errorf("rows %q", rows)
		}
		if got := servertest.TableRows(page.ByID("stats-table"), "thead")[0][1]; got != "Зарегистрировано" {
			t.Errorf("heading %q", got)
		}
		if !strings.Contains(page.Text(), "Вы вошли как lead@example.org") {
			t.Error("the bar is not translated")
		}
	})

	t.Run("an event without registrations says so instead of drawing", func(t *testing.T) {
		_, page := d.Open("/admin/events/egov-tashkent-2019", cookie)
		if page.Has("chart") || page.Has("stats-table") || !strings.Contains(page.Text(), "No one has registered yet.") {
			t.Errorf("empty event page: %s", page.Text())
		}
	})
}

// listed reads the names in the registration list.
func listed(page *servertest.Doc) []string {
	if !page.Has("registrations-table") {
		return nil
	}
	var names []string
	for _, row := range servertest.TableRows(page.ByID("registrations-table"), "tbody") {
		name, _, _ := strings.Cut(row[0], " ")
		names = append(names, name)
	}
	return names
}

func TestRegistrationListFiltersAndPages(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	ev := d.Workshop(d.Org, "big-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(50) })
	for i := range 53 {
		country := "UZ"
		if i%10 == 3 {
			country = "KZ"
		}
		d.Enrol(ev, servertest.Attendee{First: fmt.Sprintf("P%02d", i), Last: "Participant", Email: fmt.Sprintf("p%02d@example.org", i),
			Country: country, Confirmed: true})
	}
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	path := "/admin/events/big-workshop"

	t.Run("fifty a page, with a link to the next", func(t *testing.T) {
		_, page := d.Open(path, cookie)
		first := listed(page)
		if len(first) != 50 || page.Has("first-page") {
			t.Fatalf("%d rows on the first page", len(first))
		}
		next, _, _ := strings.Cut(servertest.Attr(page.ByID("next-page"), "href"), "#")
		_, page = d.Open(next, cookie)
		second := listed(page)
		if len(second) != 3 || page.Has("next-page") || !page.Has("first-page") {
			t.Fatalf("second page %q", second)
		}
		all := append(first, second...)
		slices.Sort(all)
		if len(slices.Compact(all)) != 53 {
			t.Errorf("the pages repeat or skip people: %q", all)
		}
	})

	tests := []struct {
		name, query string
		want        []string
	}{
		{"by status", "?status=waitlisted", []string{"P50", "P51", "P52"}},
		{"by country", "?country=kz", []string{"P03", "P13", "P23", "P33", "P43"}},
		{"by name", "?q=p07%40example", []string{"P07"}},
		{"by all three", "?status=confirmed&country=KZ&q=P4", []string{"P43"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, page := d.Open(path+tt.query, cookie)
			got := listed(page)
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("listed %q, want %q", got, tt.want)
			}
			csvLink, _ := url.Parse(servertest.Attr(page.ByID("export-csv"), "href"))
			filter, _ := url.ParseQuery(strings.TrimPrefix(tt.query, "?"))
			for k := range filter {
				if !strings.EqualFold(csvLink.Query().Get(k), filter.Get(k)) {
					t.Errorf("the CSV link %s does not keep %s=%s", csvLink, k, filter.Get(k))
				}
			}
		})
	}

	t.Run("the filter form shows the filter in use", func(t *testing.T) {
		_, page := d.Open(path+"?status=waitlisted&country=UZ&q=P5", cookie)
		if _, _, sel := servertest.Options(page.ByID("filter-status")); sel != "waitlisted" {
			t.Errorf("status selected %q", sel)
		}
		values, labels, sel := servertest.Options(page.ByID("filter-country"))
		if sel != "UZ" || !slices.Equal(values, []string{"", "KZ", "UZ"}) || labels[2] != "Uzbekistan" {
			t.Errorf("countries %q %q, selected %q", values, labels, sel)
		}
		if servertest.Attr(page.ByID("filter-q"), "value") != "P5" {
			t.Errorf("search box %q", servertest.Attr(page.ByID("filter-q"), "value"))
		}
	})

	t.Run("a bad filter is reported and the whole list shown", func(t *testing.T) {
		rec, page := d.Open(path+"?status=bogus", cookie)
		if rec.Code != http.StatusOK || len(listed(page)) != 50 {
			t.Fatalf("%d, %d rows", rec.Code, len(listed(page)))
		}
		if got := servertest.TextOf(page.ByID("notice")); !strings.Contains(got, "The filter could not be used") {
			t.Errorf("notice %q", got)
		}
	})
}

func TestCancelPromoteAndRetryFromTheDashboard(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	ev := d.Workshop(d.Org, "small-workshop", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })
	kadri := d.Enrol(ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true, Notify: true})
	nino := d.Enrol(ev, servertest.Attendee{First: "Nino", Last: "Beridze", Email: "nino@example.ge", Country: "GE", Confirmed: true})
	if nino.Status != domain.StatusWaitlisted {
		t.Fatalf("Nino is %s", nino.Status)
	}
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	path := "/admin/events/small-workshop"
	statusOf := func(id string) domain.Status {
		t.Helper()
		reg, err := d.Store.Registration(context.Background(), ev.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return reg.Status
	}
	// act posts the form of a row as the page draws it, and follows the
	// redirect back to the list.
	act := func(t *testing.T, query, action string, extra url.Values) (string, *servertest.Doc) {
		t.Helper()
		_, page := d.Open(path+query, cookie)
		forms := page.FormsWithAction(action)
		if len(forms) != 1 {
			t.Fatalf("%d forms posting to %s", len(forms), action)
		}
		form := servertest.FormValues(forms[0])
		for k, v := range extra {
			form[k] = v
		}
		rec := d.Send(servertest.Attr(forms[0], "action"), cookie, form)
		location := rec.Header().Get("Location")
		_, page = d.Follow(rec, cookie)
		return location, page
	}

	t.Run("promoting beyond capacity is refused with a notice", func(t *testing.T) {
		location, page := act(t, "?status=waitlisted", "/registrations/"+nino.ID+"/promote", nil)
		if !strings.Contains(location, "error=full") || !strings.Contains(location, "status=waitlisted") || !strings.HasSuffix(location, "#registrations") {
			t.Errorf("redirected to %q, want the same view of the list with error=full", location)
		}
		if got := servertest.TextOf(page.ByID("notice")); !strings.Contains(got, "All seats are taken") {
			t.Errorf("notice %q", got)
		}
		if statusOf(nino.ID) != domain.StatusWaitlisted {
			t.Error("Nino was promoted beyond capacity")
		}
	})

	t.Run("cancelling with a message", func(t *testing.T) {
		location, page := act(t, "", "/registrations/"+kadri.ID+"/cancel",
			url.Values{"message": {"Sorry, the hall is smaller than we planned."}})
		if !strings.Contains(location, "done=cancelled") {
			t.Errorf("redirected to %q", location)
		}
		if got := servertest.TextOf(page.ByID("notice")); !strings.Contains(got, "The registration is cancelled") {
			t.Errorf("notice %q", got)
		}
		if statusOf(kadri.ID) != domain.StatusCancelled {
			t.Error("Kadri is not cancelled")
		}
		var msg string
		if err := d.DB.Get(&msg, `SELECT payload->>'message' FROM emails WHERE kind = 'cancelled' AND registration_id = $1`, kadri.ID); err != nil ||
			msg != "Sorry, the hall is smaller than we planned." {
			t.Errorf("cancellation email message %q, %v", msg, err)
		}
		if forms := page.FormsWithAction("/registrations/" + kadri.ID + "/cancel"); len(forms) != 0 {
			t.Error("a cancelled registration still has a Cancel button")
		}
	})

	t.Run("moving from the waiting list into the freed seat", func(t *testing.T) {
		location, _ := act(t, "", "/registrations/"+nino.ID+"/promote", nil)
		if !strings.Contains(location, "done=promoted") {
			t.Errorf("redirected to %q", location)
		}
		if statusOf(nino.ID) != domain.StatusConfirmed {
			t.Error("Nino is not confirmed")
		}
		rec := d.Send(path+"/registrations/"+nino.ID+"/promote", cookie, url.Values{})
		if got := rec.Header().Get("Location"); !strings.Contains(got, "error=not_waitlisted") {
			t.Errorf("promoting twice redirected to %q", got)
		}
	})

	t.Run("a message that is too long is refused", func(t *testing.T) {
		rec := d.Send(path+"/registrations/"+nino.ID+"/cancel", cookie, url.Values{"message": {strings.Repeat("x", 2001)}})
		if got := rec.Header().Get("Location"); !strings.Contains(got, "error=message") {
			t.Errorf("redirected to %q", got)
		}
		if statusOf(nino.ID) != domain.StatusConfirmed {
			t.Error("Nino was cancelled anyway")
		}
	})

	t.Run("a failed email is listed and sent again", func(t *testing.T) {
		var id int64
		if err := d.DB.Get(&id, `UPDATE emails SET status = 'failed', last_error = '550 5.1.1 mailbox unavailable'
			WHERE registration_id = $1 AND kind = 'confirmed' RETURNING id`, kadri.ID); err != nil {
			t.Fatal(err)
		}
		_, page := d.Open(path, cookie)
		rows := servertest.TableRows(page.ByID("emails-table"), "tbody")
		if len(rows) != 1 || !strings.Contains(rows[0][0], "kadri@example.ee") || rows[0][1] != "Registration confirmed" ||
			!strings.Contains(rows[0][4], "mailbox unavailable") {
			t.Fatalf("failed emails %q", rows)
		}
		location, page := act(t, "", fmt.Sprintf("/emails/%d/retry", id), nil)
		if !strings.Contains(location, "done=retried") || !strings.HasSuffix(location, "#emails") {
			t.Errorf("redirected to %q", location)
		}
		if page.Has("emails-table") {
			t.Error("the retried email is still listed as failed")
		}
		var status string
		if err := d.DB.Get(&status, `SELECT status FROM emails WHERE id = $1`, id); err != nil || status != "queued" {
			t.Errorf("email status %q, %v", status, err)
		}
		rec := d.Send(fmt.Sprintf("%s/emails/%d/retry", path, id), cookie, url.Values{})
		if got := rec.Header().Get("Location"); !strings.Contains(got, "error=not_failed") {
			t.Errorf("retrying a queued email redirected to %q", got)
		}
	})
}

func TestExportFromTheDashboard(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	d.Enrol(d.Ev, servertest.Attendee{First: "Rustam", Last: "Kasimov", Email: "rustam@example.uz", Country: "UZ", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Дилноза", Last: "Юсупова", Email: "dilnoza@example.uz", Country: "UZ", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Alikhan", Last: "Baimenov", Email: "alikhan@example.kz", Country: "KZ"})
	cookie := d.SignIn("lead@example.org", servertest.DashPassword)
	_, page := d.Open("/admin/events/egov-tashkent-2019?country=UZ", cookie)

	t.Run("CSV with the list's filter", func(t *testing.T) {
		href := servertest.Attr(page.ByID("export-csv"), "href")
		rec, _ := d.Open(href, cookie)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", href, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Content-Disposition"); got != `attachment; filename=egov-tashkent-2019-attendees-2019-05-30.csv` {
			t.Errorf("Content-Disposition %q", got)
		}
		if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/csv") {
			t.Errorf("Content-Type %q", got)
		}
		records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 3 || !strings.Contains(rec.Body.String(), "Дилноза") || strings.Contains(rec.Body.String(), "Alikhan") {
			t.Errorf("CSV:\n%s", rec.Body)
		}
	})

	t.Run("XLSX", func(t *testing.T) {
		rec, _ := d.Open(servertest.Attr(page.ByID("export-xlsx"), "href"), cookie)
		if rec.Code != http.StatusOK || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
			t.Fatalf("%d, body starts %q", rec.Code, rec.Body.Bytes()[:min(4, rec.Body.Len())])
		}
		if got := rec.Header().Get("Content-Disposition"); !strings.HasSuffix(got, ".xlsx") || !strings.HasPrefix(got, "attachment") {
			t.Errorf("Content-Disposition %q", got)
		}
	})

	t.Run("a bad format is a page, not a file", func(t *testing.T) {
		rec, page := d.Open("/admin/events/egov-tashkent-2019/export?format=pdf", cookie)
		if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
			page.Has("export-csv") {
			t.Errorf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}

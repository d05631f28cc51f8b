package admin_test

import (
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// The OECD's staff are the OECD's delegation on the dashboard and at the
// door, not their country's.
func TestTheDashboardAndTheDoorShowDelegations(t *testing.T) {
	t.Parallel()
	d := servertest.NewDashboard(t)
	claire := d.Enrol(d.Ev, servertest.Attendee{First: "Claire", Last: "Dubois", Email: "claire@example.org", Country: "FR",
		Delegation: "OECD", Org: "OECD", Confirmed: true})
	d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	cookie := d.SignIn(d.Org.Email, servertest.DashPassword)

	_, page := d.Open("/admin/events/egov-tashkent-2019?lang=ru", cookie)
	stats := servertest.TableRows(page.ByID("stats-table"), "tbody")
	if len(stats) != 2 || stats[0][0] != "Эстония" || stats[1][0] != "ОЭСР" || stats[1][1] != "1" { // by code: EE, OECD
		t.Errorf("numbers by delegation %q", stats)
	}
	_, page = d.Open("/admin/events/egov-tashkent-2019?lang=ru&delegation=OECD", cookie)
	rows := servertest.TableRows(page.ByID("registrations-table"), "tbody")
	if len(rows) != 1 || !strings.Contains(rows[0][0], "Claire Dubois") || rows[0][1] != "ОЭСР (Франция)" {
		t.Errorf("the list filtered by OECD %q", rows)
	}

	_, page = d.Open("/admin/events/egov-tashkent-2019/checkin?q=Dubois&day=2019-05-30", cookie)
	people := page.SelectAll("li.person")
	if len(people) != 1 || !strings.Contains(servertest.TextOf(people[0]), "OECD") || strings.Contains(servertest.TextOf(people[0]), "France") {
		t.Errorf("door search: %s", page.Text())
	}
	rec := d.Send("/admin/events/egov-tashkent-2019/checkin", cookie,
		map[string][]string{"code": {claire.CheckinCode}, "day": {"2019-05-30"}})
	_, page = d.Follow(rec, cookie)
	if result, _ := doorText(page); !strings.Contains(result, "Claire Dubois OECD") {
		t.Errorf("door result %q", result)
	}
}

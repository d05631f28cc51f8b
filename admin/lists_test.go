package admin_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/store"
)

// rolesWorkshop registers people of three countries in three roles, checks
// two of them in, and erases one:
//
//	Rustam  UZ expert   in on both days
//	Malika  UZ student  in on day 2
//	Gʻayrat UZ student  erased (during the workshop, which cancels him)
//	Alikhan KZ speaker
//	Armen   AM expert
func rolesWorkshop(t *testing.T) (*servertest.Dashboard, string, *domain.Event) {
	d := servertest.NewDashboard(t)
	ctx := context.Background()
	ev := d.Workshop(d.Org, "roles-workshop", nil)
	rustam := d.Enrol(ev, servertest.Attendee{First: "Rustam", Last: "Kasimov", Email: "rustam@example.uz", Country: "UZ", Confirmed: true})
	malika := d.Enrol(ev, servertest.Attendee{First: "Malika", Last: "Rahimova", Email: "malika@example.uz", Country: "UZ", Role: "student", Confirmed: true})
	gayrat := d.Enrol(ev, servertest.Attendee{First: "Gʻayrat", Last: "Toʻxtayev", Email: "gayrat@example.uz", Country: "UZ", Role: "student", Confirmed: true})
	d.Enrol(ev, servertest.Attendee{First: "Alikhan", Last: "Baimenov", Email: "alikhan@example.kz", Country: "KZ", Role: "speaker", Confirmed: true})
	d.Enrol(ev, servertest.Attendee{First: "Armen", Last: "Petrosyan", Email: "armen@example.am", Country: "AM", Confirmed: true})
	for _, ci := range []struct {
		reg *domain.Registration
		day string
	}{{rustam, "2019-05-30"}, {rustam, "2019-05-31"}, {malika, "2019-05-31"}} {
		day, err := domain.ParseDate(ci.day)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.Store.CheckIn(ctx, d.Org.ID, ev.Slug, store.CheckinRequest{RegistrationID: ci.reg.ID, Day: day}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Store.EraseRegistration(ctx, d.Org.ID, ev.Slug, gayrat.ID); err != nil {
		t.Fatal(err)
	}
	return d, d.SignIn("lead@example.org", servertest.DashPassword), ev
}

func TestEventPageCrossesCountriesWithRoles(t *testing.T) {
	t.Parallel()
	d, cookie, _ := rolesWorkshop(t)
	_, page := d.Open("/admin/events/roles-workshop", cookie)
	table := page.ByID("roles-table")
	// Gʻayrat's erasure cancelled him: he is no longer registered.
	want := [][]string{
		{"Delegation", "Expert", "Student", "Speaker", "Total"},
		{"Armenia", "1", "0", "0", "1"},
		{"Kazakhstan", "0", "0", "1", "1"},
		{"Uzbekistan", "1", "1", "0", "2"},
		{"Total", "2", "1", "1", "4"},
	}
	got := append(append(servertest.TableRows(table, "thead"), servertest.TableRows(table, "tbody")...), servertest.TableRows(table, "tfoot")...)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("countries by role\n got %q\nwant %q", got, want)
	}
	if caption := servertest.TextOf(servertest.Within(table, "caption")[0]); caption != "Registered people by delegation and role" {
		t.Errorf("caption %q", caption)
	}

	_, page = d.Open("/admin/events/roles-workshop?lang=ru", cookie)
	if head := servertest.TableRows(page.ByID("roles-table"), "thead")[0]; strings.Join(head, "|") != "Делегация|Эксперт|Студент|Докладчик|Всего" {
		t.Errorf("Russian headings %q", head)
	}
}

func TestRegistrationListShowsCheckInsAndErasedPeople(t *testing.T) {
	t.Parallel()
	d, cookie, _ := rolesWorkshop(t)
	_, page := d.Open("/admin/events/roles-workshop", cookie)
	table := page.ByID("registrations-table")
	head := servertest.TableRows(table, "thead")[0]
	col := slices.Index(head, "Checked in")
	if col < 0 {
		t.Fatalf("no Checked in column in %q", head)
	}
	rows := servertest.TableRows(table, "tbody")
	// The participant cell is the name, then the address.
	for who, want := range map[string]string{
		"Rustam Kasimovrustam@":    "30 May 10:00 31 May 10:00", // the dashboard's clock stands at 10:00 on day 1
		"Malika Rahimovamalika@":   "31 May 10:00",
		"Armen Petrosyanarmen@":    "Not checked in",
		"Alikhan Baimenovalikhan@": "Not checked in",
		"Erased participant":       "Not checked in",
	} {
		i := slices.IndexFunc(rows, func(r []string) bool { return strings.HasPrefix(r[0], who) })
		if i < 0 || rows[i][col] != want {
			t.Errorf("%s: row %d %q, want checked in %q", who, i, rows[max(i, 0)], want)
		}
	}
	if i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "Erased participant" }); i < 0 {
		t.Errorf("no row names an erased participant: %q", rows)
	}
	if text := page.Text(); strings.Contains(text, "erased-") || strings.Contains(text, "erased.invalid") {
		t.Errorf("the page shows the erased placeholder address")
	}

	t.Run("in Russian", func(t *testing.T) {
		_, page := d.Open("/admin/events/roles-workshop?lang=ru", cookie)
		rows := servertest.TableRows(page.ByID("registrations-table"), "tbody")
		if !slices.ContainsFunc(rows, func(r []string) bool { return r[0] == "Участник удалён" }) {
			t.Errorf("rows %q, want one for an erased participant", rows)
		}
		if head := servertest.TableRows(page.ByID("registrations-table"), "thead")[0]; !slices.Contains(head, "Отмечен на входе") {
			t.Errorf("head %q", head)
		}
	})
	t.Run("at the door too", func(t *testing.T) {
		// The placeholder address still matches a search for it.
		_, page := d.Open("/admin/events/roles-workshop/checkin?day=2019-05-30&q=erased", cookie)
		names := page.SelectAll("p.person-name")
		if len(names) != 1 || servertest.TextOf(names[0]) != "Erased participant" || strings.Contains(page.Text(), "erased-") {
			t.Errorf("door search for erased: %q", page.Text())
		}
		var who []string
		for _, n := range page.SelectAll("div.person-who") {
			who = append(who, servertest.TextOf(n))
		}
		if len(who) != 1 || who[0] != "Erased participant Uzbekistan · Cancelled" {
			t.Errorf("door search shows %q, want the name, country and status without an empty organization", who)
		}
	})
}

package api_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
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
func rolesWorkshop(t *testing.T) (*dashboard, string, *domain.Event) {
	d := newDashboard(t)
	ctx := context.Background()
	ev := d.workshop(d.org, "roles-workshop", nil)
	rustam := d.enrol(ev, attendee{first: "Rustam", last: "Kasimov", email: "rustam@example.uz", country: "UZ", confirmed: true})
	malika := d.enrol(ev, attendee{first: "Malika", last: "Rahimova", email: "malika@example.uz", country: "UZ", role: "student", confirmed: true})
	gayrat := d.enrol(ev, attendee{first: "Gʻayrat", last: "Toʻxtayev", email: "gayrat@example.uz", country: "UZ", role: "student", confirmed: true})
	d.enrol(ev, attendee{first: "Alikhan", last: "Baimenov", email: "alikhan@example.kz", country: "KZ", role: "speaker", confirmed: true})
	d.enrol(ev, attendee{first: "Armen", last: "Petrosyan", email: "armen@example.am", country: "AM", confirmed: true})
	for _, ci := range []struct {
		reg *domain.Registration
		day string
	}{{rustam, "2019-05-30"}, {rustam, "2019-05-31"}, {malika, "2019-05-31"}} {
		day, err := domain.ParseDate(ci.day)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.st.CheckIn(ctx, d.org.ID, ev.Slug, store.CheckinRequest{RegistrationID: ci.reg.ID, Day: day}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.st.EraseRegistration(ctx, d.org.ID, ev.Slug, gayrat.ID); err != nil {
		t.Fatal(err)
	}
	return d, d.signIn("lead@example.org", dashPassword), ev
}

func TestEventPageCrossesCountriesWithRoles(t *testing.T) {
	t.Parallel()
	d, cookie, _ := rolesWorkshop(t)
	_, page := d.open("/admin/events/roles-workshop", cookie)
	table := page.byID("roles-table")
	// Gʻayrat's erasure cancelled him: he is no longer registered.
	want := [][]string{
		{"Country", "Expert", "Student", "Speaker", "Total"},
		{"Armenia", "1", "0", "0", "1"},
		{"Kazakhstan", "0", "0", "1", "1"},
		{"Uzbekistan", "1", "1", "0", "2"},
		{"Total", "2", "1", "1", "4"},
	}
	got := append(append(tableRows(table, "thead"), tableRows(table, "tbody")...), tableRows(table, "tfoot")...)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("countries by role\n got %q\nwant %q", got, want)
	}
	if caption := textOf(within(table, "caption")[0]); caption != "Registered people by country and role" {
		t.Errorf("caption %q", caption)
	}

	_, page = d.open("/admin/events/roles-workshop?lang=ru", cookie)
	if head := tableRows(page.byID("roles-table"), "thead")[0]; strings.Join(head, "|") != "Страна|Эксперт|Студент|Докладчик|Всего" {
		t.Errorf("Russian headings %q", head)
	}
}

func TestRegistrationListShowsCheckInsAndErasedPeople(t *testing.T) {
	t.Parallel()
	d, cookie, _ := rolesWorkshop(t)
	_, page := d.open("/admin/events/roles-workshop", cookie)
	table := page.byID("registrations-table")
	head := tableRows(table, "thead")[0]
	col := slices.Index(head, "Checked in")
	if col < 0 {
		t.Fatalf("no Checked in column in %q", head)
	}
	rows := tableRows(table, "tbody")
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
	if text := page.text(); strings.Contains(text, "erased-") || strings.Contains(text, "erased.invalid") {
		t.Errorf("the page shows the erased placeholder address")
	}

	t.Run("in Russian", func(t *testing.T) {
		_, page := d.open("/admin/events/roles-workshop?lang=ru", cookie)
		rows := tableRows(page.byID("registrations-table"), "tbody")
		if !slices.ContainsFunc(rows, func(r []string) bool { return r[0] == "Участник удалён" }) {
			t.Errorf("rows %q, want one for an erased participant", rows)
		}
		if head := tableRows(page.byID("registrations-table"), "thead")[0]; !slices.Contains(head, "Отмечен на входе") {
			t.Errorf("head %q", head)
		}
	})
	t.Run("at the door too", func(t *testing.T) {
		// The placeholder address still matches a search for it.
		_, page := d.open("/admin/events/roles-workshop/checkin?day=2019-05-30&q=erased", cookie)
		names := page.selectAll("p.person-name")
		if len(names) != 1 || textOf(names[0]) != "Erased participant" || strings.Contains(page.text(), "erased-") {
			t.Errorf("door search for erased: %q", page.text())
		}
		var who []string
		for _, n := range page.selectAll("div.person-who") {
			who = append(who, textOf(n))
		}
		if len(who) != 1 || who[0] != "Erased participant Uzbekistan · Cancelled" {
			t.Errorf("door search shows %q, want the name, country and status without an empty organization", who)
		}
	})
}

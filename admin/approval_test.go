package admin_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
)

// applicationsWorkshop is a workshop of two seats that requires approval,
// with three applications (Gʻayrat's among them) and one confirmed
// walk-in who cannot be decided on.
func applicationsWorkshop(t *testing.T) (*servertest.Dashboard, string, []*domain.Registration) {
	d := servertest.NewDashboard(t)
	ev := d.Workshop(d.Org, "review-workshop", func(in *domain.EventInput) {
		in.Capacity = domain.Some(3)
		in.RequiresApproval = domain.Some(true)
	})
	d.Enrol(ev, servertest.Attendee{First: "Armen", Last: "Petrosyan", Email: "armen@example.am", Country: "AM", Confirmed: true})
	var regs []*domain.Registration
	for _, p := range []servertest.Attendee{
		{First: "Rustam", Last: "Kasimov", Email: "rustam@example.uz", Country: "UZ"},
		{First: "Gʻayrat", Last: "Toʻxtayev", Email: "gayrat@example.uz", Country: "UZ"},
		{First: "Alikhan", Last: "Baimenov", Email: "alikhan@example.kz", Country: "KZ"},
	} {
		reg := d.Enrol(ev, p)
		if reg.Status != domain.StatusAwaitingApproval {
			t.Fatalf("%s is %s, want awaiting_approval", p.First, reg.Status)
		}
		regs = append(regs, reg)
	}
	return d, d.SignIn("lead@example.org", servertest.DashPassword), regs
}

func TestOrganizersDecideOnTickedApplications(t *testing.T) {
	t.Parallel()
	d, cookie, regs := applicationsWorkshop(t)
	_, page := d.Open("/admin/events/review-workshop", cookie)
	form := page.ByID("decide-form")
	if form == nil {
		t.Fatal("the list of an event with applications has no form to decide on them")
	}
	var ticks []string
	for _, in := range page.All("input") {
		if servertest.Attr(in, "type") == "checkbox" && servertest.Attr(in, "form") == "decide-form" {
			ticks = append(ticks, servertest.Attr(in, "value"))
		}
	}
	if len(ticks) != 3 {
		t.Errorf("%d rows can be ticked, want the 3 applications (not the confirmed walk-in)", len(ticks))
	}
	stats := page.ByID("stats-table")
	head, total := servertest.TableRows(stats, "thead")[0], servertest.TableRows(stats, "tfoot")[0]
	if i := slices.Index(head, "Awaiting approval"); i < 0 || total[i] != "3" {
		t.Errorf("statistics %q / %q, want an Awaiting approval column counting 3", head, total)
	}
	// The applications are not counted as registered: only the walk-in is.
	if i, j := slices.Index(head, "Registered"), slices.Index(head, "Rejected"); i < 0 || total[i] != "1" || j < 0 || total[j] != "0" {
		t.Errorf("statistics %q / %q, want Registered 1 (the walk-in) and a Rejected column", head, total)
	}

	t.Run("the events list says how many applications wait, and leads to them", func(t *testing.T) {
		rec, _ := d.Open("/admin", cookie)
		want := `href="/admin/events/review-workshop?status=awaiting_approval#registrations">3 awaiting approval</a>`
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the events list lacks %s", want)
		}
	})

	t.Run("nothing ticked is an error that changes nothing", func(t *testing.T) {
		_, page := d.Follow(d.Send("/admin/events/review-workshop/registrations/decide", cookie,
			url.Values{"decision": {"approve"}}), cookie)
		if !strings.Contains(page.Text(), "Tick at least one registration first.") {
			t.Error("no notice that nothing was ticked")
		}
	})

	t.Run("approving three into two free seats seats two and waitlists one", func(t *testing.T) {
		form := url.Values{"decision": {"approve"}, "message": {"See you <soon>"},
			"id": {regs[0].ID, regs[1].ID, regs[2].ID}, "status": {"awaiting_approval"}}
		rec := d.Send("/admin/events/review-workshop/registrations/decide", cookie, form)
		if loc := rec.Header().Get("Location"); !strings.Contains(loc, "status=awaiting_approval") {
			t.Errorf("redirect %q does not keep the list's filter", loc)
		}
		d.Follow(rec, cookie)
		var held int
		if err := d.DB.Get(&held, `SELECT event_seats_held(id) FROM events WHERE slug = 'review-workshop'`); err != nil {
			t.Fatal(err)
		}
		var statuses []string
		// In the order ticked (they registered at the same moment).
		if err := d.DB.Select(&statuses, `SELECT status FROM registrations WHERE id IN ($1, $2, $3)
			ORDER BY array_position(ARRAY[$1, $2, $3]::uuid[], id)`, regs[0].ID, regs[1].ID, regs[2].ID); err != nil {
			t.Fatal(err)
		}
		// None of them followed the under_review email's link: their seats
		// are pending until they confirm the address.
		if held != 3 || strings.Join(statuses, " ") != "pending pending waitlisted" {
			t.Errorf("seats_held %d, statuses %v; want 3 and pending pending waitlisted", held, statuses)
		}
	})

	t.Run("a decided registration can no longer be ticked, and a stale tick changes nothing", func(t *testing.T) {
		_, page := d.Open("/admin/events/review-workshop", cookie)
		if page.Has("decide-form") {
			t.Error("the decide form is offered with no application left")
		}
		_, page = d.Follow(d.Send("/admin/events/review-workshop/registrations/decide", cookie,
			url.Values{"decision": {"reject"}, "id": {regs[0].ID}}), cookie)
		if !strings.Contains(page.Text(), "Nothing was changed") {
			t.Error("no notice that the ticked registration was no longer awaiting a decision")
		}
	})
}

func TestOrganizersRejectWithACourteousEmail(t *testing.T) {
	t.Parallel()
	d, cookie, regs := applicationsWorkshop(t)
	d.Follow(d.Send("/admin/events/review-workshop/registrations/decide?lang=ru", cookie,
		url.Values{"decision": {"reject"}, "id": {regs[1].ID}, "message": {"Зал маленький."}}), cookie)
	var row struct {
		Status  string `db:"status"`
		Message string `db:"message"`
	}
	if err := d.DB.Get(&row, `SELECT r.status, e.payload->>'message' AS message FROM registrations r
		JOIN emails e ON e.registration_id = r.id AND e.kind = 'rejected' WHERE r.id = $1`, regs[1].ID); err != nil {
		t.Fatal(err)
	}
	if row.Status != "rejected" || row.Message != "Зал маленький." {
		t.Errorf("%+v, want rejected with the organizer's message", row)
	}
	var held int
	if err := d.DB.Get(&held, `SELECT event_seats_held(id) FROM events WHERE slug = 'review-workshop'`); err != nil {
		t.Fatal(err)
	}
	if held != 1 {
		t.Errorf("seats_held %d, want 1 (the walk-in's; a rejection frees and takes nothing)", held)
	}
}

func TestADecisionMustBeApproveOrRejectWithAReadableMessage(t *testing.T) {
	t.Parallel()
	d, cookie, regs := applicationsWorkshop(t)
	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"an unknown decision", url.Values{"decision": {"explode"}, "id": {regs[0].ID}}, "decision"},
		{"no decision", url.Values{"id": {regs[0].ID}}, "decision"},
		{"a message that is not UTF-8", url.Values{"decision": {"approve"}, "id": {regs[0].ID}, "message": {"Welcome \xff\xfe"}}, "message"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.Send("/admin/events/review-workshop/registrations/decide", cookie, tt.form)
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "“"+tt.want+"”") {
				t.Errorf("status %d, want 422 naming %q:\n%s", rec.Code, tt.want, rec.Body)
			}
			var status string
			if err := d.DB.Get(&status, `SELECT status FROM registrations WHERE id = $1`, regs[0].ID); err != nil || status != "awaiting_approval" {
				t.Errorf("status %q (%v), want awaiting_approval: nothing decided", status, err)
			}
		})
	}
}

// Each application's row has its own Approve and Reject buttons: a form
// that decides that one alone, without ticking.
func TestARowsOwnButtonsDecideItAlone(t *testing.T) {
	t.Parallel()
	d, cookie, regs := applicationsWorkshop(t)
	_, page := d.Open("/admin/events/review-workshop?status=awaiting_approval", cookie)
	var form url.Values
	for _, f := range page.FormsWithAction("/registrations/decide") {
		if v := servertest.FormValues(f); v.Get("id") == regs[1].ID {
			form = v
		}
	}
	if form == nil {
		t.Fatal("Gʻayrat's row has no form of its own to decide on it")
	}
	form.Set("decision", "reject")
	if loc := d.Send("/admin/events/review-workshop/registrations/decide", cookie, form).Header().Get("Location"); !strings.Contains(loc, "status=awaiting_approval") {
		t.Errorf("redirect %q does not keep the list's filter", loc)
	}
	var statuses []string
	if err := d.DB.Select(&statuses, `SELECT status FROM registrations WHERE id IN ($1, $2, $3) ORDER BY array_position(ARRAY[$1, $2, $3]::uuid[], id)`,
		regs[0].ID, regs[1].ID, regs[2].ID); err != nil {
		t.Fatal(err)
	}
	if strings.Join(statuses, " ") != "awaiting_approval rejected awaiting_approval" {
		t.Errorf("statuses %v, want only Gʻayrat rejected", statuses)
	}
}

package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// statsWorkshop registers eight people in every status, from four
// countries in five roles, and checks some in on both days:
//
//	r1 UZ expert        confirmed   days 1 and 2
//	r2 UZ student       confirmed   day 1
//	r3 UZ student       pending
//	r4 KZ expert        confirmed   day 2
//	r5 KZ speaker       cancelled   day 1 (checked in, then cancelled)
//	r6 AM expert        waitlisted
//	r7 GE practitioner  expired
//	r8 AM researcher    waitlisted
//
// A second event with its own check-in must not count.
func statsWorkshop(t *testing.T) *attendanceRig {
	r := newAttendanceRig(t, 5)
	person := func(first, email, country, role string, confirmed bool) attendeeSpec {
		return attendeeSpec{first: first, last: "Test", email: email, country: country, role: role, confirmed: confirmed}
	}
	r1 := r.register(r.ev, person("Rustam", "r1@example.uz", "UZ", "expert", true))
	r2 := r.register(r.ev, person("Gʻayrat", "r2@example.uz", "UZ", "student", true))
	r4 := r.register(r.ev, person("Айгерим", "r4@example.kz", "KZ", "expert", true))
	r7spec := person("Nino", "r7@example.ge", "GE", "practitioner", false)
	r7spec.at = r.now.Add(-100 * time.Hour)
	r7 := r.register(r.ev, r7spec)
	r5 := r.register(r.ev, person("Alikhan", "r5@example.kz", "KZ", "speaker", true))
	// The five seats are held: the next two wait.
	if r6 := r.register(r.ev, person("Armen", "r6@example.am", "AM", "expert", false)); r6.Status != domain.StatusWaitlisted {
		t.Fatalf("r6 is %s, want waitlisted", r6.Status)
	}
	r.setExpired(r7)
	r.register(r.ev, person("Malika", "r3@example.uz", "UZ", "student", false))
	if r8 := r.register(r.ev, person("Ani", "r8@example.am", "AM", "researcher", false)); r8.Status != domain.StatusWaitlisted {
		t.Fatalf("r8 is %s, want waitlisted", r8.Status)
	}
	r.checkIn(r1, workshopDay1)
	r.checkIn(r1, workshopDay2)
	r.checkIn(r2, workshopDay1)
	r.checkIn(r4, workshopDay2)
	r.checkIn(r5, workshopDay1)
	r.cancel(r5)

	other := r.event(r.org, "another-workshop", 0)
	stranger := r.register(other, person("Kadri", "kadri@example.ee", "EE", "expert", true))
	if _, _, err := r.st.CheckIn(r.ctx, r.org.ID, other.Slug, store.CheckinRequest{RegistrationID: stranger.ID}); err != nil {
		t.Fatal(err)
	}
	return r
}

// counts builds expected Counts: registered, confirmed, pending, waitlisted,
// cancelled, expired, day 1, day 2, attended.
func counts(n ...int) store.Counts {
	return store.Counts{Registered: n[0], Confirmed: n[1], Pending: n[2], Waitlisted: n[3], Cancelled: n[4], Expired: n[5],
		AttendedByDay: map[domain.Date]int{workshopDay1: n[6], workshopDay2: n[7]}, Attended: n[8]}
}

func TestEventStatsCountsEveryView(t *testing.T) {
	t.Parallel()
	r := statsWorkshop(t)
	st, err := r.st.EventStats(r.ctx, r.ev)
	if err != nil {
		t.Fatal(err)
	}
	want := &store.Stats{
		Days:  []domain.Date{workshopDay1, workshopDay2},
		Total: counts(6, 3, 1, 2, 1, 1, 3, 2, 4),
		ByCountry: []store.CountryStats{
			{Country: "AM", Name: "Armenia", Counts: counts(2, 0, 0, 2, 0, 0, 0, 0, 0)},
			{Country: "GE", Name: "Georgia", Counts: counts(0, 0, 0, 0, 0, 1, 0, 0, 0)},
			{Country: "KZ", Name: "Kazakhstan", Counts: counts(1, 1, 0, 0, 1, 0, 1, 1, 2)},
			{Country: "UZ", Name: "Uzbekistan", Counts: counts(3, 2, 1, 0, 0, 0, 2, 1, 2)},
		},
		ByRole: []store.RoleStats{
			{Role: "expert", Counts: counts(3, 2, 0, 1, 0, 0, 1, 2, 2)},
			{Role: "practitioner", Counts: counts(0, 0, 0, 0, 0, 1, 0, 0, 0)},
			{Role: "researcher", Counts: counts(1, 0, 0, 1, 0, 0, 0, 0, 0)},
			{Role: "student", Counts: counts(2, 1, 1, 0, 0, 0, 1, 0, 1)},
			{Role: "speaker", Counts: counts(0, 0, 0, 0, 1, 0, 1, 0, 1)},
		},
		Answers: []store.QuestionCounts{},
	}
	// Everyone here represents their country.
	for _, c := range want.ByCountry {
		want.ByDelegation = append(want.ByDelegation, store.DelegationStats{Delegation: c.Country, Name: c.Name, Counts: c.Counts})
	}
	gotJSON, wantJSON := mustJSON(t, st), mustJSON(t, want)
	if gotJSON != wantJSON {
		t.Errorf("stats\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

// The dashboard's table of countries by role reads the cross counts.
func TestEventStatsCrossCountriesWithRoles(t *testing.T) {
	t.Parallel()
	r := statsWorkshop(t)
	st, err := r.st.EventStats(r.ctx, r.ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.CountryRoleCounts{
		{Country: "AM", Role: "expert", Registered: 1},
		{Country: "AM", Role: "researcher", Registered: 1},
		{Country: "GE", Role: "practitioner"},
		{Country: "KZ", Role: "expert", Registered: 1, Attended: 1},
		{Country: "KZ", Role: "speaker", Attended: 1},
		{Country: "UZ", Role: "expert", Registered: 1, Attended: 1},
		{Country: "UZ", Role: "student", Registered: 2, Attended: 1},
	}
	if got, want := fmt.Sprint(st.ByCountryRole), fmt.Sprint(want); got != want {
		t.Errorf("by country and role\n got %s\nwant %s", got, want)
	}
}

func TestEventStatsOfAnEventWithoutRegistrations(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	st, err := r.st.EventStats(r.ctx, r.ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"days":["2019-05-30","2019-05-31"],"total":{"registered":0,"confirmed":0,"pending":0,"waitlisted":0,` +
		`"cancelled":0,"expired":0,"awaiting_approval":0,"rejected":0,"attended_by_day":{"2019-05-30":0,"2019-05-31":0},"attended":0},"by_country":[],"by_role":[],"by_delegation":[],"answers":[]}`
	if got := mustJSON(t, st); got != want {
		t.Errorf("stats = %s\nwant %s", got, want)
	}
}

func TestEventStatsIgnoreCheckinsOutsideTheEventDays(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "kadri@example.ee", country: "EE", role: "expert", confirmed: true})
	r.checkIn(reg, workshopDay2)
	// The event is shortened to its first day after the check-in.
	if _, err := r.st.UpdateEvent(r.ctx, r.org.ID, r.ev.Slug, func(ev *domain.Event) error {
		ev.EndsOn = workshopDay1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ev, err := r.st.ManagedEvent(r.ctx, r.org.ID, r.ev.Slug)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.st.EventStats(r.ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Days) != 1 || st.Total.AttendedByDay[workshopDay1] != 0 || len(st.Total.AttendedByDay) != 1 || st.Total.Attended != 0 {
		t.Errorf("stats = %s, want one day and no attendance", mustJSON(t, st))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package store_test

import (
	"testing"

	"github.com/attend/attend/store"
)

// The dashboard's list shows each registration's check-ins on the event's
// days, read for one page of registrations at a time.
func TestCheckinsOfAPageOfRegistrations(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	both := r.register(r.ev, attendeeSpec{first: "Rustam", last: "Kasimov", email: "r@example.uz", country: "UZ", role: "expert", confirmed: true})
	second := r.register(r.ev, attendeeSpec{first: "Kadri", last: "Tamm", email: "k@example.ee", country: "EE", role: "expert", confirmed: true})
	never := r.register(r.ev, attendeeSpec{first: "Nino", last: "Beridze", email: "n@example.ge", country: "GE", role: "expert", confirmed: true})
	notAsked := r.register(r.ev, attendeeSpec{first: "Armen", last: "Petrosyan", email: "a@example.am", country: "AM", role: "expert", confirmed: true})
	r.checkIn(both, workshopDay2) // out of order: the answer is by day
	r.checkIn(both, workshopDay1)
	r.checkIn(second, workshopDay2)
	r.checkIn(notAsked, workshopDay1)

	got, err := r.st.CheckinsOf(r.ctx, r.ev, []string{both.ID, second.ID, never.ID})
	if err != nil {
		t.Fatal(err)
	}
	days := func(cs []store.DayCheckin) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Day.String())
		}
		return out
	}
	if len(got) != 2 || len(got[never.ID]) != 0 || len(got[notAsked.ID]) != 0 {
		t.Errorf("check-ins of %d registrations, want of the two asked who came: %v", len(got), got)
	}
	if d := days(got[both.ID]); len(d) != 2 || d[0] != "2019-05-30" || d[1] != "2019-05-31" {
		t.Errorf("both days: %v", d)
	}
	if d := days(got[second.ID]); len(d) != 1 || d[0] != "2019-05-31" || got[second.ID][0].At.IsZero() {
		t.Errorf("second day: %v", got[second.ID])
	}
	if none, err := r.st.CheckinsOf(r.ctx, r.ev, nil); err != nil || len(none) != 0 {
		t.Errorf("no registrations: %v, %v", none, err)
	}
}

func TestErasedTellsAnErasedRegistration(t *testing.T) {
	t.Parallel()
	r := newAttendanceRig(t, 0)
	reg := r.register(r.ev, attendeeSpec{first: "Rustam", last: "Kasimov", email: "r@example.uz", country: "UZ", role: "expert", confirmed: true})
	if store.Erased(reg) {
		t.Fatal("a registration with its person is erased")
	}
	if err := r.st.EraseRegistration(r.ctx, r.org.ID, r.ev.Slug, reg.ID); err != nil {
		t.Fatal(err)
	}
	after, err := r.st.Registration(r.ctx, r.ev.ID, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !store.Erased(after) {
		t.Errorf("erased registration %+v is not Erased", after)
	}
}

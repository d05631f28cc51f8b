package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// papersWorkshop is the two-day workshop with people the papers must and
// must not show:
//
//	yusupova   UZ expert      confirmed  both days   checked in both days
//	abdullaev  UZ student     confirmed  day 2 only  checked in day 2
//	sadykova   KZ expert      confirmed  both days   checked in day 1
//	beridze    GE speaker     confirmed  day 1 only  never checked in
//	hakobyan   AM expert      pending    both days
//	kask       EE expert      confirmed, checked in day 1, then cancelled
//	tamm       EE researcher  confirmed, checked in both days, then erased
type papersWorkshop struct {
	*attendanceRig
	people map[string]*domain.Registration
}

func newPapersWorkshop(t *testing.T) *papersWorkshop {
	t.Helper()
	w := &papersWorkshop{attendanceRig: newAttendanceRig(t, 0), people: map[string]*domain.Registration{}}
	add := func(key, first, last, country, role string, confirmed bool, days ...domain.Date) *domain.Registration {
		consent := true
		in := domain.RegistrationInput{FirstName: first, LastName: last, Email: key + "@example.org",
			Country: country, Organization: "Ministry of " + key, Role: role, Consent: &consent}
		for _, d := range days {
			in.Days = append(in.Days, d.String())
		}
		reg, err := w.rules.NewRegistration(in, w.ev, w.now)
		if err != nil {
			t.Fatal(err)
		}
		// ImportRegistration confirms at once; Register leaves the person pending.
		register := w.st.Register
		if confirmed {
			register = w.st.ImportRegistration
		}
		res, err := register(w.ctx, w.ev, reg)
		if err != nil || !res.Created {
			t.Fatalf("register %s: %v", key, err)
		}
		w.people[key] = res.Registration
		return res.Registration
	}
	yusupova := add("yusupova", "Дилноза", "Юсупова", "UZ", "expert", true)
	abdullaev := add("abdullaev", "Gʻayrat", "Abdullaev", "UZ", "student", true, workshopDay2)
	sadykova := add("sadykova", "Айгерим", "садыкова", "KZ", "expert", true) // a surname typed in lower case
	add("beridze", "Nino", "Beridze", "GE", "speaker", true, workshopDay1)
	add("hakobyan", "Armen", "Hakobyan", "AM", "expert", false)
	kask := add("kask", "Kadri", "Kask", "EE", "expert", true)
	tamm := add("tamm", "Mart", "Tamm", "EE", "researcher", true)
	w.checkIn(yusupova, workshopDay1)
	w.checkIn(yusupova, workshopDay2)
	w.checkIn(abdullaev, workshopDay2)
	w.checkIn(sadykova, workshopDay1)
	w.checkIn(kask, workshopDay1)
	w.cancel(kask)
	w.checkIn(tamm, workshopDay1)
	w.checkIn(tamm, workshopDay2)
	if err := w.st.EraseRegistration(w.ctx, w.org.ID, w.ev.Slug, tamm.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// list collects the sequence, failing the test on its error.
func (w *papersWorkshop) list(f store.ParticipantFilter) []store.Participant {
	w.t.Helper()
	var out []store.Participant
	for p, err := range w.st.Participants(w.ctx, w.ev, f) {
		if err != nil {
			w.t.Fatalf("participants: %v", err)
		}
		out = append(out, p)
	}
	return out
}

func surnames(ps []store.Participant) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.LastName)
	}
	return strings.Join(s, ", ")
}

func TestParticipantsListTheConfirmedExpectedOnADayInTheOrderAsked(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	rank := []string{"UZ", "GE", "KZ"} // as a reader of some language sorts the names
	cases := []struct {
		name   string
		filter store.ParticipantFilter
		want   string
	}{
		{"the whole event by surname", store.ParticipantFilter{Order: store.BySurname},
			"Abdullaev, Beridze, садыкова, Юсупова"},
		{"the whole event by delegation in the rank given", store.ParticipantFilter{DelegationRank: rank},
			"Abdullaev, Юсупова, Beridze, садыкова"},
		{"delegations missing from the rank come last, by code", store.ParticipantFilter{DelegationRank: []string{"KZ"}},
			"садыкова, Beridze, Abdullaev, Юсупова"},
		{"no rank: by code", store.ParticipantFilter{},
			"Beridze, садыкова, Abdullaev, Юсупова"},
		{"day 1: not the one registered for day 2 only", store.ParticipantFilter{Day: workshopDay1, Order: store.BySurname},
			"Beridze, садыкова, Юсупова"},
		{"day 2: not the one registered for day 1 only", store.ParticipantFilter{Day: workshopDay2, Order: store.BySurname},
			"Abdullaev, садыкова, Юсупова"},
		{"a selection", store.ParticipantFilter{IDs: []string{w.people["beridze"].ID, w.people["yusupova"].ID,
			w.people["hakobyan"].ID}, Order: store.BySurname}, "Beridze, Юсупова"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := surnames(w.list(c.filter)); got != c.want {
				t.Errorf("got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestParticipantsCarryWhatThePapersShow(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	got := w.list(store.ParticipantFilter{IDs: []string{w.people["abdullaev"].ID}})
	if len(got) != 1 {
		t.Fatalf("%d participants, want 1", len(got))
	}
	reg := w.people["abdullaev"]
	want := store.Participant{ID: reg.ID, Status: domain.StatusConfirmed, FirstName: "Gʻayrat", LastName: "Abdullaev",
		Organization: "Ministry of abdullaev", Country: "UZ", Role: "student", Language: reg.Language,
		CheckinCode: reg.CheckinCode, Delegation: "UZ",
		Days: []domain.Date{workshopDay2}, Attended: []domain.Date{workshopDay2}}
	if fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", want) {
		t.Errorf("got  %+v\nwant %+v", got[0], want)
	}
}

// Certificates go by attendance: whoever was checked in, whatever their
// status now, but never an erased person.
func TestParticipantsWhoAttendedComeWithTheirDays(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	got := w.list(store.ParticipantFilter{Attended: true, Order: store.BySurname})
	var lines []string
	for _, p := range got {
		lines = append(lines, fmt.Sprintf("%s %s %v", p.LastName, p.Status, domain.DateStrings(p.Attended)))
	}
	want := []string{
		"Abdullaev confirmed [2019-05-31]",
		"Kask cancelled [2019-05-30]",
		"садыкова confirmed [2019-05-30]",
		"Юсупова confirmed [2019-05-30 2019-05-31]",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestParticipantsRefuseMalformedIDs(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	var errs []error
	for _, err := range w.st.Participants(w.ctx, w.ev, store.ParticipantFilter{IDs: []string{w.people["kask"].ID, "1; DROP"}}) {
		errs = append(errs, err)
	}
	if len(errs) != 1 {
		t.Fatalf("%d elements, want only the error", len(errs))
	}
	e := wantDomainError(t, errs[0], domain.EInvalid)
	if len(e.Fields) != 1 || e.Fields[0].Field != "ids[1]" || e.Fields[0].Code != "uuid" {
		t.Errorf("fields %+v, want ids[1] uuid", e.Fields)
	}
}

// Stopping after the first person gives the connection back: with a pool
// of one, the next query would otherwise wait for ever.
func TestParticipantsStoppedEarlyReleaseTheConnection(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	w.st.DB().SetMaxOpenConns(1)
	for i := range 3 {
		n := 0
		for _, err := range w.st.Participants(w.ctx, w.ev, store.ParticipantFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("round %d: %d people before the break", i, n)
		}
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	if _, err := w.st.EventStats(ctx, w.ev); err != nil {
		t.Fatalf("a query after three early stops: %v", err)
	}
}

func TestRegisteredByDayCountsRegistrationsInPlayPerChosenDay(t *testing.T) {
	t.Parallel()
	w := newPapersWorkshop(t)
	got, err := w.st.EventRegisteredByDay(w.ctx, w.ev)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d1, d2 int) map[domain.Date]int { return map[domain.Date]int{workshopDay1: d1, workshopDay2: d2} }
	// In play: yusupova (both), abdullaev (2), sadykova (both), beridze (1),
	// hakobyan (pending, both). Not kask (cancelled) nor tamm (erased,
	// so cancelled).
	want := &store.RegisteredByDay{
		Total:     day(4, 4),
		ByCountry: map[string]map[domain.Date]int{"UZ": day(1, 2), "KZ": day(1, 1), "GE": day(1, 0), "AM": day(1, 1)},
		ByRole:    map[string]map[domain.Date]int{"expert": day(3, 3), "student": day(0, 1), "speaker": day(1, 0)},
	}
	want.ByDelegation = want.ByCountry // everyone represents their country
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

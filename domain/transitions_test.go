package domain

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var concreteActors = []Actor{ByParticipant, ByOrganizer, BySystem}

func TestTransitionTableIsConsistent(t *testing.T) {
	t.Run("rows name known statuses", func(t *testing.T) {
		for _, row := range transitions {
			if row.Planned {
				continue
			}
			if row.From != StatusNone && !ValidStatus(string(row.From)) {
				t.Errorf("%+v starts from an unknown status", row)
			}
			if !ValidStatus(string(row.To)) {
				t.Errorf("%+v ends in an unknown status", row)
			}
		}
	})
	t.Run("a row that takes a seat needs a free one, and one for a full event takes none", func(t *testing.T) {
		for _, row := range transitions {
			if row.TakesSeat() && row.Seats != SeatFree {
				t.Errorf("%+v takes a seat without needing a free one", row)
			}
			if row.Seats == NoSeatFree && row.TakesSeat() {
				t.Errorf("%+v takes a seat of a full event", row)
			}
		}
	})
	t.Run("at most one row applies to any action, actor, seats and address", func(t *testing.T) {
		for _, by := range concreteActors {
			seen := map[Transition]Transition{}
			for _, row := range transitions {
				if row.Planned || (row.By != by && row.By != ByAnyone) {
					continue
				}
				for _, seats := range []Seats{SeatFree, NoSeatFree} {
					for _, address := range []Address{AddressVerified, AddressUnverified} {
						if (row.Seats != AnySeats && row.Seats != seats) || (row.Address != AnyAddress && row.Address != address) {
							continue
						}
						key := Transition{From: row.From, Action: row.Action, By: by, Seats: seats, Address: address}
						if other, ok := seen[key]; ok {
							t.Errorf("%+v and %+v both apply to %+v", other, row, key)
						}
						seen[key] = row
					}
				}
			}
		}
	})
	t.Run("an approval confirms only an address already confirmed", func(t *testing.T) {
		for _, from := range []Status{StatusAwaitingApproval, StatusRejected} {
			for verified, want := range map[bool]Status{true: StatusConfirmed, false: StatusPending} {
				got, err := Next(&Registration{Status: from, AddressVerified: verified}, Approve, ByOrganizer, roomyEvent())
				if err != nil || got.To != want || got.VerifiesAddress() && !verified {
					t.Errorf("approve %s (address confirmed %v): %+v, %v; want %s", from, verified, got, err, want)
				}
			}
		}
	})
	t.Run("a registration request has an answer in every status, for participants and organizers", func(t *testing.T) {
		for _, by := range []Actor{ByParticipant, ByOrganizer} {
			for _, from := range append([]Status{StatusNone}, Statuses...) {
				for _, ev := range []*Event{roomyEvent(), fullEvent()} {
					if _, err := Next(&Registration{Status: from}, Register, by, ev); err != nil {
						t.Errorf("register by %s from %q (seat free %v): %v", by, from, ev.SeatFree(), err)
					}
					if _, err := Next(&Registration{Status: from}, Apply, ByParticipant, ev); by == ByParticipant && err != nil {
						t.Errorf("apply from %q (seat free %v): %v", from, ev.SeatFree(), err)
					}
				}
			}
		}
	})
	t.Run("an application never takes a seat, and nothing leaves rejected but an organizer's approval", func(t *testing.T) {
		for _, row := range transitions {
			if row.Action == Apply && row.TakesSeat() {
				t.Errorf("%+v takes a seat", row)
			}
			if row.From == StatusRejected && row.To != StatusRejected && (row.Action != Approve || row.By != ByOrganizer) {
				t.Errorf("%+v leaves rejected", row)
			}
		}
	})
}

func TestPlanRegisterIsTheTable(t *testing.T) {
	for _, c := range []struct {
		by       Actor
		approval bool
		act      Action
	}{{ByParticipant, false, Register}, {ByOrganizer, false, Register}, {ByParticipant, true, Apply}, {ByOrganizer, true, Register}} {
		t.Run(fmt.Sprintf("for the %s, approval %v", c.by, c.approval), func(t *testing.T) {
			by := c.by
			p := PlanRequest(&Event{RequiresApproval: c.approval}, by)
			if !slices.Equal(p.Afresh, []Status{StatusCancelled, StatusExpired}) {
				t.Errorf("afresh from %v, want cancelled and expired", p.Afresh)
			}
			for _, from := range append([]Status{StatusNone}, Statuses...) {
				for _, ev := range []*Event{roomyEvent(), fullEvent()} {
					ev.RequiresApproval = c.approval
					got, err := Next(&Registration{Status: from}, c.act, by, ev)
					if err != nil {
						t.Fatal(err)
					}
					want := p.SeatFree
					if !ev.SeatFree() {
						want = p.Full
					}
					switch {
					case from == StatusNone || slices.Contains(p.Afresh, from):
						if got.To != want.To || got.Email != want.Email {
							t.Errorf("from %q (seat free %v): %s with %q, but the plan says %s with %q",
								from, ev.SeatFree(), got.To, got.Email, want.To, want.Email)
						}
					case got.To != from || got.Email != p.Repeat:
						t.Errorf("from %q: %s with %q, want the status kept and the plan's %q", from, got.To, got.Email, p.Repeat)
					}
					if answer := p.Answer(ev); answer != want.To {
						t.Errorf("answer %s, want %s", answer, want.To)
					}
				}
			}
		})
	}
}

func TestNext(t *testing.T) {
	tests := []struct {
		name      string
		from      Status
		act       Action
		by        Actor
		full      bool
		to        Status
		email     EmailKind
		wantError Code
	}{
		{"a participant registering gets a seat and a confirmation request", StatusNone, Register, ByParticipant, false, StatusPending, EmailConfirmRequest, ""},
		{"a participant registering for a full event waits", StatusNone, Register, ByParticipant, true, StatusWaitlisted, EmailWaitlisted, ""},
		{"an organizer's walk-in is confirmed", StatusNone, Register, ByOrganizer, false, StatusConfirmed, EmailConfirmed, ""},
		{"a cancelled registration registered again starts afresh", StatusCancelled, Register, ByParticipant, false, StatusPending, EmailConfirmRequest, ""},
		{"a repeated address keeps its status and gets its links", StatusConfirmed, Register, ByParticipant, true, StatusConfirmed, EmailAlreadyRegistered, ""},
		{"confirming a pending registration", StatusPending, Confirm, ByParticipant, false, StatusConfirmed, EmailConfirmed, ""},
		{"confirming twice changes nothing", StatusConfirmed, Confirm, ByParticipant, false, StatusConfirmed, "", ""},
		{"confirming while waitlisted keeps the place", StatusWaitlisted, Confirm, ByParticipant, false, StatusWaitlisted, "", ""},
		{"a cancelled registration cannot be confirmed", StatusCancelled, Confirm, ByParticipant, false, "", "", EConflict},
		{"an expired registration cannot be confirmed", StatusExpired, Confirm, ByParticipant, false, "", "", EGone},
		{"an organizer cancels with an email", StatusConfirmed, Cancel, ByOrganizer, false, StatusCancelled, EmailCancelled, ""},
		{"erasure cancels without an email", StatusWaitlisted, Cancel, BySystem, false, StatusCancelled, "", ""},
		{"cancelling an expired registration changes nothing", StatusExpired, Cancel, ByParticipant, false, StatusExpired, "", ""},
		{"a pending registration expires", StatusPending, Expire, BySystem, false, StatusExpired, "", ""},
		{"a confirmed registration does not expire", StatusConfirmed, Expire, BySystem, false, "", "", EConflict},
		{"the waiting list promotes into a free seat", StatusWaitlisted, Promote, BySystem, false, StatusConfirmed, EmailPromoted, ""},
		{"an organizer cannot promote into a full event", StatusWaitlisted, Promote, ByOrganizer, true, "", "", EConflict},
		{"a participant cannot promote themselves", StatusWaitlisted, Promote, ByParticipant, false, "", "", EConflict},
		{"a participant cannot cancel by the system's rules", StatusPending, Expire, ByParticipant, false, "", "", EConflict},
		{"check-in confirms a pending registration without an email", StatusPending, CheckIn, ByOrganizer, false, StatusConfirmed, "", ""},
		{"a waitlisted registration cannot be checked in", StatusWaitlisted, CheckIn, ByOrganizer, false, "", "", EInvalid},
		{"an application to an approval event waits, holding no seat", StatusNone, Apply, ByParticipant, false, StatusAwaitingApproval, EmailUnderReview, ""},
		{"an application to a full approval event waits too", StatusNone, Apply, ByParticipant, true, StatusAwaitingApproval, EmailUnderReview, ""},
		{"a rejected applicant applying again stays rejected", StatusRejected, Apply, ByParticipant, false, StatusRejected, EmailAlreadyRegistered, ""},
		{"a rejected participant registering again stays rejected", StatusRejected, Register, ByParticipant, false, StatusRejected, EmailAlreadyRegistered, ""},
		{"approval with a seat free holds it until the address is confirmed", StatusAwaitingApproval, Approve, ByOrganizer, false, StatusPending, EmailApprovedConfirm, ""},
		{"approval when full waitlists", StatusAwaitingApproval, Approve, ByOrganizer, true, StatusWaitlisted, EmailApprovedWaitlisted, ""},
		{"an organizer may reconsider a rejection", StatusRejected, Approve, ByOrganizer, false, StatusPending, EmailApprovedConfirm, ""},
		{"rejection sends a courteous email", StatusAwaitingApproval, Reject, ByOrganizer, false, StatusRejected, EmailRejected, ""},
		{"rejecting twice changes nothing", StatusRejected, Reject, ByOrganizer, false, StatusRejected, "", ""},
		{"a confirmed registration cannot be rejected", StatusConfirmed, Reject, ByOrganizer, false, "", "", EConflict},
		{"a pending registration cannot be approved", StatusPending, Approve, ByOrganizer, false, "", "", EConflict},
		{"a participant cannot approve themselves", StatusAwaitingApproval, Approve, ByParticipant, false, "", "", EConflict},
		{"an applicant may withdraw", StatusAwaitingApproval, Cancel, ByParticipant, false, StatusCancelled, EmailCancelled, ""},
		{"an application does not expire", StatusAwaitingApproval, Expire, BySystem, false, "", "", EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := roomyEvent()
			if tt.full {
				ev = fullEvent()
			}
			got, err := Next(&Registration{Status: tt.from}, tt.act, tt.by, ev)
			if code := ErrorCode(err); code != tt.wantError {
				t.Fatalf("error %v (code %q), want code %q", err, code, tt.wantError)
			}
			if err == nil && (got.To != tt.to || got.Email != tt.email) {
				t.Errorf("→ %s with email %q, want %s with %q", got.To, got.Email, tt.to, tt.email)
			}
		})
	}
}

// TestReadmeDiagramIsTheTransitionTable checks that the README's state
// diagram has exactly one arrow per change of status in the table, labelled
// with the rows behind it.
func TestReadmeDiagramIsTheTransitionTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatalf("README.md must hold the state diagram, but it cannot be read: %v", err)
	}
	_, after, _ := strings.Cut(string(b), "## Registration statuses")
	_, diagram, ok := strings.Cut(after, "```mermaid\n")
	diagram, _, _ = strings.Cut(diagram, "```")
	if !ok {
		t.Fatal("README.md has no mermaid diagram under Registration statuses")
	}
	arrow := regexp.MustCompile(`^\s*(\S+) --> (\S+): (.+?)\s*$`)
	var got []string
	for _, line := range strings.Split(diagram, "\n") {
		if m := arrow.FindStringSubmatch(line); m != nil {
			got = append(got, m[1]+" --> "+m[2]+": "+m[3])
		}
	}
	want := diagramArrows()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("README diagram arrows:\n%s\nwant, from the table:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// diagramArrows draws the table's changes of status as mermaid arrows, one
// per pair of statuses, labelled "action (actors, seats)" per kind of row.
func diagramArrows() []string {
	type edge struct{ from, to Status }
	type kind struct {
		act     Action
		seats   Seats
		address Address
	}
	var edges []edge
	kinds := map[edge][]kind{}
	actors := map[edge]map[kind][]string{}
	for _, row := range transitions {
		if row.Planned || row.From == row.To {
			continue
		}
		e, k := edge{row.From, row.To}, kind{row.Action, row.Seats, row.Address}
		if actors[e] == nil {
			edges = append(edges, e)
			actors[e] = map[kind][]string{}
		}
		if actors[e][k] == nil {
			kinds[e] = append(kinds[e], k)
		}
		actors[e][k] = append(actors[e][k], string(row.By))
	}
	out := make([]string, 0, len(edges))
	for _, e := range edges {
		var labels []string
		for _, k := range kinds[e] {
			detail := actors[e][k]
			if k.seats != AnySeats {
				detail = append(detail, string(k.seats))
			}
			if k.address != AnyAddress {
				detail = append(detail, string(k.address))
			}
			labels = append(labels, strings.ReplaceAll(string(k.act), "_", " ")+" ("+strings.Join(detail, ", ")+")")
		}
		from := string(e.from)
		if e.from == StatusNone {
			from = "[*]"
		}
		out = append(out, from+" --> "+string(e.to)+": "+strings.Join(labels, "; "))
	}
	return out
}

func roomyEvent() *Event {
	capacity := 2
	return &Event{Capacity: &capacity, SeatsHeld: 1}
}

func fullEvent() *Event {
	capacity := 2
	return &Event{Capacity: &capacity, SeatsHeld: 2}
}

func TestOffersWhatChangesSomethingWhateverTheSeats(t *testing.T) {
	tests := []struct {
		from Status
		act  Action
		want bool
	}{
		{StatusPending, Cancel, true},
		{StatusWaitlisted, Cancel, true},
		{StatusConfirmed, Cancel, true},
		{StatusCancelled, Cancel, false}, // allowed, but changes nothing
		{StatusExpired, Cancel, false},
		{StatusWaitlisted, Promote, true}, // even when the event is full: the answer then says why not
		{StatusPending, Promote, false},
		{StatusConfirmed, Promote, false},
		{StatusAwaitingApproval, Approve, true},
		{StatusAwaitingApproval, Reject, true},
		{StatusRejected, Reject, false},
		{StatusConfirmed, Approve, false},
	}
	for _, tt := range tests {
		if got := Offers(tt.from, tt.act, ByOrganizer); got != tt.want {
			t.Errorf("Offers(%s, %s) = %v, want %v", tt.from, tt.act, got, tt.want)
		}
	}
}

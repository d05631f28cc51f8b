package domain

import (
	"fmt"
	"strings"
)

// The registration state machine. Every change of a registration's status
// is a row of one table (transitions, below): where it starts, what
// happens, who acts, what it needs of the event's seats, where it ends and
// the email it causes. The store applies a row under the row locks that
// make it hold under concurrency; it decides nothing about statuses itself.
// The README's diagram is this table drawn out, and a test keeps the two
// equal.

// Action is something that happens to a registration.
type Action string

const (
	Register Action = "register" // a registration request: new, again after a cancellation or expiry, or repeated
	Confirm  Action = "confirm"  // the participant follows the emailed link and confirms
	Cancel   Action = "cancel"
	Expire   Action = "expire"   // not confirmed within the event's confirm_within_hours
	Promote  Action = "promote"  // off the waiting list
	CheckIn  Action = "check_in" // at the door
	// Apply is a participant's registration request for an event that
	// asks for approval: it waits for an organizer instead of taking a seat.
	Apply   Action = "apply"
	Approve Action = "approve" // an organizer accepts an application
	Reject  Action = "reject"  // an organizer turns an application down
)

// Actor is who acts.
type Actor string

const (
	ByParticipant Actor = "participant" // the public form, or the emailed link
	ByOrganizer   Actor = "organizer"   // the dashboard, the API with a token, the desk at the door
	BySystem      Actor = "system"      // the waiting list, periodic jobs, erasure
	// ByAnyone marks a row that holds whoever acts. Next is never asked
	// for it.
	ByAnyone Actor = "anyone"
)

// Seats is what a transition needs of the event's seats.
type Seats string

const (
	AnySeats   Seats = ""
	SeatFree   Seats = "seat free"  // the event has no capacity, or a seat left
	NoSeatFree Seats = "event full" // every seat is held
)

// Address is what a transition needs of the participant's address.
type Address string

const (
	AnyAddress        Address = ""
	AddressVerified   Address = "address confirmed"     // they followed an emailed link
	AddressUnverified Address = "address not confirmed" // they have not yet
)

// StatusNone is the status of a registration that does not exist yet: the
// start of the diagram.
const StatusNone Status = ""

// Transition is one row of the state machine.
type Transition struct {
	From   Status
	Action Action
	By     Actor
	Seats  Seats
	// Address is what the row needs of the address: approval seats an
	// applicant who confirmed it, and holds the seat of one who has not
	// (pending, as a new registration), until they do.
	Address Address
	To      Status
	Email   EmailKind // the email the transition causes; "" for none
	// Planned rows sketch a transition that is not available yet.
	Planned bool
}

// transitions is the state machine. Rows whose To is their From change
// nothing but may send an email (a repeated registration) or verify the
// address (a waitlisted participant who confirms: the waiting list then
// promotes whom it can). A transition into a status that holds a seat,
// from one that does not, needs a free seat (a test checks every row).
var transitions = []Transition{
	// Registering: a new address, or one whose registration was cancelled
	// or expired, starts afresh; one whose registration lives on gets its
	// links again, at most MaxEmailsPerAddressHour an hour.
	{From: StatusNone, Action: Register, By: ByParticipant, Seats: SeatFree, To: StatusPending, Email: EmailConfirmRequest},
	{From: StatusNone, Action: Register, By: ByOrganizer, Seats: SeatFree, To: StatusConfirmed, Email: EmailConfirmed},
	{From: StatusNone, Action: Register, By: ByAnyone, Seats: NoSeatFree, To: StatusWaitlisted, Email: EmailWaitlisted},
	{From: StatusCancelled, Action: Register, By: ByParticipant, Seats: SeatFree, To: StatusPending, Email: EmailConfirmRequest},
	{From: StatusCancelled, Action: Register, By: ByOrganizer, Seats: SeatFree, To: StatusConfirmed, Email: EmailConfirmed},
	{From: StatusCancelled, Action: Register, By: ByAnyone, Seats: NoSeatFree, To: StatusWaitlisted, Email: EmailWaitlisted},
	{From: StatusExpired, Action: Register, By: ByParticipant, Seats: SeatFree, To: StatusPending, Email: EmailConfirmRequest},
	{From: StatusExpired, Action: Register, By: ByOrganizer, Seats: SeatFree, To: StatusConfirmed, Email: EmailConfirmed},
	{From: StatusExpired, Action: Register, By: ByAnyone, Seats: NoSeatFree, To: StatusWaitlisted, Email: EmailWaitlisted},
	{From: StatusPending, Action: Register, By: ByAnyone, To: StatusPending, Email: EmailAlreadyRegistered},
	{From: StatusConfirmed, Action: Register, By: ByAnyone, To: StatusConfirmed, Email: EmailAlreadyRegistered},
	{From: StatusWaitlisted, Action: Register, By: ByAnyone, To: StatusWaitlisted, Email: EmailAlreadyRegistered},
	{From: StatusAwaitingApproval, Action: Register, By: ByAnyone, To: StatusAwaitingApproval, Email: EmailAlreadyRegistered},
	{From: StatusRejected, Action: Register, By: ByAnyone, To: StatusRejected, Email: EmailAlreadyRegistered},

	// Applying (registering for an event that asks for approval) waits for
	// an organizer's decision, holding no seat, whatever the seats. A
	// rejected application lives on: applying again does not bypass it.
	{From: StatusNone, Action: Apply, By: ByParticipant, To: StatusAwaitingApproval, Email: EmailUnderReview},
	{From: StatusCancelled, Action: Apply, By: ByParticipant, To: StatusAwaitingApproval, Email: EmailUnderReview},
	{From: StatusExpired, Action: Apply, By: ByParticipant, To: StatusAwaitingApproval, Email: EmailUnderReview},
	{From: StatusPending, Action: Apply, By: ByParticipant, To: StatusPending, Email: EmailAlreadyRegistered},
	{From: StatusConfirmed, Action: Apply, By: ByParticipant, To: StatusConfirmed, Email: EmailAlreadyRegistered},
	{From: StatusWaitlisted, Action: Apply, By: ByParticipant, To: StatusWaitlisted, Email: EmailAlreadyRegistered},
	{From: StatusAwaitingApproval, Action: Apply, By: ByParticipant, To: StatusAwaitingApproval, Email: EmailAlreadyRegistered},
	{From: StatusRejected, Action: Apply, By: ByParticipant, To: StatusRejected, Email: EmailAlreadyRegistered},

	// Confirming by the emailed link verifies the address; confirming twice is fine.
	{From: StatusPending, Action: Confirm, By: ByParticipant, To: StatusConfirmed, Email: EmailConfirmed},
	{From: StatusConfirmed, Action: Confirm, By: ByParticipant, To: StatusConfirmed},
	{From: StatusWaitlisted, Action: Confirm, By: ByParticipant, To: StatusWaitlisted},
	{From: StatusAwaitingApproval, Action: Confirm, By: ByParticipant, To: StatusAwaitingApproval},

	// Cancelling frees the seat; cancelling twice is fine. The system
	// cancels when it erases someone before the event, and tells nobody.
	{From: StatusPending, Action: Cancel, By: ByParticipant, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusPending, Action: Cancel, By: ByOrganizer, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusPending, Action: Cancel, By: BySystem, To: StatusCancelled},
	{From: StatusConfirmed, Action: Cancel, By: ByParticipant, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusConfirmed, Action: Cancel, By: ByOrganizer, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusConfirmed, Action: Cancel, By: BySystem, To: StatusCancelled},
	{From: StatusWaitlisted, Action: Cancel, By: ByParticipant, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusWaitlisted, Action: Cancel, By: ByOrganizer, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusWaitlisted, Action: Cancel, By: BySystem, To: StatusCancelled},
	{From: StatusAwaitingApproval, Action: Cancel, By: ByParticipant, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusAwaitingApproval, Action: Cancel, By: ByOrganizer, To: StatusCancelled, Email: EmailCancelled},
	{From: StatusAwaitingApproval, Action: Cancel, By: BySystem, To: StatusCancelled},
	{From: StatusCancelled, Action: Cancel, By: ByAnyone, To: StatusCancelled},
	{From: StatusExpired, Action: Cancel, By: ByAnyone, To: StatusExpired},
	{From: StatusRejected, Action: Cancel, By: ByAnyone, To: StatusRejected},

	{From: StatusPending, Action: Expire, By: BySystem, To: StatusExpired},

	// The waiting list promotes the earliest registration with a verified
	// address when a seat frees up; an organizer may promote anyone on it.
	{From: StatusWaitlisted, Action: Promote, By: BySystem, Seats: SeatFree, To: StatusConfirmed, Email: EmailPromoted},
	{From: StatusWaitlisted, Action: Promote, By: ByOrganizer, Seats: SeatFree, To: StatusConfirmed, Email: EmailPromoted},

	// At the door a pending registration is confirmed without an email:
	// the person is there, with their badge.
	{From: StatusPending, Action: CheckIn, By: ByOrganizer, To: StatusConfirmed},
	{From: StatusConfirmed, Action: CheckIn, By: ByOrganizer, To: StatusConfirmed},

	// Approval: an organizer's decision on an application, one by one or
	// in bulk. Approving takes a seat, or the waiting list when every seat
	// is held; an organizer may reconsider a rejection the same way. The
	// seat of an applicant who has not confirmed the address is pending,
	// as a new registration's is: the approval email asks to confirm it,
	// within the event's confirmation period. Rejecting frees nothing (an
	// application holds no seat).
	{From: StatusAwaitingApproval, Action: Approve, By: ByOrganizer, Seats: SeatFree, Address: AddressVerified, To: StatusConfirmed, Email: EmailApproved},
	{From: StatusAwaitingApproval, Action: Approve, By: ByOrganizer, Seats: SeatFree, Address: AddressUnverified, To: StatusPending, Email: EmailApprovedConfirm},
	{From: StatusAwaitingApproval, Action: Approve, By: ByOrganizer, Seats: NoSeatFree, To: StatusWaitlisted, Email: EmailApprovedWaitlisted},
	{From: StatusRejected, Action: Approve, By: ByOrganizer, Seats: SeatFree, Address: AddressVerified, To: StatusConfirmed, Email: EmailApproved},
	{From: StatusRejected, Action: Approve, By: ByOrganizer, Seats: SeatFree, Address: AddressUnverified, To: StatusPending, Email: EmailApprovedConfirm},
	{From: StatusRejected, Action: Approve, By: ByOrganizer, Seats: NoSeatFree, To: StatusWaitlisted, Email: EmailApprovedWaitlisted},
	{From: StatusAwaitingApproval, Action: Reject, By: ByOrganizer, To: StatusRejected, Email: EmailRejected},
	{From: StatusRejected, Action: Reject, By: ByOrganizer, To: StatusRejected},
}

// TakesSeat reports whether the transition makes the registration count
// against capacity.
func (t Transition) TakesSeat() bool { return !t.From.HoldsSeat() && t.To.HoldsSeat() }

// FreesSeat reports whether the transition gives the registration's seat back.
func (t Transition) FreesSeat() bool { return t.From.HoldsSeat() && !t.To.HoldsSeat() }

// Confirms reports whether the registration becomes confirmed.
func (t Transition) Confirms() bool { return t.To == StatusConfirmed && t.From != StatusConfirmed }

// Cancels reports whether the registration becomes cancelled.
func (t Transition) Cancels() bool { return t.To == StatusCancelled && t.From != StatusCancelled }

// VerifiesAddress reports whether the transition shows that the address is
// the participant's: they followed the emailed link, or were confirmed.
func (t Transition) VerifiesAddress() bool { return t.Action == Confirm || t.To == StatusConfirmed }

// Changes reports whether the transition changes the registration: its
// status, or whether its address is verified (a confirmed registration's
// always is). Rows that change nothing make repeated requests harmless.
func (t Transition) Changes() bool {
	return t.From != t.To || (t.VerifiesAddress() && t.To != StatusConfirmed)
}

// Offers reports whether by may take act on a registration in status from,
// whatever the seats, and it would change something: what a page offers.
func Offers(from Status, act Action, by Actor) bool {
	for _, t := range transitions {
		if t.matches(from, act, by) && t.Changes() {
			return true
		}
	}
	return false
}

// FillsWaitingList reports whether the waiting list may promote someone
// after the transition: a seat was freed, or a waitlisted address verified.
func (t Transition) FillsWaitingList() bool {
	return t.FreesSeat() || (t.VerifiesAddress() && t.To == StatusWaitlisted)
}

// matches reports whether the row applies to action by by from status.
func (t Transition) matches(from Status, act Action, by Actor) bool {
	return !t.Planned && t.From == from && t.Action == act && (t.By == by || t.By == ByAnyone)
}

// Next is the transition that action by by makes from reg's status, given
// ev's seats (ev must be locked, so that SeatsHeld is current), or the
// domain error that refuses it.
func Next(reg *Registration, act Action, by Actor, ev *Event) (Transition, error) {
	free := ev.SeatFree()
	needsSeat := false
	for _, t := range transitions {
		if !t.matches(reg.Status, act, by) {
			continue
		}
		if (t.Seats == SeatFree && !free) || (t.Seats == NoSeatFree && free) {
			needsSeat = true
			continue
		}
		if (t.Address == AddressVerified && !reg.AddressVerified) || (t.Address == AddressUnverified && reg.AddressVerified) {
			continue
		}
		return t, nil
	}
	return Transition{}, refusal(reg, act, ev, needsSeat)
}

// refusal explains why no row of the table lets act happen to reg.
func refusal(reg *Registration, act Action, ev *Event, needsSeat bool) *Error {
	switch {
	case needsSeat:
		return &Error{Code: EConflict,
			Message: fmt.Sprintf("all %d seats are held; raise the capacity or cancel a registration first", *ev.Capacity),
			Extra:   map[string]any{"seats_held": ev.SeatsHeld, "capacity": *ev.Capacity}}
	case act == Confirm && reg.Status == StatusCancelled:
		return Errorf(EConflict, "this registration was cancelled and cannot be confirmed; please register again")
	case act == Confirm && reg.Status == StatusExpired:
		return Errorf(EGone, "this registration expired because it was not confirmed in time; please register again")
	case act == Promote:
		return Errorf(EConflict, "only a waitlisted registration can be promoted; this one is %s", reg.Status)
	case act == Approve || act == Reject:
		return &Error{Code: EConflict,
			Message: fmt.Sprintf("only a registration awaiting approval (or rejected, to approve) can be %sed; this one is %s",
				strings.TrimSuffix(string(act), "e"), reg.Status),
			Extra: map[string]any{"registration_id": reg.ID, "registration_status": reg.Status}}
	case act == CheckIn:
		return &Error{Code: EInvalid,
			Message: fmt.Sprintf("%s %s is %s and cannot be checked in; an organizer can register or promote them first",
				reg.FirstName, reg.LastName, reg.Status),
			Extra: map[string]any{"registration_id": reg.ID, "registration_status": reg.Status}}
	}
	return Errorf(EConflict, "a %s registration cannot take the action %s", reg.Status, act)
}

// NextCheckIn is Next for a check-in at the door, with a refusal reported
// on the input field that named the registration (code "status"), so the
// desk can send the person to an organizer.
func NextCheckIn(reg *Registration, ev *Event, field string) (Transition, error) {
	t, err := Next(reg, CheckIn, ByOrganizer, ev)
	if e, ok := AsError(err); ok && e.Code == EInvalid {
		e.Fields = []FieldError{{Field: field, Code: "status", Param: string(reg.Status),
			Message: fmt.Sprintf("This registration is %s, so it cannot be checked in.", reg.Status)}}
	}
	return t, err
}

// RegisterPlan is the table's registration rows for one actor, in the form
// the store applies in one statement: that statement learns whether the
// address is new and whether a seat is free only as it runs, under the
// event's row lock, so it is given every outcome.
type RegisterPlan struct {
	// SeatFree and Full are the transitions of an address that registers
	// afresh, when a seat is free and when the event is full.
	SeatFree, Full Transition
	// Afresh lists the statuses, besides StatusNone, whose registration a
	// new request starts afresh; the same two rows apply to them.
	Afresh []Status
	// Repeat is the email to an address whose registration lives on.
	Repeat EmailKind
}

// PlanRegister gathers the registration rows for by.
func PlanRegister(by Actor) RegisterPlan { return planRequest(Register, by) }

// PlanRequest gathers the rows of a registration request by by for ev:
// a participant applies to an event that asks for approval, and registers
// otherwise; an organizer always registers.
func PlanRequest(ev *Event, by Actor) RegisterPlan {
	if ev.RequiresApproval && by == ByParticipant {
		return planRequest(Apply, by)
	}
	return planRequest(Register, by)
}

// planRequest gathers the rows of act (Register or Apply) for by. A row
// that needs no particular seats is both outcomes.
func planRequest(act Action, by Actor) RegisterPlan {
	var p RegisterPlan
	for _, t := range transitions {
		if t.Planned || t.Action != act || (t.By != by && t.By != ByAnyone) {
			continue
		}
		switch {
		case t.From == StatusNone:
			if t.Seats != NoSeatFree {
				p.SeatFree = t
			}
			if t.Seats != SeatFree {
				p.Full = t
			}
		case t.From == t.To:
			p.Repeat = t.Email
		case t.Seats != NoSeatFree:
			p.Afresh = append(p.Afresh, t.From)
		}
	}
	return p
}

// Answer is the status a registration request by by for ev is told: the
// status a new registration would get now. A repeated address is told the
// same, so the answer reveals nothing about who registered.
func (p RegisterPlan) Answer(ev *Event) Status {
	if ev.SeatFree() {
		return p.SeatFree.To
	}
	return p.Full.To
}

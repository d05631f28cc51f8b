package domain

import "fmt"

// Seat and attendance rules. The store applies them under the row locks
// that make them hold under concurrency; the rules themselves live here.

// CheckCapacity refuses a capacity below the seats already held.
func (e *Event) CheckCapacity() error {
	if e.Capacity != nil && *e.Capacity < e.SeatsHeld {
		return &Error{Code: EConflict,
			Message: fmt.Sprintf("capacity cannot be lower than the %d seats already held", e.SeatsHeld),
			Extra:   map[string]any{"seats_held": e.SeatsHeld}}
	}
	return nil
}

// CanPromote says whether an organizer may move reg from the waiting list
// of e by hand: only a waitlisted registration, and never beyond capacity.
func (e *Event) CanPromote(reg *Registration) error {
	if reg.Status != StatusWaitlisted {
		return Errorf(EConflict, "only a waitlisted registration can be promoted; this one is %s", reg.Status)
	}
	if e.Capacity != nil && e.SeatsHeld >= *e.Capacity {
		return &Error{Code: EConflict,
			Message: fmt.Sprintf("all %d seats are held; raise the capacity or cancel a registration first", *e.Capacity),
			Extra:   map[string]any{"seats_held": e.SeatsHeld, "capacity": *e.Capacity}}
	}
	return nil
}

// CheckInAllowed decides whether reg may be checked in at the door. A
// confirmed registration may; a pending one may and becomes confirmed (the
// person at the door settles what the unconfirmed email was for: confirm
// reports that). Waitlisted, cancelled and expired registrations are refused
// on the input field that named them, so the desk can send them on.
func CheckInAllowed(reg *Registration, field string) (confirm bool, err error) {
	switch reg.Status {
	case StatusConfirmed:
		return false, nil
	case StatusPending:
		return true, nil
	}
	return false, &Error{Code: EInvalid,
		Message: fmt.Sprintf("%s %s is %s and cannot be checked in; an organizer can register or promote them first",
			reg.FirstName, reg.LastName, reg.Status),
		Fields: []FieldError{{Field: field, Code: "status", Param: string(reg.Status),
			Message: fmt.Sprintf("This registration is %s, so it cannot be checked in.", reg.Status)}},
		Extra: map[string]any{"registration_id": reg.ID, "registration_status": reg.Status}}
}

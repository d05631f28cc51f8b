package domain

import "fmt"

// Seat rules. The store applies them under the row locks that make them
// hold under concurrency; the rules themselves live here (and, for the
// changes of a registration's status, in transitions.go).

// CheckCapacity refuses a capacity below the seats already held.
func (e *Event) CheckCapacity() error {
	if e.Capacity != nil && *e.Capacity < e.SeatsHeld {
		return &Error{Code: EConflict,
			Message: fmt.Sprintf("capacity cannot be lower than the %d seats already held", e.SeatsHeld),
			Extra:   map[string]any{"seats_held": e.SeatsHeld}}
	}
	return nil
}

// SeatFree reports whether a registration could take a seat of e: e has no
// capacity, or a seat left. The answer is final only while e's row is
// locked.
func (e *Event) SeatFree() bool {
	left := e.SeatsLeft()
	return left == nil || *left > 0
}

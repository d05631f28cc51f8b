package domain

import (
	"strconv"
	"strings"
)

// InviteeQuery is a view of an event's invitations: a state and a
// delegation ("" for all), and a page of at most Limit after the
// invitation After, or before the invitation Before (the dashboard's
// "previous"); invitations come oldest first.
type InviteeQuery struct {
	State      string
	Delegation string
	After      int64
	Before     int64
	Limit      int
}

// ParseInviteeQuery reads a list of invitations' query, get giving each
// parameter by its name ("" when absent): state, delegation, cursor (the
// API's name of after), after, before and limit, as the registrations'
// list takes them; every bad one is named at once.
func ParseInviteeQuery(get func(name string) string) (InviteeQuery, error) {
	q := InviteeQuery{State: strings.TrimSpace(get("state")),
		Delegation: strings.ToUpper(strings.TrimSpace(get("delegation"))), Limit: DefaultPageSize}
	fields := pageLimit(get("limit"), &q.Limit, nil)
	if q.State != "" && !ValidInviteeState(q.State) {
		fields = append(fields, NewFieldError("state", "oneof", oneOf(InviteeStates)))
	}
	if q.Delegation != "" && (len(q.Delegation) > 16 || !isDelegationCode(q.Delegation)) {
		fields = append(fields, NewFieldError("delegation", "delegation", ""))
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"cursor", &q.After}, {"after", &q.After}, {"before", &q.Before}} {
		v := get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			fields = append(fields, FieldError{Field: p.name, Code: "cursor",
				Message: "The " + p.name + " must be a cursor this list gave."})
			continue
		}
		*p.dst = n
	}
	return q, ValidationError(fields)
}

// isDelegationCode reports whether s has the form of a delegation's code:
// a capital letter, then capitals and digits.
func isDelegationCode(s string) bool {
	for i, r := range s {
		if !(r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return len(s) >= 2
}

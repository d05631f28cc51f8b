// Package domain holds attend's types, statuses and rules. It knows nothing
// of HTTP, SQL or SMTP, so the same rules serve the JSON API, the web form and
// the command line.
package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that each front end can translate it once
// (an HTTP status, a page, an exit code) without inspecting messages.
type Code string

const (
	EInvalid      Code = "invalid"             // input failed validation; see Fields
	ENotFound     Code = "not_found"           // no such thing, or not yours to see
	EConflict     Code = "conflict"            // the change clashes with current state
	EClosed       Code = "registration_closed" // registration is outside its window
	EUnauthorized Code = "unauthorized"        // missing or wrong credentials
	EForbidden    Code = "forbidden"           // signed in, but the role does not allow it
	EGone         Code = "gone"                // a link that has expired or been used up
	// EInvitationRequired refuses a registration for an invitation-only
	// event that came without a valid personal invitation.
	EInvitationRequired Code = "invitation_required"
	EUnavailable        Code = "unavailable" // a dependency is down; retry later
	EInternal           Code = "internal"    // everything else; details are logged, not shown
)

// Error is an error that users may see. Message is safe to show; internal
// causes stay in wrapped errors and are only logged.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Extra carries machine-readable details for clients (for example the
	// number of seats held when a capacity change is refused).
	Extra map[string]any
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%d field errors)", e.Code, e.Message, len(e.Fields))
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// FieldError names one failing input field by its JSON name.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Param   string `json:"param,omitempty"`
	Message string `json:"message"`
}

// Errorf builds a user-visible error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinel errors for the common cases; compare with errors.Is or ErrorCode.
var (
	ErrNotFound     = &Error{Code: ENotFound, Message: "not found"}
	ErrUnauthorized = &Error{Code: EUnauthorized, Message: "a valid API token is required"}
)

// Is makes errors.Is(err, ErrNotFound) match any error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// AsError returns the first *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ValidationError collects field errors into one EInvalid error, or returns
// nil when there are none, so every failing field is reported at once.
func ValidationError(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "the input has invalid fields", Fields: fields}
}

package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Organizer runs events and reads their registrations.
type Organizer struct {
	ID        int64     `json:"id" db:"id"`
	Email     string    `json:"email" db:"email"`
	Name      string    `json:"name" db:"name"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// NewOrganizer validates an organizer account's fields.
func NewOrganizer(email, name string) (*Organizer, error) {
	email, name = CleanText(email), CleanText(name)
	var fields []FieldError
	fields = checkAccountEmail(email, fields)
	switch {
	case name == "":
		fields = append(fields, NewFieldError("name", "required", ""))
	case HasControl(name):
		fields = append(fields, NewFieldError("name", "nocontrol", ""))
	case len([]rune(name)) > 100:
		fields = append(fields, NewFieldError("name", "max", "100"))
	}
	if err := ValidationError(fields); err != nil {
		return nil, err
	}
	return &Organizer{Email: strings.ToLower(email), Name: name}, nil
}

// checkAccountEmail names in fields an account's email address that is
// missing, or is not one bare address of at most 254 bytes.
func checkAccountEmail(email string, fields []FieldError) []FieldError {
	if email == "" {
		return append(fields, NewFieldError("email", "required", ""))
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 || HasControl(email) ||
		strings.ContainsRune(email, utf8.RuneError) { // what lower-casing makes of bytes that are not UTF-8
		return append(fields, NewFieldError("email", "email", ""))
	}
	return fields
}

// MaxCancelMessage bounds an organizer's note in a cancellation email.
const MaxCancelMessage = 2000

// CancelMessage checks and cleans an organizer's note for a cancellation
// email: trimmed, at most MaxCancelMessage characters, line breaks allowed
// but no other control characters.
func CancelMessage(msg string) (string, error) {
	if !utf8.ValidString(msg) { // it would not survive the email's JSON, nor be readable
		return "", ValidationError([]FieldError{{Field: "message", Code: "utf8",
			Message: "Message must be text in UTF-8."}})
	}
	msg = CleanText(msg)
	bad := len([]rune(msg)) > MaxCancelMessage || strings.ContainsFunc(msg, func(r rune) bool {
		return r != '\n' && r != '\r' && HasControl(string(r))
	})
	if bad {
		return "", ValidationError([]FieldError{{Field: "message", Code: "max", Param: "2000",
			Message: "Message must be at most 2000 characters, without control characters other than line breaks."}})
	}
	return msg, nil
}

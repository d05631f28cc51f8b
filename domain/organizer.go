package domain

import (
	"net/mail"
	"strings"
	"time"
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
	if email == "" {
		fields = append(fields, NewFieldError("email", "required", ""))
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		fields = append(fields, NewFieldError("email", "email", ""))
	}
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

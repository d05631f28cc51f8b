package domain

import (
	"crypto/rand"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Status is where a registration stands. How it moves from one to another
// is the table in transitions.go (drawn in the README).
type Status string

const (
	StatusPending    Status = "pending"    // holds a seat, email not yet confirmed
	StatusConfirmed  Status = "confirmed"  // holds a seat, email confirmed
	StatusWaitlisted Status = "waitlisted" // waiting for a seat
	StatusCancelled  Status = "cancelled"  // by the participant or an organizer
	StatusExpired    Status = "expired"    // not confirmed in time
	// StatusAwaitingApproval is an application to an event whose
	// organizers accept each participant: it holds no seat until approved.
	StatusAwaitingApproval Status = "awaiting_approval"
	// StatusRejected is an application the organizers turned down. It holds
	// no seat, and registering again does not start it afresh.
	StatusRejected Status = "rejected"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusPending, StatusConfirmed, StatusWaitlisted, StatusAwaitingApproval,
	StatusCancelled, StatusExpired, StatusRejected}

// ValidStatus reports whether s names a status.
func ValidStatus(s string) bool {
	for _, st := range Statuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

// HoldsSeat reports whether a registration in this status counts against capacity.
func (s Status) HoldsSeat() bool { return s == StatusPending || s == StatusConfirmed }

// Roles a participant can register with, in display order.
var Roles = []string{"expert", "practitioner", "researcher", "student", "speaker", "organizer", "other"}

// Languages attend speaks, in display order.
var Languages = []string{"en", "ru", "uz"}

// Registration is one person's registration for one event.
type Registration struct {
	ID           string     `json:"id" db:"id"`
	EventID      int64      `json:"-" db:"event_id"`
	Status       Status     `json:"status" db:"status"`
	FirstName    string     `json:"first_name" db:"first_name"`
	LastName     string     `json:"last_name" db:"last_name"`
	Email        string     `json:"email" db:"email"`
	Phone        string     `json:"phone" db:"phone"`
	Country      string     `json:"country" db:"country"`
	Organization string     `json:"organization" db:"organization"`
	Position     string     `json:"position" db:"position"`
	Role         string     `json:"role" db:"role"`
	Language     string     `json:"language" db:"language"`
	Days         []Date     `json:"days" db:"-"`
	CheckinCode  string     `json:"checkin_code" db:"checkin_code"`
	ConsentAt    time.Time  `json:"consent_at" db:"consent_at"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	ConfirmedAt  *time.Time `json:"confirmed_at" db:"confirmed_at"`
	CancelledAt  *time.Time `json:"cancelled_at" db:"cancelled_at"`
	// AddressVerified says the participant followed an emailed link; read
	// with a registration looked up by id (a link, an organizer's action),
	// where a transition or the personal page depends on it.
	AddressVerified bool `json:"-" db:"-"`

	// Whom the participant represents, the name as in the passport, the
	// answers to the event's questions, and when the participant last
	// edited the registration (see delegation.go, answers.go, edit.go).
	Delegation     string     `json:"delegation" db:"delegation"`
	LatinFirstName string     `json:"latin_first_name" db:"latin_first_name"`
	LatinLastName  string     `json:"latin_last_name" db:"latin_last_name"`
	Answers        Answers    `json:"answers" db:"-"`
	EditedAt       *time.Time `json:"edited_at" db:"edited_at"`

	// Visa are the passport details given for a visa invitation letter
	// (visa.go), or nil. Never shown with the registration: they are read
	// and written on their own.
	Visa *VisaDetails `json:"-" db:"-"`
}

// RegistrationInput is what a participant submits, from JSON or the web form.
// Consent is a pointer so that "missing" and "false" give different errors.
type RegistrationInput struct {
	FirstName    string   `json:"first_name" form:"first_name" validate:"required,max=100,nocontrol"`
	LastName     string   `json:"last_name" form:"last_name" validate:"required,max=100,nocontrol"`
	Email        string   `json:"email" form:"email" validate:"required,max=254,email"`
	Country      string   `json:"country" form:"country" validate:"required,iso3166"`
	Organization string   `json:"organization" form:"organization" validate:"required,max=200,nocontrol"`
	Position     string   `json:"position" form:"position" validate:"max=200,nocontrol"`
	Role         string   `json:"role" form:"role" validate:"required,oneof=expert practitioner researcher student speaker organizer other"`
	Phone        string   `json:"phone" form:"phone" validate:"omitempty,max=16,e164"`
	Language     string   `json:"language" form:"language" validate:"omitempty,oneof=en ru uz"`
	Days         []string `json:"days" form:"days" validate:"max=62"`
	Consent      *bool    `json:"consent" form:"consent" validate:"required,accepted"`

	// Delegation is a country code or an organization's code; empty means
	// the participant's country. The Latin-script name is optional: it is
	// the name as the passport writes it, for badges and visa letters.
	// Answers are by question key (see Rules.CheckAnswers for the values).
	Delegation     string         `json:"delegation" form:"delegation" validate:"max=16"`
	LatinFirstName string         `json:"latin_first_name" form:"latin_first_name" validate:"max=100,nocontrol,latin"`
	LatinLastName  string         `json:"latin_last_name" form:"latin_last_name" validate:"max=100,nocontrol,latin"`
	Answers        map[string]any `json:"answers" form:"-" validate:"-"`
	// Invitation is the token of a personal invitation link (invitee.go),
	// which an invitation-only event requires; it is checked when the
	// registration is stored, not here.
	Invitation string `json:"invitation" form:"invitation" validate:"max=64"`
	// Visa asks for a visa invitation letter, on an event that offers them.
	Visa *VisaInput `json:"visa" form:"-" validate:"-"`
}

// normalize cleans the input in place before validation, so that what is
// validated is exactly what is stored.
func (in *RegistrationInput) normalize() {
	in.FirstName = CleanText(in.FirstName)
	in.LastName = CleanText(in.LastName)
	in.Email = CleanText(in.Email)
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.Organization = CleanText(in.Organization)
	in.Position = CleanText(in.Position)
	in.Role = strings.ToLower(strings.TrimSpace(in.Role))
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	in.Phone = normalizePhone(in.Phone)
	in.Delegation = strings.ToUpper(strings.TrimSpace(in.Delegation))
	in.LatinFirstName = CleanText(in.LatinFirstName)
	in.LatinLastName = CleanText(in.LatinLastName)
}

// normalizePhone drops the separators people type ("+998 (71) 123-45-67")
// and keeps a leading 00 as +, leaving E.164 validation to decide the rest.
func normalizePhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '-', '.', '(', ')', '\u00a0':
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	return out
}

// NewRegistration validates in against the event and returns the registration
// to store, with every failing field reported at once. It does not decide
// pending versus waitlisted: that depends on seats and is settled in the
// database transaction.
func (r *Rules) NewRegistration(in RegistrationInput, ev *Event, now time.Time) (*Registration, error) {
	in.normalize()
	fields := r.validate(&in)

	days, dayErrs := ev.parseDays(in.Days)
	fields = append(fields, dayErrs...)
	delegation, delegationErrs := r.delegation(in.Delegation, in.Country)
	fields = append(fields, delegationErrs...)
	answers, answerErrs := r.CheckAnswers(ev.Questions, in.Answers, nil)
	fields = append(fields, answerErrs...)
	var visa *VisaDetails
	switch {
	case in.Visa == nil:
	case ev.VisaLetters == nil:
		fields = append(fields, FieldError{Field: "visa", Code: "unknown", Message: "This event offers no visa invitation letters."})
	default:
		var visaErrs []FieldError
		visa, visaErrs = CheckVisa(*in.Visa, ev, now)
		fields = append(fields, visaErrs...)
	}
	if err := ValidationError(dedupe(fields)); err != nil {
		return nil, err
	}
	lang := in.Language
	if lang == "" {
		lang = ev.Languages[0]
	}
	code, err := NewCheckinCode()
	if err != nil {
		return nil, err
	}
	return &Registration{
		EventID:      ev.ID,
		FirstName:    in.FirstName,
		LastName:     in.LastName,
		Email:        in.Email,
		Phone:        in.Phone,
		Country:      in.Country,
		Organization: in.Organization,
		Position:     in.Position,
		Role:         in.Role,
		Language:     lang,
		Days:         days,
		CheckinCode:  code,
		ConsentAt:    now,

		Delegation:     delegation,
		LatinFirstName: in.LatinFirstName,
		LatinLastName:  in.LatinLastName,
		Answers:        answers,
		Visa:           visa,
	}, nil
}

// delegation is the delegation a participant of country represents: the
// one sent, or the country when none was.
func (r *Rules) delegation(sent, country string) (string, []FieldError) {
	if sent == "" {
		return country, nil
	}
	code, ok := r.delegations.Canonical(sent)
	if !ok {
		return "", []FieldError{NewFieldError("delegation", "delegation", "")}
	}
	return code, nil
}

// PassportName is the participant's name as badges, certificates and visa
// letters print it: the Latin-script name when given, else the name as
// written.
func (reg *Registration) PassportName() (first, last string) {
	if reg.LatinFirstName != "" || reg.LatinLastName != "" {
		return reg.LatinFirstName, reg.LatinLastName
	}
	return reg.FirstName, reg.LastName
}

// parseDays checks that each requested day is one of the event's dates and
// defaults to all of them.
func (e *Event) parseDays(in []string) ([]Date, []FieldError) {
	all := e.Days()
	if len(in) == 0 {
		return all, nil
	}
	var fields []FieldError
	seen := map[Date]bool{}
	for i, s := range in {
		field := "days[" + strconv.Itoa(i) + "]"
		d, err := ParseDate(strings.TrimSpace(s))
		if err != nil {
			fields = append(fields, NewFieldError(field, "date", ""))
			continue
		}
		if d.Before(e.StartsOn) || d.After(e.EndsOn) {
			fields = append(fields, NewFieldError(field, "day", ""))
			continue
		}
		seen[d] = true
	}
	if len(fields) > 0 {
		return nil, fields
	}
	var days []Date
	for _, d := range all {
		if seen[d] {
			days = append(days, d)
		}
	}
	return days, nil
}

// checkinAlphabet leaves out the symbols that look alike (0/O, 1/I) so that
// codes read aloud or typed at the door are not mistaken. Exactly 32 symbols
// keep the draw unbiased: each byte's low five bits pick one.
const checkinAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CheckinCodeLength is the number of symbols in a check-in code.
const CheckinCodeLength = 8

// NewCheckinCode returns a random check-in code. Uniqueness per event is
// enforced by the database; callers retry on the rare collision.
func NewCheckinCode() (string, error) {
	var b [CheckinCodeLength]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = checkinAlphabet[b[i]&31]
	}
	return string(b[:]), nil
}

// NormalizeCheckinCode upper-cases a typed code and drops spaces and dashes.
func NormalizeCheckinCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUUID reports whether s is a UUID in its usual text form, so that ids
// from URLs are checked before they reach SQL.
func ValidUUID(s string) bool { return uuidPattern.MatchString(s) }

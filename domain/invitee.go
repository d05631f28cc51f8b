package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// InviteeState is where a personal invitation stands, as organizers see it.
type InviteeState string

const (
	// InviteeQueued: the invitation's email has not been accepted by the
	// mail server yet.
	InviteeQueued InviteeState = "queued"
	// InviteeSent: the mail server accepted the email.
	InviteeSent InviteeState = "sent"
	// InviteeOpened: the personal link was visited (a mail scanner
	// following links counts too).
	InviteeOpened InviteeState = "opened"
	// InviteeRegistered: a registration was made through the link.
	InviteeRegistered InviteeState = "registered"
	// InviteeDeclined: the person declined through the link.
	InviteeDeclined InviteeState = "declined"
	// InviteeWithdrawn: an organizer withdrew the invitation before it was
	// used; the link registers nobody.
	InviteeWithdrawn InviteeState = "withdrawn"
)

// InviteeStates lists the states in the order the dashboard shows them.
var InviteeStates = []InviteeState{InviteeQueued, InviteeSent, InviteeOpened, InviteeRegistered, InviteeDeclined, InviteeWithdrawn}

// ValidInviteeState reports whether s names a state.
func ValidInviteeState(s string) bool { return slices.Contains(InviteeStates, InviteeState(s)) }

// Invitee is a person invited to register for an event, by an organizer's
// import or a focal point's nomination.
type Invitee struct {
	ID           int64        `json:"id" db:"id"`
	Email        string       `json:"email" db:"email"`
	FirstName    string       `json:"first_name" db:"first_name"`
	LastName     string       `json:"last_name" db:"last_name"`
	Delegation   string       `json:"delegation" db:"delegation"`
	Organization string       `json:"organization" db:"organization"`
	Position     string       `json:"position" db:"position"`
	Language     string       `json:"language" db:"language"`
	State        InviteeState `json:"state" db:"state"`
	// Nominated is true for a focal point's nominee.
	Nominated      bool      `json:"nominated" db:"nominated"`
	RegistrationID *string   `json:"registration_id" db:"registration_id"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// InviteeInput is one person to invite: a row of an imported file, an
// element of the API's JSON array, or a focal point's nomination.
type InviteeInput struct {
	Email        string `json:"email"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Delegation   string `json:"delegation"`
	Organization string `json:"organization"`
	Position     string `json:"position"`
	Language     string `json:"language"`
	// Row is the row's number in an uploaded file (its header is row 1);
	// 0 for JSON rows, numbered by their place in the list.
	Row int `json:"-"`
}

// Row outcomes of an import, one per row (InviteeCheck.Outcome).
const (
	OutcomeInvite    = "invite"    // valid and new: invited (or would be, in a preview)
	OutcomeExists    = "exists"    // the address was invited before: nothing happens
	OutcomeInvalid   = "invalid"   // Problems says what is wrong
	OutcomeDuplicate = "duplicate" // the same address appears earlier in the file
)

// InviteeCheck is the verdict on one row: its number (1-based, data rows
// only), the cleaned input, and what an import does with it.
type InviteeCheck struct {
	Row      int          `json:"row"`
	Input    InviteeInput `json:"input"`
	Outcome  string       `json:"outcome"`
	Problems []FieldError `json:"problems,omitempty"`
}

// inviteeColumns are the names a column's header may have, lower-case,
// in English and Russian; other columns are ignored.
var inviteeColumns = map[string][]string{
	"email":        {"email", "e-mail", "e mail", "mail", "email address", "эл. почта", "эл.почта", "электронная почта", "почта", "e-mail адрес"},
	"first_name":   {"first_name", "first name", "firstname", "given name", "name", "имя"},
	"last_name":    {"last_name", "last name", "lastname", "surname", "family name", "фамилия"},
	"delegation":   {"delegation", "country", "делегация", "страна"},
	"organization": {"organization", "organisation", "org", "организация", "ведомство"},
	"position":     {"position", "title", "job title", "должность"},
	"language":     {"language", "lang", "язык"},
}

// InviteeColumns maps a file's header row to the known columns by
// position; it reports false when no column is the email's, which every
// file needs.
func InviteeColumns(header []string) (map[string]int, bool) {
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.Join(strings.Fields(strings.TrimPrefix(h, "\ufeff")), " "))
		for name, aliases := range inviteeColumns {
			if _, taken := cols[name]; !taken && slices.Contains(aliases, h) {
				cols[name] = i
			}
		}
	}
	_, ok := cols["email"]
	return cols, ok
}

// InviteesFromRecords reads a file's records, the first being the header,
// into inputs; a short row leaves its missing cells empty.
func InviteesFromRecords(records [][]string) ([]InviteeInput, error) {
	if len(records) == 0 {
		return nil, ValidationError([]FieldError{NewFieldError("file", "required", "")})
	}
	cols, ok := InviteeColumns(records[0])
	if !ok {
		return nil, &Error{Code: EInvalid, Message: "the file has no email column",
			Fields: []FieldError{{Field: "file", Code: "email_column", Message: "The first row must name the columns, one of them email."}}}
	}
	cell := func(rec []string, name string) string {
		i, ok := cols[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return rec[i]
	}
	var out []InviteeInput
	for i, rec := range records[1:] {
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // blank lines, between rows or at the end of a spreadsheet
		}
		out = append(out, InviteeInput{Row: i + 2,
			Email: cell(rec, "email"), FirstName: cell(rec, "first_name"), LastName: cell(rec, "last_name"),
			Delegation: cell(rec, "delegation"), Organization: cell(rec, "organization"),
			Position: cell(rec, "position"), Language: cell(rec, "language"),
		})
	}
	return out, nil
}

// CheckInvitees cleans and checks the rows of an import for ev: a valid
// address, a known delegation, a supported language (the event's first
// when none is given), text of sensible length, and no address twice in
// the file. Whether an address was invited before is the store's to say.
func (r *Rules) CheckInvitees(ev *Event, rows []InviteeInput) []InviteeCheck {
	seen := map[string]bool{}
	out := make([]InviteeCheck, len(rows))
	for i, in := range rows {
		in = r.cleanInvitee(ev, in)
		check := InviteeCheck{Row: i + 1, Input: in, Outcome: OutcomeInvite}
		if in.Row > 0 {
			check.Row = in.Row // the file's own numbering
		}
		check.Problems = r.inviteeProblems(in)
		key := strings.ToLower(in.Email)
		switch {
		case len(check.Problems) > 0:
			check.Outcome = OutcomeInvalid
		case seen[key]:
			check.Outcome = OutcomeDuplicate
		}
		seen[key] = true
		out[i] = check
	}
	return out
}

func (r *Rules) cleanInvitee(ev *Event, in InviteeInput) InviteeInput {
	in.Email = CleanText(in.Email)
	in.FirstName, in.LastName = CleanText(in.FirstName), CleanText(in.LastName)
	in.Organization, in.Position = CleanText(in.Organization), CleanText(in.Position)
	in.Delegation = strings.ToUpper(CleanText(in.Delegation))
	if code, ok := r.Delegations().Canonical(in.Delegation); ok {
		in.Delegation = code
	}
	in.Language = strings.ToLower(CleanText(in.Language))
	if in.Language == "" && len(ev.Languages) > 0 {
		in.Language = ev.Languages[0]
	}
	return in
}

func (r *Rules) inviteeProblems(in InviteeInput) []FieldError {
	var fields []FieldError
	// Bytes that are not UTF-8 (a form, a file) could not be stored.
	for _, f := range []struct{ name, value string }{{"email", in.Email}, {"first_name", in.FirstName},
		{"last_name", in.LastName}, {"organization", in.Organization}, {"position", in.Position},
		{"delegation", in.Delegation}, {"language", in.Language}} {
		if !utf8.ValidString(f.value) {
			fields = append(fields, NewFieldError(f.name, "nocontrol", ""))
		}
	}
	if len(fields) > 0 {
		return fields
	}
	if in.Email == "" {
		fields = append(fields, NewFieldError("email", "required", ""))
	} else if len(in.Email) > 254 || r.v.Var(in.Email, "email") != nil || HasControl(in.Email) {
		fields = append(fields, NewFieldError("email", "email", ""))
	}
	for _, f := range []struct{ name, value string }{{"first_name", in.FirstName}, {"last_name", in.LastName},
		{"organization", in.Organization}, {"position", in.Position}} {
		if len(f.value) > 200 {
			fields = append(fields, NewFieldError(f.name, "max", "200"))
		} else if HasControl(f.value) {
			fields = append(fields, NewFieldError(f.name, "nocontrol", ""))
		}
	}
	if in.Delegation != "" {
		if _, ok := r.Delegations().Canonical(in.Delegation); !ok {
			fields = append(fields, NewFieldError("delegation", "delegation", ""))
		}
	}
	if !slices.Contains(Languages, in.Language) {
		// A file's cell, not a list to choose from: the answer names the codes.
		codes := strings.Join(Languages, ", ")
		fields = append(fields, FieldError{Field: "language", Code: "langcode", Param: codes,
			Message: "Language must be one of the codes " + codes + "."})
	}
	return fields
}

// FocalPoint is a country's focal point: who may nominate up to Quota
// people for Delegation.
type FocalPoint struct {
	ID         int64  `json:"id" db:"id"`
	Delegation string `json:"delegation" db:"delegation"`
	Email      string `json:"email" db:"email"`
	Language   string `json:"language" db:"language"`
	Quota      int    `json:"quota" db:"quota"`
	Nominated  int    `json:"nominated" db:"nominated"`
}

// FocalPointInput is an organizer's request to give a focal point a quota.
type FocalPointInput struct {
	Delegation string `json:"delegation"`
	Email      string `json:"email"`
	Language   string `json:"language"`
	Quota      int    `json:"quota"`
}

// MaxQuota bounds one delegation's quota.
const MaxQuota = 1000

// CheckFocalPoint cleans and validates a focal point's quota for ev.
func (r *Rules) CheckFocalPoint(ev *Event, in FocalPointInput) (FocalPointInput, error) {
	probe := r.cleanInvitee(ev, InviteeInput{Email: in.Email, Delegation: in.Delegation, Language: in.Language})
	in.Email, in.Delegation, in.Language = probe.Email, probe.Delegation, probe.Language
	fields := r.inviteeProblems(probe)
	if in.Delegation == "" {
		fields = append(fields, NewFieldError("delegation", "required", ""))
	}
	if in.Quota < 1 || in.Quota > MaxQuota {
		fields = append(fields, NewFieldError("quota", "between", "1 1000"))
	}
	return in, ValidationError(fields)
}

// CheckNomination cleans and validates a focal point's nominee: a name and
// an address are needed, the delegation is the focal point's.
func (r *Rules) CheckNomination(ev *Event, fp *FocalPoint, in InviteeInput) (InviteeInput, error) {
	in.Delegation = fp.Delegation
	if in.Language == "" {
		in.Language = fp.Language
	}
	in = r.cleanInvitee(ev, in)
	fields := r.inviteeProblems(in)
	if in.FirstName == "" {
		fields = append(fields, NewFieldError("first_name", "required", ""))
	}
	if in.LastName == "" {
		fields = append(fields, NewFieldError("last_name", "required", ""))
	}
	return in, ValidationError(fields)
}

// InviteeDeadline is when an invitation to ev stops working: when its
// registration closes, or when the event ends.
func InviteeDeadline(ev *Event) time.Time {
	if ev.RegistrationClosesAt != nil && ev.RegistrationClosesAt.Before(ev.EndsAt()) {
		return *ev.RegistrationClosesAt
	}
	return ev.EndsAt()
}

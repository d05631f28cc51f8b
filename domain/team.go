package domain

import (
	"slices"
	"strings"
	"time"
)

// TeamRole is what a member of an event's team may do. Every event has exactly
// one owner, who created it; the owner adds colleagues as organizers or
// door staff.
type TeamRole string

const (
	// RoleOwner may do everything, managing the team included.
	RoleOwner TeamRole = "owner"
	// RoleOrganizer may do everything but manage the team.
	RoleOrganizer TeamRole = "organizer"
	// RoleDoor checks people in: the door page and the check-in API, and
	// nothing that shows or changes other personal data.
	RoleDoor TeamRole = "door"
)

// TeamRoles lists the roles in the order the dashboard shows them.
var TeamRoles = []TeamRole{RoleOwner, RoleOrganizer, RoleDoor}

// MemberRoles are the roles the owner may give; there is one owner.
var MemberRoles = []TeamRole{RoleOrganizer, RoleDoor}

// Permission is one kind of organizer action. Every organizer route names
// the permission it needs, and a test walks the routes for every role.
type Permission string

const (
	// PermSeeEvent reads the event itself (no personal data), drafts included.
	PermSeeEvent Permission = "see_event"
	// PermCheckIn finds people at the door and checks them in, or undoes it.
	PermCheckIn Permission = "check_in"
	// PermReadRegistrations lists and reads registrations, statistics and
	// the event's emails.
	PermReadRegistrations Permission = "read_registrations"
	// PermChangeRegistrations cancels, promotes, approves, rejects, erases and registers
	// walk-ins, and retries emails.
	PermChangeRegistrations Permission = "change_registrations"
	// PermExport downloads attendee lists.
	PermExport Permission = "export"
	// PermEditEvent changes the event, publishing it included.
	PermEditEvent Permission = "edit_event"
	// PermReadAudit reads the audit log.
	PermReadAudit Permission = "read_audit"
	// PermReadTeam lists the event's team.
	PermReadTeam Permission = "read_team"
	// PermManageTeam adds and removes members.
	PermManageTeam Permission = "manage_team"
)

// Permissions lists every permission, for tests that walk them.
var Permissions = []Permission{PermSeeEvent, PermCheckIn, PermReadRegistrations, PermChangeRegistrations,
	PermExport, PermEditEvent, PermReadAudit, PermReadTeam, PermManageTeam}

// grants is the one table of who may do what.
var grants = map[TeamRole][]Permission{
	RoleOwner: Permissions,
	RoleOrganizer: {PermSeeEvent, PermCheckIn, PermReadRegistrations, PermChangeRegistrations,
		PermExport, PermEditEvent, PermReadAudit, PermReadTeam},
	RoleDoor: {PermSeeEvent, PermCheckIn},
}

// Can reports whether the role grants p. An unknown role grants nothing.
func (r TeamRole) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// ValidTeamRole reports whether s names a team role.
func ValidTeamRole(s string) bool { return slices.Contains(TeamRoles, TeamRole(s)) }

// Forbidden is the error for a member whose role does not allow an action.
// Front ends answer it 403, so that door staff learn the page is not for
// them rather than that the event does not exist.
func Forbidden(p Permission) *Error {
	return &Error{Code: EForbidden, Message: "your role on this event does not allow this",
		Extra: map[string]any{"permission": string(p)}}
}

// Member is one person on an event's team.
type Member struct {
	OrganizerID int64     `json:"-" db:"organizer_id"`
	Email       string    `json:"email" db:"email"`
	Name        string    `json:"name" db:"name"`
	Role        TeamRole  `json:"role" db:"role"`
	AddedAt     time.Time `json:"added_at" db:"added_at"`
	// Invited is true while the member has not set a password yet, so
	// cannot sign in to the dashboard.
	Invited bool `json:"invited" db:"invited"`
}

// MemberInput is the body of POST /api/v1/events/{slug}/members and the
// dashboard's team form.
type MemberInput struct {
	Email string `json:"email" form:"email"`
	Role  string `json:"role" form:"role"`
	// Language of the invitation email, for someone without an account;
	// empty means the event's first language.
	Language string `json:"language" form:"language"`
}

// NewMember is a validated MemberInput.
type NewMember struct {
	Email    string
	Role     TeamRole
	Language string
}

// Validate checks a member request: an address, a role the owner may give
// (organizer or door) and, if given, a language attend writes in.
func (in MemberInput) Validate() (NewMember, error) {
	email := strings.ToLower(CleanText(in.Email))
	role := TeamRole(strings.ToLower(CleanText(in.Role)))
	lang := strings.ToLower(CleanText(in.Language))
	var fields []FieldError
	fields = checkAccountEmail(email, fields)
	switch {
	case role == "":
		fields = append(fields, NewFieldError("role", "required", ""))
	case !slices.Contains(MemberRoles, role):
		fields = append(fields, NewFieldError("role", "oneof", "organizer door"))
	}
	if lang != "" && !slices.Contains(Languages, lang) {
		fields = append(fields, NewFieldError("language", "oneof", "en ru uz"))
	}
	return NewMember{Email: email, Role: role, Language: lang}, ValidationError(fields)
}

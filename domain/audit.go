package domain

import (
	"slices"
	"strings"
	"time"
)

// AuditAction names one kind of organizer action the audit log records:
// every action that changes or reveals personal data, and every change of
// the event or its team.
type AuditAction string

const (
	AuditEventCreate         AuditAction = "event.create"
	AuditEventUpdate         AuditAction = "event.update" // Detail.Fields names what changed
	AuditRegistrationCancel  AuditAction = "registration.cancel"
	AuditRegistrationPromote AuditAction = "registration.promote"
	AuditRegistrationErase   AuditAction = "registration.erase"
	AuditRegistrationWalkIn  AuditAction = "registration.walk_in"
	AuditRegistrationApprove AuditAction = "registration.approve"
	AuditRegistrationReject  AuditAction = "registration.reject"
	// AuditRegistrationUpdate is the participant's own change from their
	// link (no actor); Detail.Fields names the fields changed.
	AuditRegistrationUpdate AuditAction = "registration.update"
	AuditExport             AuditAction = "registrations.export" // Detail.Format, and the filters
	AuditCheckIn            AuditAction = "checkin.create"       // Day
	AuditCheckInUndo        AuditAction = "checkin.delete"       // Day
	AuditMemberAdd          AuditAction = "member.add"           // Member, Detail.Role
	AuditMemberRole         AuditAction = "member.role"          // Member, Detail.Role (the new one)
	AuditMemberRemove       AuditAction = "member.remove"        // Member
	// Invitations (issue 17): an organizer's import of invitees
	// (Detail.Count: how many were invited), a focal point's quota given
	// (Detail.Delegation), and a focal point's nomination (no actor).
	AuditInviteesImport  AuditAction = "invitees.import"
	AuditNominationQuota AuditAction = "nomination.quota"
	AuditNomination      AuditAction = "nomination.create"
	// AuditMessageSend is an organizer's message going out (Detail.Message,
	// Detail.Recipients: how many it was written to by this send).
	AuditMessageSend AuditAction = "message.send"
	// An organizer withdrew an invitation, or emailed it again
	// (Detail.Invitee: the invitation's id).
	AuditInvitationWithdraw AuditAction = "invitation.withdraw"
	AuditInvitationResend   AuditAction = "invitation.resend"
	// An organizer downloaded visa letters, which show passport numbers:
	// one (the registration's) or the archive (Detail.Count: how many).
	AuditVisaLettersDownload AuditAction = "visa_letters.download"
)

// AuditActions lists every action, in the order the dashboard's filter
// offers them.
var AuditActions = []AuditAction{AuditEventCreate, AuditEventUpdate, AuditRegistrationCancel,
	AuditRegistrationPromote, AuditRegistrationErase, AuditRegistrationWalkIn, AuditRegistrationUpdate, AuditExport,
	AuditCheckIn, AuditCheckInUndo, AuditMemberAdd, AuditMemberRole, AuditMemberRemove,
	AuditInviteesImport, AuditNominationQuota, AuditNomination, AuditMessageSend,
	AuditRegistrationApprove, AuditRegistrationReject,
	AuditInvitationWithdraw, AuditInvitationResend, AuditVisaLettersDownload}

// ValidAuditAction reports whether s names an action.
func ValidAuditAction(s string) bool { return slices.Contains(AuditActions, AuditAction(s)) }

// AuditEntry is one line of an event's audit log. It keeps no personal data
// of participants beyond the registration's id, so erasing a participant
// leaves the log as it is, and the log still says who erased them. People
// of the team are kept by account (shown by their current address, and as
// nobody once the account is deleted).
type AuditEntry struct {
	ID     int64       `json:"id" db:"id"`
	At     time.Time   `json:"at" db:"at"`
	Action AuditAction `json:"action" db:"action"`
	// Actor is who acted: an organizer's address, or nil for the command
	// line or an account since deleted.
	Actor          *string     `json:"actor" db:"actor"`
	RegistrationID *string     `json:"registration_id" db:"registration_id"`
	Day            *Date       `json:"day" db:"day"`
	Member         *string     `json:"member" db:"member"` // the team member added, changed or removed
	Detail         AuditDetail `json:"detail" db:"detail"`
}

// AuditDetail is what an action needs said beyond who and whom; never
// values of personal data.
type AuditDetail struct {
	Fields  []string `json:"fields,omitempty"`  // event.update: the fields changed
	Role    TeamRole `json:"role,omitempty"`    // member.add, member.role
	Format  string   `json:"format,omitempty"`  // registrations.export: csv or xlsx
	Status  string   `json:"status,omitempty"`  // registrations.export: the status filter
	Country string   `json:"country,omitempty"` // registrations.export: the country filter
	// Search says a search term filtered an export; the term itself may be
	// a name, so it is not kept.
	Search bool `json:"search,omitempty"`
	// Count is how many people an invitees.import invited; Delegation is
	// whom a nomination.quota or nomination.create was for.
	Count      int    `json:"count,omitempty"`
	Delegation string `json:"delegation,omitempty"`
	// message.send: the message, and how many recipients this send added.
	Message    int64 `json:"message,omitempty"`
	Recipients int   `json:"recipients,omitempty"`
	// Invitee is the invitation an invitation.withdraw or
	// invitation.resend was about.
	Invitee int64 `json:"invitee,omitempty"`
}

// AuditQuery is a page of the audit log as asked for: GET
// /api/v1/events/{slug}/audit?action=&limit=&cursor= and the dashboard's
// page alike. The cursor's form is the store's to check.
type AuditQuery struct {
	Action string
	Limit  int
	Cursor string
}

// ParseAuditQuery reads and checks the audit log's query, get giving each
// parameter by name, and names every bad one at once.
func ParseAuditQuery(get func(name string) string) (AuditQuery, error) {
	q := AuditQuery{Action: strings.TrimSpace(get("action")), Cursor: get("cursor"), Limit: DefaultPageSize}
	var fields []FieldError
	fields = pageLimit(get("limit"), &q.Limit, fields)
	if q.Action != "" && !ValidAuditAction(q.Action) {
		fields = append(fields, NewFieldError("action", "oneof", oneOf(AuditActions)))
	}
	return q, ValidationError(fields)
}

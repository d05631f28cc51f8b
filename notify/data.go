package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attend/attend/domain"
)

// Data is everything a notification may say. The worker fills it from the
// registration and its event; each kind uses a subset (see required).
//
// Civil dates (Event.StartsOn, Event.EndsOn, Days) are time.Time values of
// which only the calendar date is read, via t.Date() in the value's own
// location. Midnight UTC, as lib/pq returns a Postgres date column, is the
// expected form.
type Data struct {
	// RegistrationID makes the calendar entries' UIDs stable, so a second
	// .ics for the same registration updates the entries instead of
	// duplicating them.
	RegistrationID string

	Participant Participant
	Event       Event

	// Days are the event days this participant attends; empty means all of
	// them.
	Days []time.Time

	// ManageURL is the secret page BASE_URL/r/{token}; ConfirmURL and
	// CancelURL lead to its confirm and cancel actions.
	ManageURL  string
	ConfirmURL string
	CancelURL  string

	// Rejected says the registration's application was turned down
	// (KindAlreadyRegistered then says so, courteously, and offers no
	// confirm or cancel link: the form changes nothing for it).
	Rejected bool

	// CheckinCode is shown in large type and encoded, alone, in the QR image.
	CheckinCode string

	// OrganizerMessage is optional free text for KindCancelled,
	// KindApproved, KindApprovedConfirm, KindApprovedWaitlisted and KindRejected; the templates
	// escape it and keep its line breaks.
	OrganizerMessage string

	// Deadline is when an unconfirmed registration may be released
	// (KindConfirmReminder). It is shown in the event's time zone.
	Deadline time.Time

	// InviteURL is the single-use link of an invitation to an event's team
	// (KindInvitation), which expires at Deadline; TeamRole is the role
	// it offers (organizer or door).
	InviteURL string
	TeamRole  string
	// Quota and Delegation (its name in the email's language) are what a
	// focal point is asked to nominate (KindNominationRequest).
	Quota      int
	Delegation string
	// WebhookURL is the address of a webhook endpoint that was disabled
	// (KindWebhookDisabled).
	WebhookURL string
	// Changes are what the participant changed in their registration
	// (KindUpdated), listed in the email's language; Questions are the
	// event's questions, which name the answers among them.
	Changes   []domain.Change
	Questions domain.Questions

	// MessageSubject and MessageBody are an organizer's message
	// (KindMessage), in the email's language; UnsubscribeURL is the
	// participant's link to stop the event's messages (none in a test sent
	// to the organizer).
	MessageSubject string
	MessageBody    string
	UnsubscribeURL string

	// BaseURL is the public root of the site; its host names the calendar
	// entries' UIDs.
	BaseURL string

	// CreatedAt is when the notification was queued. It becomes the
	// calendar's DTSTAMP, so rendering the same outbox row twice gives the
	// same bytes. Zero means now.
	CreatedAt time.Time
}

// Participant is the person the email is addressed to.
type Participant struct {
	FirstName string
	LastName  string
}

// Event describes what the participant registered for.
type Event struct {
	Title string
	Venue string
	City  string
	// CountryCode is the ISO 3166-1 alpha-2 code; CountryName is what the
	// email shows, ideally in the registration's language. The code is shown
	// when the name is empty.
	CountryCode string
	CountryName string

	// StartsOn and EndsOn are the first and last day, inclusive.
	StartsOn time.Time
	EndsOn   time.Time

	// DayStartsAt and DayEndsAt are the local daily hours, "09:00" and
	// "18:00". Both empty makes calendar entries all-day.
	DayStartsAt string
	DayEndsAt   string

	// Timezone is the IANA zone the event happens in, e.g. "Asia/Tashkent".
	Timezone string

	// Languages are the event's languages in order of preference; the first
	// supported one is used when the registration's language is not.
	Languages []string
}

// Rendered is a notification ready to be put in an Email.
type Rendered struct {
	// Lang is the language actually used, after falling back.
	Lang    string
	Subject string
	Text    string
	HTML    string
	// Attachments are files offered for download (the .ics calendar file).
	Attachments []Attachment
	// Inline are images the HTML part shows by Content-ID (the QR code).
	Inline []Attachment
}

// Attachment is a file carried by an email.
type Attachment struct {
	Filename    string
	ContentType string
	// ContentID is how the HTML refers to an inline image ("cid:" + ContentID);
	// empty for ordinary attachments.
	ContentID string
	Data      []byte
}

// requiredFields lists, for each kind, the Data fields that must not be
// empty: better a clear render error in the worker's log than an email with
// a dead button.
func requiredFields(kind Kind, d Data) []string {
	type field struct {
		name  string
		empty bool
	}
	common := []field{
		{"Event.Title", d.Event.Title == ""},
		{"Event.StartsOn", d.Event.StartsOn.IsZero()},
		{"Event.EndsOn", d.Event.EndsOn.IsZero()},
		{"Event.Timezone", d.Event.Timezone == ""},
	}
	if !linkless(kind) && kind != KindMessage {
		common = append(common, field{"ManageURL", d.ManageURL == ""})
	}
	var extra []field
	confirm := field{"ConfirmURL", d.ConfirmURL == ""}
	cancel := field{"CancelURL", d.CancelURL == ""}
	code := field{"CheckinCode", d.CheckinCode == ""}
	switch kind {
	case KindConfirmRequest, KindWaitlisted, KindUnderReview, KindApprovedConfirm, KindApprovedWaitlisted:
		extra = []field{confirm, cancel}
	case KindAlreadyRegistered:
		extra = []field{cancel}
	case KindConfirmed, KindPromoted, KindApproved:
		extra = []field{cancel, code, {"RegistrationID", d.RegistrationID == ""}}
	case KindConfirmReminder:
		extra = []field{confirm, cancel, {"Deadline", d.Deadline.IsZero()}}
	case KindInvitation:
		extra = []field{{"InviteURL", d.InviteURL == ""}, {"Deadline", d.Deadline.IsZero()}, {"TeamRole", d.TeamRole == ""}}
	case KindParticipantInvitation:
		extra = []field{{"InviteURL", d.InviteURL == ""}, {"Deadline", d.Deadline.IsZero()}}
	case KindNominationRequest:
		extra = []field{{"InviteURL", d.InviteURL == ""}, {"Deadline", d.Deadline.IsZero()},
			{"Quota", d.Quota == 0}, {"Delegation", d.Delegation == ""}}
	case KindUpdated:
		extra = []field{{"Changes", len(d.Changes) == 0}}
	case KindWebhookDisabled:
		extra = []field{{"WebhookURL", d.WebhookURL == ""}}
	case KindMessage:
		extra = []field{{"MessageSubject", d.MessageSubject == ""}, {"MessageBody", d.MessageBody == ""}}
	}
	var missing []string
	for _, f := range append(common, extra...) {
		if f.empty {
			missing = append(missing, f.name)
		}
	}
	return missing
}

// validate checks what rendering needs and returns the event's location.
func validate(kind Kind, d Data, zones *zoneCache) (*time.Location, error) {
	if missing := requiredFields(kind, d); len(missing) > 0 {
		return nil, fmt.Errorf("notify: render %s: missing %s", kind, strings.Join(missing, ", "))
	}
	loc, err := zones.load(d.Event.Timezone)
	if err != nil {
		return nil, fmt.Errorf("notify: render %s: event time zone: %w", kind, err)
	}
	if civil(d.Event.EndsOn).Before(civil(d.Event.StartsOn)) {
		return nil, fmt.Errorf("notify: render %s: event ends on %s, before it starts on %s",
			kind, d.Event.EndsOn.Format(time.DateOnly), d.Event.StartsOn.Format(time.DateOnly))
	}
	return loc, nil
}

// civil returns t's calendar date as midnight UTC, so that dates carried in
// different locations compare by day.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// attendanceDays returns the participant's days as civil dates, in order,
// without duplicates and clipped to the event; no days means every day.
func attendanceDays(d Data) []time.Time {
	start, end := civil(d.Event.StartsOn), civil(d.Event.EndsOn)
	var days []time.Time
	if len(d.Days) == 0 {
		for day := start; !day.After(end); day = day.AddDate(0, 0, 1) {
			days = append(days, day)
		}
		return days
	}
	seen := make(map[time.Time]bool, len(d.Days))
	for _, raw := range d.Days {
		day := civil(raw)
		if seen[day] || day.Before(start) || day.After(end) {
			continue
		}
		seen[day] = true
		days = append(days, day)
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	return days
}

// linkless reports the kinds that belong to no registration, so carry no
// ManageURL: they invite, with a link of their own (InviteURL).
func linkless(kind Kind) bool {
	return kind == KindInvitation || kind == KindParticipantInvitation || kind == KindNominationRequest ||
		kind == KindWebhookDisabled
}

// inviteURL is the page an invitation-like email's token opens.
func inviteURL(kind Kind, baseURL, token string) string {
	switch kind {
	case KindParticipantInvitation:
		return baseURL + "/i/" + token
	case KindNominationRequest:
		return baseURL + "/n/" + token
	}
	return baseURL + "/admin/invite/" + token
}

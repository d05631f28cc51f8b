// Package notify turns a registration event into an email and delivers it:
// it renders the localized templates, builds the calendar file and QR code
// that go with them, and sends batches of messages over SMTP.
//
// Rendering and sending know nothing about the database or HTTP: the outbox
// worker loads what a message needs into a Data value, calls Renderer.Build,
// and hands the resulting Emails to Sender.SendBatch; IsPermanent tells it
// whether a failure is worth retrying.
package notify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/attend/attend/domain"
)

// Kind names one kind of notification. It is the domain's email kind, the
// value stored in the outbox, so the two can never disagree.
type Kind = domain.EmailKind

// The notifications attend sends, one per step of a registration's life.
const (
	// KindConfirmRequest follows a new registration and asks the participant
	// to confirm the address (or cancel).
	KindConfirmRequest = domain.EmailConfirmRequest
	// KindAlreadyRegistered answers a repeated registration with the same
	// address. It is worded neutrally because anyone can trigger it.
	KindAlreadyRegistered = domain.EmailAlreadyRegistered
	// KindConfirmed carries the check-in code, its QR image and a calendar file.
	KindConfirmed = domain.EmailConfirmed
	// KindCancelled acknowledges a cancellation, optionally with a message
	// from the organizers.
	KindCancelled = domain.EmailCancelled
	// KindWaitlisted tells the participant the event is full and asks them to
	// confirm the address while they wait.
	KindWaitlisted = domain.EmailWaitlisted
	// KindPromoted tells a waitlisted participant that a seat freed up; it
	// carries the same code, QR image and calendar file as KindConfirmed.
	KindPromoted = domain.EmailPromoted
	// KindReminder goes out shortly before the event starts.
	KindReminder = domain.EmailReminder
	// KindConfirmReminder nudges a participant who has not confirmed yet,
	// naming the deadline.
	KindConfirmReminder = domain.EmailConfirmReminder
	// KindInvitation asks someone added to an event's team to set a
	// password; it goes to an organizer, not a participant.
	KindInvitation = domain.EmailInvitation
	// KindUpdated tells participants what they changed in their
	// registration, so that a change they did not make does not go
	// unnoticed.
	KindUpdated = domain.EmailUpdated
	// KindCertificate links the certificate of attendance a participant has
	// earned, after the event (its link is ManageURL + "/certificate.pdf").
	KindCertificate = domain.EmailCertificate
	// KindParticipantInvitation invites a person to register, with their
	// personal link (InviteURL, BASE_URL/i/{token}), until Deadline.
	KindParticipantInvitation = domain.EmailParticipantInvitation
	// KindNominationRequest asks a country's focal point to nominate up to
	// Quota people for Delegation on their page (InviteURL,
	// BASE_URL/n/{token}).
	KindNominationRequest = domain.EmailNominationRequest
	// KindWebhookDisabled tells an organizer that their webhook endpoint
	// kept failing and was disabled; it names the endpoint's URL.
	KindWebhookDisabled = domain.EmailWebhookDisabled
	// KindMessage carries an organizer's message to participants (subject
	// and body are the organizer's) with a List-Unsubscribe link for that
	// event's messages.
	KindMessage = domain.EmailMessage
	// KindUnderReview acknowledges an application to an event that
	// requires approval and asks to confirm the address.
	KindUnderReview = domain.EmailUnderReview
	// KindApproved tells an applicant they have a seat, with an optional
	// message from the organizers; it carries the same code, QR image and
	// calendar file as KindConfirmed.
	KindApproved = domain.EmailApproved
	// KindApprovedConfirm tells an applicant approved into a free seat,
	// whose address is not confirmed yet, to confirm it to keep the seat.
	KindApprovedConfirm = domain.EmailApprovedConfirm
	// KindApprovedWaitlisted tells an applicant they were approved onto the
	// waiting list, and asks to confirm the address while they wait.
	KindApprovedWaitlisted = domain.EmailApprovedWaitlisted
	// KindRejected tells an applicant courteously that there is no place
	// for them, with an optional message from the organizers.
	KindRejected = domain.EmailRejected
)

// Kinds returns every notification kind, in a stable order. The renderer
// refuses to start unless each has templates in every language.
func Kinds() []Kind {
	return []Kind{
		KindConfirmRequest, KindAlreadyRegistered, KindConfirmed, KindCancelled,
		KindWaitlisted, KindPromoted, KindReminder, KindConfirmReminder, KindUpdated, KindInvitation, KindCertificate,
		KindParticipantInvitation, KindNominationRequest,
		KindWebhookDisabled,
		KindMessage,
		KindUnderReview, KindApproved, KindApprovedConfirm, KindApprovedWaitlisted, KindRejected,
	}
}

// ParseKind checks a stored kind name, so that a corrupt outbox row fails
// with a clear error instead of a missing template.
func ParseKind(s string) (Kind, error) {
	k := Kind(s)
	if !slices.Contains(Kinds(), k) {
		return "", fmt.Errorf("notify: unknown email kind %q", s)
	}
	return k, nil
}

// Languages returns the languages every email is written in.
func Languages() []string {
	return slices.Clone(domain.Languages)
}

// resolveLanguage picks the language to write in: the registration's own
// language if attend has templates for it, else the first of the event's
// languages that it has, else English. Tags like "ru-RU" count as their base
// language.
func resolveLanguage(lang string, eventLanguages []string) string {
	supported := Languages()
	for _, candidate := range append([]string{lang}, eventLanguages...) {
		if base := baseLanguage(candidate); slices.Contains(supported, base) {
			return base
		}
	}
	return "en"
}

// baseLanguage lower-cases a language tag and drops its region or script.
func baseLanguage(tag string) string {
	base := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	return base
}

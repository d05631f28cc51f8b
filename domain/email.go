package domain

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// EmailKind names an email template.
type EmailKind string

const (
	EmailConfirmRequest    EmailKind = "confirm_request"
	EmailAlreadyRegistered EmailKind = "already_registered"
	EmailConfirmed         EmailKind = "confirmed"
	EmailCancelled         EmailKind = "cancelled"
	EmailWaitlisted        EmailKind = "waitlisted"
	EmailPromoted          EmailKind = "promoted"
	EmailReminder          EmailKind = "reminder"
	EmailConfirmReminder   EmailKind = "confirm_reminder"
	// EmailInvitation asks someone added to an event's team, who has no
	// password yet, to set one. It belongs to no registration.
	EmailInvitation EmailKind = "invitation"
	// EmailUpdated tells participants what they changed in their
	// registration (see EditRegistration); no transition causes it.
	EmailUpdated EmailKind = "updated"
	// EmailCertificate links a participant's certificate of attendance,
	// once the event has ended and they meet its rule.
	EmailCertificate EmailKind = "certificate"
	// EmailParticipantInvitation invites a person to register, with their
	// personal link; EmailNominationRequest asks a country's focal point
	// to nominate participants. Neither belongs to a registration.
	EmailParticipantInvitation EmailKind = "participant_invitation"
	EmailNominationRequest     EmailKind = "nomination_request"
	// EmailWebhookDisabled tells the owner of a webhook endpoint that it
	// kept failing and was disabled. It belongs to no registration.
	EmailWebhookDisabled EmailKind = "webhook_disabled"
	// EmailUnderReview acknowledges an application to an event that asks
	// for approval, and asks the participant to confirm the address.
	EmailUnderReview EmailKind = "under_review"
	// EmailApproved tells an applicant that they have a seat; like
	// EmailConfirmed it carries the check-in code and a calendar file.
	EmailApproved EmailKind = "approved"
	// EmailApprovedConfirm tells an applicant approved into a free seat
	// who has not yet confirmed the address that the seat is held, and
	// asks to confirm it, as EmailConfirmRequest does a new registration.
	EmailApprovedConfirm EmailKind = "approved_confirm"
	// EmailApprovedWaitlisted tells an applicant they were approved while
	// every seat was held, so they are on the waiting list.
	EmailApprovedWaitlisted EmailKind = "approved_waitlisted"
	// EmailRejected tells an applicant, courteously, that the organizers
	// could not accept the application.
	EmailRejected EmailKind = "rejected"
)

// EmailStatus is where an outbox row stands.
type EmailStatus string

const (
	EmailQueued  EmailStatus = "queued"
	EmailSending EmailStatus = "sending"
	EmailSent    EmailStatus = "sent"
	EmailFailed  EmailStatus = "failed"
)

// MaxEmailsPerAddressHour bounds how many emails one address gets per event
// per hour, so that the form cannot be used to flood someone's inbox.
const MaxEmailsPerAddressHour = 3

// NewMessageID returns a fresh Message-ID (without angle brackets). It is
// chosen once when an email is queued and reused by every attempt.
func NewMessageID(host string, now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return now.UTC().Format("20060102") + "." + id + "@" + host
}

// Backoff is the retry schedule for temporary send failures: exponential
// from Base, capped at Max, with up to 20% jitter subtracted so that many
// failed rows do not retry in lock step.
type Backoff struct {
	Base, Max   time.Duration
	MaxAttempts int
}

// Delay returns how long to wait after the given failed attempt (1-based).
func (b Backoff) Delay(attempt int, jitter float64) time.Duration {
	d := b.Base
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	return d - time.Duration(float64(d)*0.2*jitter)
}

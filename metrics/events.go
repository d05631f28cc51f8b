package metrics

import (
	"context"
	"time"
)

// RegistrationOutcome is what became of a participant's registration
// request; each is one value of attend_registrations_total's outcome.
type RegistrationOutcome string

// The outcomes of a registration request.
const (
	Registered        RegistrationOutcome = "registered"         // a new registration, waiting for its address to be confirmed
	Waitlisted        RegistrationOutcome = "waitlisted"         // a new registration on the waiting list: every seat is held
	AlreadyRegistered RegistrationOutcome = "already_registered" // the address was registered already; its links were sent again
	Invalid           RegistrationOutcome = "invalid"            // the input was refused (422, 400, 413)
	Closed            RegistrationOutcome = "closed"             // registration is not open
	NotFound          RegistrationOutcome = "not_found"          // no such published event
	RateLimited       RegistrationOutcome = "rate_limited"       // too many requests from the client's address (429)
	Honeypot          RegistrationOutcome = "honeypot"           // the web form's hidden field was filled in: a bot, answered as a person and not kept
	Failed            RegistrationOutcome = "error"              // the database or another part failed (503, 500)
)

// Registration counts one registration request by its outcome.
func (m *Metrics) Registration(o RegistrationOutcome) {
	if m == nil {
		return
	}
	m.registrations.WithLabelValues(string(o)).Inc()
}

// EmailOutcome is what the worker recorded for an email after an attempt.
type EmailOutcome string

// The outcomes of an attempt to send an email.
const (
	EmailSent    EmailOutcome = "sent"
	EmailRetried EmailOutcome = "retried" // a temporary failure: another attempt is scheduled
	EmailFailed  EmailOutcome = "failed"  // given up: a permanent refusal, an email that cannot be built, or the last attempt
)

// Emails counts n emails with one outcome.
func (m *Metrics) Emails(o EmailOutcome, n int) {
	if m == nil || n == 0 {
		return
	}
	m.emails.WithLabelValues(string(o)).Add(float64(n))
}

// SMTPResult is how the SMTP server dealt with one message.
type SMTPResult string

// The results of sending one message.
const (
	SMTPAccepted SMTPResult = "accepted" // the server took the message
	SMTPRefused  SMTPResult = "refused"  // the server answered with a 4xx or 5xx reply
	SMTPError    SMTPResult = "error"    // the connection failed or timed out
)

// SMTPSend records how long the SMTP server took over one message.
func (m *Metrics) SMTPSend(r SMTPResult, took time.Duration) {
	if m == nil {
		return
	}
	m.smtp.WithLabelValues(string(r)).Observe(took.Seconds())
}

// Job wraps a periodic job so that each run is counted by name and result
// (ok or error) and timed. With a nil *Metrics it returns job itself.
func (m *Metrics) Job(name string, job func(context.Context) error) func(context.Context) error {
	if m == nil {
		return job
	}
	ok, failed := m.jobRuns.WithLabelValues(name, "ok"), m.jobRuns.WithLabelValues(name, "error")
	duration := m.jobDurations.WithLabelValues(name)
	return func(ctx context.Context) error {
		start := time.Now()
		err := job(ctx)
		duration.Observe(time.Since(start).Seconds())
		if err != nil {
			failed.Inc()
		} else {
			ok.Inc()
		}
		return err
	}
}

// RegisterBatch counts one statement of participants' registrations: how
// many requests it wrote and the longest any of them waited for it.
func (m *Metrics) RegisterBatch(requests int, waited time.Duration) {
	if m == nil {
		return
	}
	m.batchSize.WithLabelValues().Observe(float64(requests))
	m.batchWait.WithLabelValues().Observe(waited.Seconds())
}

package domain

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// EmailMessage is an organizer's message to participants (Message): the
// subject and body are the organizer's, the rest is attend's.
const EmailMessage EmailKind = "message"

// MessageState is where an organizer's message stands.
type MessageState string

const (
	MessageDraft     MessageState = "draft"     // written, not sent
	MessageScheduled MessageState = "scheduled" // goes out at SendAt
	MessageSending   MessageState = "sending"   // sent, but some wait for the per-address limit
	MessageSent      MessageState = "sent"      // its recipients are in the outbox
	MessageCancelled MessageState = "cancelled" // will not go out
)

// Sizes of a message.
const (
	MaxMessageSubject = 200   // characters
	MaxMessageBody    = 20000 // characters
	// DefaultMessagesPerAddressHour bounds how many organizer messages of
	// one event an address gets per hour (MESSAGES_PER_ADDRESS_HOUR):
	// higher than MaxEmailsPerAddressHour, which guards the public form.
	DefaultMessagesPerAddressHour = 10
	// DefaultMessageScheduleDaysAfterEnd is how long after its event ends
	// a message may still be scheduled (a thank-you, the slides), unless
	// MESSAGE_SCHEDULE_DAYS_AFTER_END says otherwise: a send_at later than
	// that is a typo rather than a plan.
	DefaultMessageScheduleDaysAfterEnd = 30
)

// MessageText is a message in one language. An empty field falls back to
// the text of the event's main language.
type MessageText struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// MessageTexts are a message's texts by language code.
type MessageTexts map[string]MessageText

// In returns the message in lang, each field falling back to main's.
func (t MessageTexts) In(lang, main string) MessageText {
	out, fallback := t[lang], t[main]
	if strings.TrimSpace(out.Subject) == "" {
		out.Subject = fallback.Subject
	}
	if strings.TrimSpace(out.Body) == "" {
		out.Body = fallback.Body
	}
	return out
}

// MessageStatuses are the statuses a message may be written to: people who
// hold or wait for a seat. Cancelled and expired registrations never get
// one, whatever the filter says.
var MessageStatuses = []Status{StatusPending, StatusConfirmed, StatusWaitlisted}

// MessageFilter chooses a message's recipients among an event's
// participants; every part given must hold, an empty part holds for all.
type MessageFilter struct {
	Statuses    []Status `json:"statuses,omitempty"`     // any of; empty: every MessageStatuses
	Delegation  string   `json:"delegation,omitempty"`   // a country's or an organization's code
	Role        string   `json:"role,omitempty"`         // one of Roles
	Attended    []Date   `json:"attended,omitempty"`     // checked in on every one of these days
	NotAttended []Date   `json:"not_attended,omitempty"` // checked in on none of these days
	// Answers are "key:value" filters on choice and yes/no questions, as
	// the registration list takes them (Questions.AnswerFilters).
	Answers []string `json:"answers,omitempty"`
}

// StatusList is the statuses the filter asks for, as strings for SQL.
func (f MessageFilter) StatusList() []string {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = MessageStatuses
	}
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = string(s)
	}
	return out
}

// Message is an organizer's message to an event's participants.
type Message struct {
	ID        int64         `json:"id" db:"id"`
	EventID   int64         `json:"-" db:"event_id"`
	AuthorID  *int64        `json:"-" db:"author_id"`
	Texts     MessageTexts  `json:"texts" db:"-"`
	Filter    MessageFilter `json:"filter" db:"-"`
	State     MessageState  `json:"state" db:"state"`
	SendAt    *time.Time    `json:"send_at" db:"send_at"`
	SentAt    *time.Time    `json:"sent_at" db:"sent_at"`
	CreatedAt time.Time     `json:"created_at" db:"created_at"`
}

// MessageInput is a message as an organizer writes it.
type MessageInput struct {
	Texts  MessageTexts  `json:"texts"`
	Filter MessageFilter `json:"filter"`
	// SendAt schedules the message; nil sends it when asked (Send).
	SendAt *time.Time `json:"send_at"`
	// Send sends the message at once when it is created (without SendAt).
	Send bool `json:"send"`
}

// CheckMessage validates a message for ev, naming every bad field at once.
// delegations knows the organizations a delegation may name; SendAt must
// come after now and at most daysAfterEnd days after the event ends. It
// returns the answer filters in the store's
// form (key → value).
func CheckMessage(in *MessageInput, ev *Event, delegations *Delegations, now time.Time, daysAfterEnd int) (map[string]any, error) {
	var fields []FieldError
	main := ev.Languages[0]
	if t, ok := in.Texts[main]; !ok || strings.TrimSpace(t.Subject) == "" || strings.TrimSpace(t.Body) == "" {
		fields = append(fields, FieldError{Field: "texts." + main, Code: "required",
			Message: fmt.Sprintf("The message needs a subject and a body in the event's main language (%s).", main)})
	}
	for _, lang := range slices.Sorted(maps.Keys(in.Texts)) {
		t := in.Texts[lang]
		t.Subject, t.Body = CleanText(t.Subject), strings.TrimSpace(t.Body)
		in.Texts[lang] = t
		if !slices.Contains(Languages, lang) {
			fields = append(fields, FieldError{Field: "texts." + lang, Code: "oneof", Param: "en ru uz",
				Message: "Texts may be given for en, ru and uz only."})
			continue
		}
		if utf8.RuneCountInString(t.Subject) > MaxMessageSubject || HasControl(t.Subject) {
			fields = append(fields, FieldError{Field: "texts." + lang + ".subject", Code: "max", Param: "200",
				Message: "A subject is one line of at most 200 characters."})
		}
		if !utf8.ValidString(t.Body) || utf8.RuneCountInString(t.Body) > MaxMessageBody || strings.ContainsRune(t.Body, 0) {
			fields = append(fields, FieldError{Field: "texts." + lang + ".body", Code: "max", Param: "20000",
				Message: "A body is text of at most 20000 characters."})
		}
	}
	f := &in.Filter
	for _, s := range f.Statuses {
		if !slices.Contains(MessageStatuses, s) {
			fields = append(fields, NewFieldError("filter.statuses", "oneof", oneOf(MessageStatuses)))
			break
		}
	}
	if f.Delegation != "" {
		code, ok := delegations.Canonical(f.Delegation)
		if !ok {
			fields = append(fields, NewFieldError("filter.delegation", "delegation", ""))
		}
		f.Delegation = code
	}
	if f.Role != "" && !slices.Contains(Roles, f.Role) {
		fields = append(fields, NewFieldError("filter.role", "oneof", strings.Join(Roles, " ")))
	}
	for name, days := range map[string][]Date{"filter.attended": f.Attended, "filter.not_attended": f.NotAttended} {
		for _, d := range days {
			if !ev.HasDay(d) {
				fields = append(fields, FieldError{Field: name, Code: "day", Param: d.String(),
					Message: "Days must be days of the event."})
				break
			}
		}
	}
	answers, bad := ev.Questions.AnswerFilters(f.Answers)
	for i := range bad {
		bad[i].Field = "filter.answers"
	}
	fields = append(fields, bad...)
	switch last := ev.EndsAt().AddDate(0, 0, daysAfterEnd); {
	case in.SendAt == nil:
	case in.Send:
		fields = append(fields, FieldError{Field: "send_at", Code: "excluded_with", Param: "send",
			Message: "Give send_at to schedule the message or send to send it now, not both."})
	case !in.SendAt.After(now):
		fields = append(fields, FieldError{Field: "send_at", Code: "future",
			Message: "A message can be scheduled for a time to come only."})
	case in.SendAt.After(last):
		fields = append(fields, FieldError{Field: "send_at", Code: "max", Param: last.UTC().Format(time.RFC3339),
			Message: fmt.Sprintf("A message can be scheduled until %d days after the event ends (%s) at the latest.",
				daysAfterEnd, last.UTC().Format(time.RFC3339))})
	}
	slices.SortStableFunc(fields, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return answers, ValidationError(fields)
}

// Language is the language a reader of lang gets the body in: lang when
// the message has a body in it, else the main language it falls back to.
func (t MessageTexts) Language(lang, main string) string {
	if strings.TrimSpace(t[lang].Body) == "" {
		return main
	}
	return lang
}

// ApplyMessageSubjectName puts the participant's name where the subject
// says {name}. The name loses line breaks and other control characters
// first, so that it cannot add a header to the email.
func ApplyMessageSubjectName(subject, name string) string {
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
	return strings.ReplaceAll(subject, "{name}", name)
}

// ApplyMessageName puts the participant's name where the body says {name},
// the one placeholder a message offers.
func ApplyMessageName(body, name string) string {
	return strings.ReplaceAll(body, "{name}", name)
}

package domain

import (
	"slices"
	"strings"
	"time"
)

// Event is a workshop people register for. It carries no personal data, so
// published events are shown to anyone.
type Event struct {
	ID                   int64      `json:"-" db:"id"`
	Slug                 string     `json:"slug" db:"slug" validate:"required,max=64,slug"`
	Title                string     `json:"title" db:"title" validate:"required,max=200,nocontrol"`
	Description          string     `json:"description" db:"description" validate:"max=10000"`
	Venue                string     `json:"venue" db:"venue" validate:"max=200,nocontrol"`
	City                 string     `json:"city" db:"city" validate:"max=100,nocontrol"`
	Country              string     `json:"country" db:"country" validate:"required,iso3166"`
	Timezone             string     `json:"timezone" db:"timezone" validate:"required,iana_tz"`
	StartsOn             Date       `json:"starts_on" db:"starts_on"`
	EndsOn               Date       `json:"ends_on" db:"ends_on"`
	DayStartsAt          string     `json:"day_starts_at" db:"day_starts_at" validate:"required,clock"`
	DayEndsAt            string     `json:"day_ends_at" db:"day_ends_at" validate:"required,clock"`
	Capacity             *int       `json:"capacity" db:"capacity" validate:"omitempty,min=1,max=1000000"`
	SeatsHeld            int        `json:"seats_held" db:"seats_held"`
	RegistrationOpensAt  *time.Time `json:"registration_opens_at" db:"registration_opens_at"`
	RegistrationClosesAt *time.Time `json:"registration_closes_at" db:"registration_closes_at"`
	CoOrganizers         []string   `json:"co_organizers" db:"-" validate:"max=20,dive,required,max=200,nocontrol"`
	Languages            []string   `json:"languages" db:"-" validate:"required,min=1,unique,dive,oneof=en ru uz"`
	Published            bool       `json:"published" db:"published"`
	ConfirmWithinHours   int        `json:"confirm_within_hours" db:"confirm_within_hours" validate:"min=1,max=2160"`
	ReminderDaysBefore   int        `json:"reminder_days_before" db:"reminder_days_before" validate:"min=0,max=30"`
	RetentionDays        int        `json:"retention_days" db:"retention_days" validate:"min=1,max=3650"`
	// InvitationOnly takes a participant's registration only through a
	// personal invitation link (invitee.go); organizers' walk-ins and
	// imports are not asked for one.
	InvitationOnly bool `json:"invitation_only" db:"invitation_only"`
	// RequiresApproval makes a participant's registration an application
	// that an organizer approves or rejects (issue 17).
	RequiresApproval bool `json:"requires_approval" db:"requires_approval"`
	// VisaLetters are the event's settings for visa invitation letters;
	// nil when it offers none (visa.go).
	VisaLetters *VisaLetters `json:"visa_letters" db:"-"`
	CreatedAt   time.Time    `json:"created_at" db:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at" db:"updated_at"`

	// Organizers' additions (issue 15): the event's texts in other
	// languages (translation.go).
	Translations EventTranslations `json:"translations" db:"-"`

	// Questions are the event's custom questions (question.go); the JSON
	// shows those asked now.
	Questions Questions `json:"questions" db:"-"`

	loc *time.Location // the resolved Timezone, when known
}

// ReservedSlugs are addresses the dashboard uses for pages of its own
// (/admin/events/new), so no event may have them.
var ReservedSlugs = []string{"new"}

// EventInput is the body of POST and PATCH /api/v1/events. Every field is
// Optional so that PATCH changes only what was sent.
type EventInput struct {
	Slug                 Optional[string]   `json:"slug"`
	Title                Optional[string]   `json:"title"`
	Description          Optional[string]   `json:"description"`
	Venue                Optional[string]   `json:"venue"`
	City                 Optional[string]   `json:"city"`
	Country              Optional[string]   `json:"country"`
	Timezone             Optional[string]   `json:"timezone"`
	StartsOn             Optional[string]   `json:"starts_on"`
	EndsOn               Optional[string]   `json:"ends_on"`
	DayStartsAt          Optional[string]   `json:"day_starts_at"`
	DayEndsAt            Optional[string]   `json:"day_ends_at"`
	Capacity             Optional[int]      `json:"capacity"`
	RegistrationOpensAt  Optional[string]   `json:"registration_opens_at"`
	RegistrationClosesAt Optional[string]   `json:"registration_closes_at"`
	CoOrganizers         Optional[[]string] `json:"co_organizers"`
	Languages            Optional[[]string] `json:"languages"`
	Published            Optional[bool]     `json:"published"`
	ConfirmWithinHours   Optional[int]      `json:"confirm_within_hours"`
	ReminderDaysBefore   Optional[int]      `json:"reminder_days_before"`
	RetentionDays        Optional[int]      `json:"retention_days"`
	InvitationOnly       Optional[bool]     `json:"invitation_only"`
	RequiresApproval     Optional[bool]     `json:"requires_approval"`
	// VisaLetters replaces the event's letter settings; null offers none.
	VisaLetters Optional[*VisaLetters] `json:"visa_letters"`

	// Organizers' additions (issue 15): languages sent replace their text,
	// null removes one (translation.go).
	Translations Optional[map[string]*EventText] `json:"translations"`

	// Questions replaces the event's custom questions, in order (see
	// SetQuestions for what happens to those left out).
	Questions Optional[[]QuestionInput] `json:"questions"`
}

// Location returns the event's time zone; Timezone is validated on input,
// so UTC is only a guard against rows written by other means. The zone is
// kept once resolved (see ResolveLocation), since loading it reads the zone
// database from disk and pages ask for it many times.
func (e *Event) Location() *time.Location {
	if e.loc != nil && e.loc.String() == e.Timezone {
		return e.loc
	}
	loc, err := time.LoadLocation(e.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ResolveLocation loads and keeps the event's time zone. The store calls it
// when it reads an event, before the event is shared.
func (e *Event) ResolveLocation() {
	if loc, err := time.LoadLocation(e.Timezone); err == nil {
		e.loc = loc
	}
}

// Days lists the event's dates, one attendance day each.
func (e *Event) Days() []Date {
	var out []Date
	for d := e.StartsOn; !d.After(e.EndsOn); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// HasDay reports whether d is one of the event's dates.
func (e *Event) HasDay(d Date) bool { return !d.Before(e.StartsOn) && !d.After(e.EndsOn) }

// EndsAt is the moment the last day ends, in the event's time zone.
func (e *Event) EndsAt() time.Time {
	return e.clock(e.EndsOn, e.DayEndsAt)
}

// StartsAt is the moment the first day starts, in the event's time zone.
func (e *Event) StartsAt() time.Time {
	return e.clock(e.StartsOn, e.DayStartsAt)
}

func (e *Event) clock(d Date, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		t = time.Time{}
	}
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, t.Hour(), t.Minute(), 0, 0, e.Location())
}

// SeatsLeft is nil for unlimited events.
func (e *Event) SeatsLeft() *int {
	if e.Capacity == nil {
		return nil
	}
	left := max(*e.Capacity-e.SeatsHeld, 0)
	return &left
}

// Closure says why registration is not open at now, or "" when it is.
type Closure string

const (
	NotYetOpen Closure = "not_yet_open"
	Closed     Closure = "closed"
	Past       Closure = "past"
)

// RegistrationClosure decides whether registration is open at now. An event
// that has ended is always closed, whatever its window says.
func (e *Event) RegistrationClosure(now time.Time) Closure {
	switch {
	case !now.Before(e.EndsAt()):
		return Past
	case e.RegistrationOpensAt != nil && now.Before(*e.RegistrationOpensAt):
		return NotYetOpen
	case e.RegistrationClosesAt != nil && !now.Before(*e.RegistrationClosesAt):
		return Closed
	}
	return ""
}

// NewEvent validates a creation request. Fields not sent take defaults.
func (r *Rules) NewEvent(in EventInput) (*Event, error) {
	ev := &Event{
		DayStartsAt:        "09:00",
		DayEndsAt:          "18:00",
		Languages:          []string{"en"},
		CoOrganizers:       []string{},
		Translations:       EventTranslations{},
		Published:          true,
		ConfirmWithinHours: 72,
		ReminderDaysBefore: 1,
		RetentionDays:      365,
	}
	var fields []FieldError
	for _, f := range []struct {
		name string
		set  bool
	}{{"slug", in.Slug.Set}, {"title", in.Title.Set}, {"country", in.Country.Set},
		{"timezone", in.Timezone.Set}, {"starts_on", in.StartsOn.Set}, {"ends_on", in.EndsOn.Set}} {
		if !f.set {
			fields = append(fields, NewFieldError(f.name, "required", ""))
		}
	}
	fields = append(fields, r.apply(ev, in, true)...)
	return ev, ValidationError(dedupe(fields))
}

// ApplyPatch changes ev by the fields sent and validates the result as a
// whole, so a PATCH cannot leave an event in a state POST would refuse.
func (r *Rules) ApplyPatch(ev *Event, in EventInput) error {
	var fields []FieldError
	if in.Slug.Set && (in.Slug.Null || in.Slug.Value != ev.Slug) {
		fields = append(fields, NewFieldError("slug", "readonly", ""))
	}
	fields = append(fields, r.apply(ev, in, false)...)
	return ValidationError(dedupe(fields))
}

func (r *Rules) apply(ev *Event, in EventInput, creating bool) []FieldError {
	var fields []FieldError
	nullErr := func(name string) { fields = append(fields, NewFieldError(name, "null", "")) }
	str := func(name string, o Optional[string], dst *string) {
		if !o.Set {
			return
		}
		if o.Null {
			nullErr(name)
			return
		}
		*dst = CleanText(o.Value)
	}
	if creating {
		str("slug", in.Slug, &ev.Slug)
	}
	str("title", in.Title, &ev.Title)
	str("description", in.Description, &ev.Description)
	str("venue", in.Venue, &ev.Venue)
	str("city", in.City, &ev.City)
	str("timezone", in.Timezone, &ev.Timezone)
	str("day_starts_at", in.DayStartsAt, &ev.DayStartsAt)
	str("day_ends_at", in.DayEndsAt, &ev.DayEndsAt)
	if in.Country.Set {
		str("country", in.Country, &ev.Country)
		ev.Country = strings.ToUpper(ev.Country)
	}
	date := func(name string, o Optional[string], dst *Date) {
		if !o.Set {
			return
		}
		if o.Null {
			nullErr(name)
			return
		}
		d, err := ParseDate(o.Value)
		if err != nil {
			fields = append(fields, NewFieldError(name, "date", ""))
			return
		}
		*dst = d
	}
	date("starts_on", in.StartsOn, &ev.StartsOn)
	date("ends_on", in.EndsOn, &ev.EndsOn)
	if in.Capacity.Set {
		if in.Capacity.Null {
			ev.Capacity = nil
		} else {
			c := in.Capacity.Value
			ev.Capacity = &c
		}
	}
	instant := func(name string, o Optional[string], dst **time.Time) {
		if !o.Set {
			return
		}
		if o.Null || strings.TrimSpace(o.Value) == "" {
			*dst = nil
			return
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(o.Value))
		if err != nil {
			fields = append(fields, NewFieldError(name, "datetime", ""))
			return
		}
		*dst = &t
	}
	instant("registration_opens_at", in.RegistrationOpensAt, &ev.RegistrationOpensAt)
	instant("registration_closes_at", in.RegistrationClosesAt, &ev.RegistrationClosesAt)
	if in.CoOrganizers.Set {
		ev.CoOrganizers = []string{}
		if !in.CoOrganizers.Null {
			for _, s := range in.CoOrganizers.Value {
				ev.CoOrganizers = append(ev.CoOrganizers, CleanText(s))
			}
		}
	}
	if in.Languages.Set {
		if in.Languages.Null {
			nullErr("languages")
		} else {
			ev.Languages = nil
			for _, s := range in.Languages.Value {
				ev.Languages = append(ev.Languages, strings.ToLower(CleanText(s)))
			}
		}
	}
	if in.Published.Set {
		if in.Published.Null {
			nullErr("published")
		} else {
			ev.Published = in.Published.Value
		}
	}
	if in.ReminderDaysBefore.Set {
		if in.ReminderDaysBefore.Null {
			nullErr("reminder_days_before")
		} else {
			ev.ReminderDaysBefore = in.ReminderDaysBefore.Value
		}
	}
	if in.RetentionDays.Set {
		if in.RetentionDays.Null {
			nullErr("retention_days")
		} else {
			ev.RetentionDays = in.RetentionDays.Value
		}
	}
	if in.InvitationOnly.Set {
		if in.InvitationOnly.Null {
			nullErr("invitation_only")
		} else {
			ev.InvitationOnly = in.InvitationOnly.Value
		}
	}
	if in.RequiresApproval.Set {
		if in.RequiresApproval.Null {
			nullErr("requires_approval")
		} else {
			ev.RequiresApproval = in.RequiresApproval.Value
		}
	}
	if in.VisaLetters.Set {
		ev.VisaLetters = nil
		if v := in.VisaLetters.Value; !in.VisaLetters.Null && v != nil {
			fields = append(fields, CheckVisaLetters(v)...)
			ev.VisaLetters = v
		}
	}
	if in.ConfirmWithinHours.Set {
		if in.ConfirmWithinHours.Null {
			nullErr("confirm_within_hours")
		} else {
			ev.ConfirmWithinHours = in.ConfirmWithinHours.Value
		}
	}

	if in.Translations.Set {
		if in.Translations.Null {
			ev.Translations = EventTranslations{}
		} else {
			fields = append(fields, mergeTranslations(ev, in.Translations.Value)...)
		}
	}

	fields = append(fields, applyQuestions(ev, in.Questions)...)

	fields = append(fields, r.validate(ev)...)
	fields = append(fields, validateTranslations(ev)...)
	if creating && slices.Contains(ReservedSlugs, ev.Slug) {
		fields = append(fields, NewFieldError("slug", "reserved", ""))
	}
	// Cross-field rules, only when both sides are themselves valid.
	if !ev.StartsOn.IsZero() && !ev.EndsOn.IsZero() && !hasField(fields, "starts_on", "ends_on") {
		if ev.EndsOn.Before(ev.StartsOn) {
			fields = append(fields, NewFieldError("ends_on", "after", "starts_on"))
		} else if len(ev.Days()) > 31 {
			fields = append(fields, NewFieldError("ends_on", "max", "31 days after starts_on"))
		}
	}
	if !hasField(fields, "day_starts_at", "day_ends_at") && ev.DayEndsAt <= ev.DayStartsAt {
		fields = append(fields, NewFieldError("day_ends_at", "after", "day_starts_at"))
	}
	if ev.RegistrationOpensAt != nil && ev.RegistrationClosesAt != nil &&
		!ev.RegistrationClosesAt.After(*ev.RegistrationOpensAt) {
		fields = append(fields, NewFieldError("registration_closes_at", "after", "registration_opens_at"))
	}
	return fields
}

func hasField(fields []FieldError, names ...string) bool {
	for _, f := range fields {
		for _, n := range names {
			if f.Field == n {
				return true
			}
		}
	}
	return false
}

// dedupe keeps the first error per field: "required" says more than the
// "slug" pattern failure that follows from an empty value.
func dedupe(fields []FieldError) []FieldError {
	seen := map[string]bool{}
	out := fields[:0]
	for _, f := range fields {
		if seen[f.Field] {
			continue
		}
		seen[f.Field] = true
		out = append(out, f)
	}
	return out
}

package domain

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// EventState is where an event stands in its life, as the dashboard shows
// it: draft → published → registration closed → past.
type EventState string

const (
	// StateDraft is an unpublished event: only its team sees it.
	StateDraft EventState = "draft"
	// StatePublished is public; registration is open, or will open.
	StatePublished EventState = "published"
	// StateRegistrationClosed is public, the registration window is over,
	// and the event has not ended.
	StateRegistrationClosed EventState = "registration_closed"
	// StatePast is an event that has ended.
	StatePast EventState = "past"
)

// EventStates lists the states in their order.
var EventStates = []EventState{StateDraft, StatePublished, StateRegistrationClosed, StatePast}

// State is e's state at now. A draft stays a draft whatever its dates:
// publishing is the organizers' decision.
func (e *Event) State(now time.Time) EventState {
	switch {
	case !e.Published:
		return StateDraft
	case e.RegistrationClosure(now) == Past:
		return StatePast
	case e.RegistrationClosure(now) == Closed:
		return StateRegistrationClosed
	}
	return StatePublished
}

// ChangedFields names, by their JSON names, the fields that differ between
// two versions of an event, for the audit log (which keeps the names, not
// the values).
func ChangedFields(before, after *Event) []string {
	var out []string
	add := func(name string, changed bool) {
		if changed {
			out = append(out, name)
		}
	}
	timeEq := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	intEq := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	add("title", before.Title != after.Title)
	add("description", before.Description != after.Description)
	add("venue", before.Venue != after.Venue)
	add("city", before.City != after.City)
	add("country", before.Country != after.Country)
	add("timezone", before.Timezone != after.Timezone)
	add("starts_on", !before.StartsOn.Equal(after.StartsOn))
	add("ends_on", !before.EndsOn.Equal(after.EndsOn))
	add("day_starts_at", before.DayStartsAt != after.DayStartsAt)
	add("day_ends_at", before.DayEndsAt != after.DayEndsAt)
	add("capacity", !intEq(before.Capacity, after.Capacity))
	add("registration_opens_at", !timeEq(before.RegistrationOpensAt, after.RegistrationOpensAt))
	add("registration_closes_at", !timeEq(before.RegistrationClosesAt, after.RegistrationClosesAt))
	add("co_organizers", !slices.Equal(before.CoOrganizers, after.CoOrganizers))
	add("languages", !slices.Equal(before.Languages, after.Languages))
	add("published", before.Published != after.Published)
	add("confirm_within_hours", before.ConfirmWithinHours != after.ConfirmWithinHours)
	add("invitation_only", before.InvitationOnly != after.InvitationOnly)
	add("reminder_days_before", before.ReminderDaysBefore != after.ReminderDaysBefore)
	add("retention_days", before.RetentionDays != after.RetentionDays)
	add("requires_approval", before.RequiresApproval != after.RequiresApproval)
	add("visa_letters", !reflect.DeepEqual(before.VisaLetters, after.VisaLetters))
	add("translations", !translationsEqual(before.Translations, after.Translations))
	return out
}

func translationsEqual(a, b EventTranslations) bool {
	if len(a) != len(b) {
		return false
	}
	for lang, ta := range a {
		tb, ok := b[lang]
		if !ok || ta.Title != tb.Title || ta.Description != tb.Description || ta.Venue != tb.Venue ||
			ta.City != tb.City || !slices.Equal(ta.CoOrganizers, tb.CoOrganizers) {
			return false
		}
	}
	return true
}

// yearPattern finds a year in a slug ("egov-tashkent-2019").
var yearPattern = regexp.MustCompile(`(^|-)(19|20)[0-9]{2}(-|$)`)

// Duplicate is "the same as last year, new dates": a creation request with
// everything of e, its translations included, moved by whole years to the
// first year in which it starts after today, with the registration window
// moved alike. The copy is a draft, and its slug names the new year
// (the old year in the slug replaced, or the year appended). The organizer
// reviews it on the new-event form before anything is stored.
func (e *Event) Duplicate(now time.Time) EventInput {
	today := DateOf(now.In(e.Location()))
	years := 1
	for !e.StartsOn.AddYears(years).After(today) {
		years++
	}
	start, end := e.StartsOn.AddYears(years), e.EndsOn.AddYears(years)
	year := strconv.Itoa(start.Time().Year())
	slug := e.Slug
	if loc := yearPattern.FindStringSubmatchIndex(slug); loc != nil {
		slug = slug[:loc[4]] + year + slug[loc[4]+4:]
	} else {
		slug += "-" + year
	}
	in := EventInput{
		Slug: Some(slug), Title: Some(e.Title), Description: Some(e.Description), Venue: Some(e.Venue),
		City: Some(e.City), Country: Some(e.Country), Timezone: Some(e.Timezone),
		StartsOn: Some(start.String()), EndsOn: Some(end.String()),
		DayStartsAt: Some(e.DayStartsAt), DayEndsAt: Some(e.DayEndsAt),
		CoOrganizers: Some(slices.Clone(e.CoOrganizers)), Languages: Some(slices.Clone(e.Languages)),
		Published:          Some(false),
		ConfirmWithinHours: Some(e.ConfirmWithinHours), ReminderDaysBefore: Some(e.ReminderDaysBefore),
		RetentionDays: Some(e.RetentionDays),
	}
	if e.Capacity != nil {
		in.Capacity = Some(*e.Capacity)
	} else {
		in.Capacity = Optional[int]{Set: true, Null: true}
	}
	shift := func(t *time.Time) Optional[string] {
		if t == nil {
			return Optional[string]{Set: true, Null: true}
		}
		return Some(t.In(e.Location()).AddDate(years, 0, 0).Format(time.RFC3339))
	}
	in.RegistrationOpensAt = shift(e.RegistrationOpensAt)
	in.RegistrationClosesAt = shift(e.RegistrationClosesAt)
	tr := map[string]*EventText{}
	for lang, t := range e.Translations {
		t.CoOrganizers = slices.Clone(t.CoOrganizers)
		tr[lang] = &t
	}
	in.Translations = Some(tr)
	return in
}

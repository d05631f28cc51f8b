package admin

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
)

// The event form (GET /admin/events/new, /admin/events/{slug}/edit) edits
// every field of domain.EventInput. It reads into the input the JSON API
// decodes, so the same rules judge both, and it is drawn from url.Values,
// so what was typed comes back as typed when a rule refuses it.

// localDateTime is how <input type="datetime-local"> sends a moment: a
// wall-clock time, which the form reads in the event's time zone.
const localDateTime = "2006-01-02T15:04"

// eventInputOf reads the event form. creating says whether the slug and the
// publish box are part of it. Numbers that are not numbers are field errors
// of their own ("type"), reported with the rules' errors.
func eventInputOf(form url.Values, creating bool) (domain.EventInput, []domain.FieldError) {
	var in domain.EventInput
	var fields []domain.FieldError
	text := func(name string) domain.Optional[string] { return domain.Some(form.Get(name)) }
	if creating {
		in.Slug = text("slug")
		in.Published = domain.Some(form.Has("published"))
	}
	in.InvitationOnly = domain.Some(form.Has("invitation_only"))
	// The form always shows the approval box, so an unticked box means no.
	in.RequiresApproval = domain.Some(form.Has("requires_approval"))
	in.VisaLetters = visaLettersInput(form)
	in.Title, in.Description, in.Venue, in.City = text("title"), text("description"), text("venue"), text("city")
	in.Country, in.Timezone = text("country"), text("timezone")
	in.StartsOn, in.EndsOn = text("starts_on"), text("ends_on")
	in.DayStartsAt, in.DayEndsAt = text("day_starts_at"), text("day_ends_at")
	number := func(name string, dst *domain.Optional[int], emptyIsNull bool) {
		v := strings.TrimSpace(form.Get(name))
		switch {
		case v == "" && emptyIsNull:
			*dst = domain.Optional[int]{Set: true, Null: true}
		case v == "":
			// Not sent: a new event takes the default, an edit keeps its value.
		default:
			n, err := strconv.Atoi(v)
			if err != nil {
				fields = append(fields, domain.NewFieldError(name, "type", "integer"))
				return
			}
			*dst = domain.Some(n)
		}
	}
	number("capacity", &in.Capacity, true)
	number("confirm_within_hours", &in.ConfirmWithinHours, false)
	number("reminder_days_before", &in.ReminderDaysBefore, false)
	number("retention_days", &in.RetentionDays, false)
	zone, err := time.LoadLocation(strings.TrimSpace(form.Get("timezone")))
	if err != nil || strings.TrimSpace(form.Get("timezone")) == "" {
		zone = time.UTC // the time zone's own error says what is wrong
	}
	in.RegistrationOpensAt = instant(form.Get("registration_opens_at"), zone)
	in.RegistrationClosesAt = instant(form.Get("registration_closes_at"), zone)
	in.CoOrganizers = domain.Some(slices.DeleteFunc(lines(form.Get("co_organizers")), func(s string) bool { return s == "" }))
	in.Languages = domain.Some(form["languages"])
	if in.Languages.Value == nil {
		in.Languages.Value = []string{}
	}
	tr := map[string]*domain.EventText{}
	for _, lang := range domain.Languages {
		p := "translations." + lang + "."
		t := &domain.EventText{Title: form.Get(p + "title"), Description: form.Get(p + "description"),
			Venue: form.Get(p + "venue"), City: form.Get(p + "city"), CoOrganizers: lines(form.Get(p + "co_organizers"))}
		if t.IsZero() {
			t = nil // an emptied column removes the language
		}
		tr[lang] = t
	}
	in.Translations = domain.Some(tr)
	return in, fields
}

// instant turns a datetime-local value into RFC 3339 in zone; "" clears the
// moment, and anything else unreadable goes to the rules as it is, to be
// refused as a datetime.
func instant(v string, zone *time.Location) domain.Optional[string] {
	v = strings.TrimSpace(v)
	if v == "" {
		return domain.Some("")
	}
	if t, err := time.ParseInLocation(localDateTime, v, zone); err == nil {
		return domain.Some(t.Format(time.RFC3339))
	}
	if t, err := time.ParseInLocation(localDateTime+":05", v, zone); err == nil {
		return domain.Some(t.Format(time.RFC3339))
	}
	return domain.Some(v)
}

// lines splits a box of one entry per line, dropping empty lines. A
// translation's co-organizers keep their places: an empty line there stands
// for a name not translated.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// eventValues is an event as the form shows it.
func eventValues(ev *domain.Event) url.Values {
	v := url.Values{}
	set := func(name, value string) { v.Set(name, value) }
	set("slug", ev.Slug)
	set("title", ev.Title)
	set("description", ev.Description)
	set("venue", ev.Venue)
	set("city", ev.City)
	set("country", ev.Country)
	set("timezone", ev.Timezone)
	set("starts_on", ev.StartsOn.String())
	set("ends_on", ev.EndsOn.String())
	set("day_starts_at", ev.DayStartsAt)
	set("day_ends_at", ev.DayEndsAt)
	if ev.Capacity != nil {
		set("capacity", strconv.Itoa(*ev.Capacity))
	}
	local := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(ev.Location()).Format(localDateTime)
	}
	set("registration_opens_at", local(ev.RegistrationOpensAt))
	set("registration_closes_at", local(ev.RegistrationClosesAt))
	set("confirm_within_hours", strconv.Itoa(ev.ConfirmWithinHours))
	set("reminder_days_before", strconv.Itoa(ev.ReminderDaysBefore))
	set("retention_days", strconv.Itoa(ev.RetentionDays))
	set("co_organizers", strings.Join(ev.CoOrganizers, "\n"))
	v["languages"] = slices.Clone(ev.Languages)
	if ev.Published {
		set("published", "on")
	}
	if ev.InvitationOnly {
		set("invitation_only", "on")
	}
	if ev.RequiresApproval {
		set("requires_approval", "on")
	}
	setVisaValues(v, ev)
	for lang, t := range ev.Translations {
		p := "translations." + lang + "."
		set(p+"title", t.Title)
		set(p+"description", t.Description)
		set(p+"venue", t.Venue)
		set(p+"city", t.City)
		set(p+"co_organizers", strings.Join(t.CoOrganizers, "\n"))
	}
	return v
}

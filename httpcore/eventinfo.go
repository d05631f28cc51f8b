package httpcore

import (
	"strings"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// EventInfo is what pages show about an event: the public event page, and
// the dashboard's pages of it (the "event-facts" partial draws it).
type EventInfo struct {
	Slug, Title, Dates, Hours, Venue, Place string
	CoOrganizers, Languages, Description    []string
	Seats                                   string // "12 seats left"; empty without a capacity
	Full                                    bool
	State, StateClass                       string
}

// RegistrationState names an event's registration state for people: a
// message id and a CSS class.
func (s *Core) RegistrationState(ev *domain.Event) (id, class string) {
	switch ev.RegistrationClosure(s.Now()) {
	case domain.Past:
		return "state.past", "muted"
	case domain.Closed:
		return "state.closed", "muted"
	case domain.NotYetOpen:
		return "state.not_yet_open", "muted"
	}
	if IsFull(ev) {
		return "state.waitlist", "warn"
	}
	return "state.open", "ok"
}

// EventInfo describes ev for people in l's language: its texts are the
// translation into that language where the organizers gave one.
func (s *Core) EventInfo(ev *domain.Event, l *i18n.Localizer) EventInfo {
	lang := l.Lang()
	ev = ev.In(lang)
	loc := ev.Location()
	start, end := ev.StartsAt(), ev.EndsAt()
	info := EventInfo{
		Slug:         ev.Slug,
		Title:        ev.Title,
		Dates:        i18n.FormatDateRange(lang, ev.StartsOn.In(loc), ev.EndsOn.In(loc)),
		Hours:        l.T("event.hours_value", map[string]any{"Start": ev.DayStartsAt, "End": ev.DayEndsAt, "Zone": utcOffset(start)}),
		Venue:        ev.Venue,
		CoOrganizers: ev.CoOrganizers,
		Full:         IsFull(ev),
	}
	if utcOffset(start) != utcOffset(end) { // a clock change during the event
		info.Hours = l.T("event.hours_value", map[string]any{"Start": ev.DayStartsAt, "End": ev.DayEndsAt, "Zone": ev.Timezone})
	}
	var place []string
	if ev.City != "" {
		place = append(place, ev.City)
	}
	if ev.Country != "" {
		place = append(place, l.Country(ev.Country))
	}
	info.Place = strings.Join(place, ", ")
	for _, code := range ev.Languages {
		info.Languages = append(info.Languages, l.LanguageName(code))
	}
	for _, p := range strings.Split(strings.ReplaceAll(ev.Description, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			info.Description = append(info.Description, p)
		}
	}
	if left := ev.SeatsLeft(); left != nil {
		if *left > 0 {
			info.Seats = l.Plural("event.seats_left", *left, nil)
		} else {
			info.Seats = l.T("event.no_seats_left", nil)
		}
	}
	info.State, info.StateClass = s.RegistrationState(ev)
	return info
}

// IsFull reports whether a registration now would go to the waiting list.
func IsFull(ev *domain.Event) bool {
	left := ev.SeatsLeft()
	return left != nil && *left == 0
}

// Option is one choice of a select: the registration form's country,
// role and language, the dashboard's filters.
type Option struct {
	Value, Label string
	Selected     bool
}

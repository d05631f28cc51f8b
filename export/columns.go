package export

import (
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// ContentType is the media type of a format named in a URL ("csv" or
// "xlsx"); ok is false for any other name.
func ContentType(format string) (mediaType string, ok bool) {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8", true
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true
	}
	return "", false
}

// column is one fixed column of the attendee list. Exactly one of text and
// at is set: text for a string cell, at for a date-time cell (nil time:
// empty cell). user marks text a participant typed, which is neutralized.
type column struct {
	header string
	width  float64
	user   bool
	text   func(*store.Attendee) string
	at     func(*store.Attendee) *time.Time
}

// columns are the attendee list's fixed columns, in order; one column per
// event day follows them, with the check-in time of that day.
var columns = []column{
	{header: "ID", width: 38, text: func(a *store.Attendee) string { return a.ID }},
	{header: "Status", width: 11, text: func(a *store.Attendee) string { return string(a.Status) }},
	{header: "First name", width: 18, user: true, text: func(a *store.Attendee) string { return a.FirstName }},
	{header: "Last name", width: 20, user: true, text: func(a *store.Attendee) string { return a.LastName }},
	{header: "Email", width: 30, user: true, text: func(a *store.Attendee) string { return a.Email }},
	{header: "Phone", width: 17, user: true, text: func(a *store.Attendee) string { return a.Phone }},
	{header: "Country code", width: 9, text: func(a *store.Attendee) string { return a.Country }},
	{header: "Country", width: 20, text: func(a *store.Attendee) string { return domain.CountryName(a.Country) }},
	{header: "Organization", width: 36, user: true, text: func(a *store.Attendee) string { return a.Organization }},
	{header: "Position", width: 28, user: true, text: func(a *store.Attendee) string { return a.Position }},
	{header: "Role", width: 13, text: func(a *store.Attendee) string { return a.Role }},
	{header: "Language", width: 9, text: func(a *store.Attendee) string { return a.Language }},
	{header: "Registered at", width: 18, at: func(a *store.Attendee) *time.Time { return &a.CreatedAt }},
	{header: "Confirmed at", width: 18, at: func(a *store.Attendee) *time.Time { return a.ConfirmedAt }},
	{header: "Check-in code", width: 13, text: func(a *store.Attendee) string { return a.CheckinCode }},
}

// dayWidth is the width of a per-day check-in column.
const dayWidth = 18

// cellText is a text column's value for a, neutralized when user-supplied.
func (c *column) cellText(a *store.Attendee) string {
	if c.user {
		return Neutralize(c.text(a))
	}
	return c.text(a)
}

// Headers lists the column headers of an event's attendee list.
func Headers(days []domain.Date) []string {
	out := make([]string, 0, len(columns)+len(days))
	for _, c := range columns {
		out = append(out, c.header)
	}
	for _, d := range days {
		out = append(out, d.String())
	}
	return out
}

// checkinAt is when a was checked in on day, or nil.
func checkinAt(a *store.Attendee, day domain.Date) *time.Time {
	if t, ok := a.CheckedIn(day); ok {
		return &t
	}
	return nil
}

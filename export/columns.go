package export

import (
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// column is one fixed column of the attendee list. Exactly one of text and
// at is set: text for a string cell, at for a date-time cell (nil time:
// empty cell). user marks text a participant typed, which is neutralized.
// header is the message id of the column's heading; widest bounds the
// column's width in a workbook (longer text wraps).
type column struct {
	header string
	title  string // the heading itself, for a column of a question (header is then "")
	widest float64
	user   bool
	text   func(*store.Attendee, *i18n.Localizer) string
	at     func(*store.Attendee) *time.Time
	// code, for a column that names a code (a country, a delegation), is
	// the code text names: the Writer looks each code's name up once, as
	// looking it up takes longer than writing the rest of the row.
	code func(*store.Attendee) string
}

// columns are the attendee list's fixed columns, in order; one column per
// question of the event follows them (columnsOf), then one per event day,
// with the check-in time of that day. Status, role and language stay codes
// in every language: they are the values the API and the list's filters
// use.
var columns = []column{
	{header: "export.col.id", widest: 38, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.ID }},
	{header: "export.col.status", widest: 17, text: func(a *store.Attendee, _ *i18n.Localizer) string { return string(a.Status) }},
	{header: "export.col.first_name", widest: 24, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.FirstName }},
	{header: "export.col.last_name", widest: 24, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.LastName }},
	{header: "export.col.latin_first_name", widest: 24, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.LatinFirstName }},
	{header: "export.col.latin_last_name", widest: 24, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.LatinLastName }},
	{header: "export.col.email", widest: 34, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Email }},
	{header: "export.col.phone", widest: 18, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Phone }},
	{header: "export.col.country_code", widest: 16, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Country }},
	{header: "export.col.country", widest: 26, text: func(a *store.Attendee, l *i18n.Localizer) string { return l.Country(a.Country) },
		code: func(a *store.Attendee) string { return a.Country }},
	{header: "export.col.delegation_code", widest: 16, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Delegation }},
	{header: "export.col.delegation", widest: 26, text: func(a *store.Attendee, l *i18n.Localizer) string { return l.Delegation(a.Delegation) },
		code: func(a *store.Attendee) string { return a.Delegation }},
	{header: "export.col.organization", widest: 40, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Organization }},
	{header: "export.col.position", widest: 30, user: true, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Position }},
	{header: "export.col.role", widest: 14, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Role }},
	{header: "export.col.language", widest: 10, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.Language }},
	{header: "export.col.registered_at", at: func(a *store.Attendee) *time.Time { return &a.CreatedAt }},
	{header: "export.col.confirmed_at", at: func(a *store.Attendee) *time.Time { return a.ConfirmedAt }},
	{header: "export.col.edited_at", at: func(a *store.Attendee) *time.Time { return a.EditedAt }},
	{header: "export.col.checkin_code", widest: 14, text: func(a *store.Attendee, _ *i18n.Localizer) string { return a.CheckinCode }},
}

// cellText is a text column's value for a, neutralized when user-supplied.
func (c *column) cellText(a *store.Attendee, l *i18n.Localizer) string {
	if c.user {
		return Neutralize(c.text(a, l))
	}
	return c.text(a, l)
}

// columnsOf are the columns of ev's attendee list before the day columns:
// the fixed ones, then one per question, removed questions too (the
// answers given to them stay readable), headed by the question's label in
// the list's language and holding the answer as people read it, several
// choices in one cell.
func columnsOf(ev *domain.Event, l *i18n.Localizer) []column {
	out := append([]column(nil), columns...)
	for _, q := range ev.Questions {
		out = append(out, column{
			title: l.Text(q.Label, ev.Languages), widest: 30, user: true,
			text: func(a *store.Attendee, l *i18n.Localizer) string {
				return l.Answer(q, a.Answers[q.Key], ev.Languages)
			},
		})
	}
	return out
}

// heading is the column's header in l's language.
func (c *column) heading(l *i18n.Localizer) string {
	if c.header == "" {
		return c.title
	}
	return l.T(c.header, nil)
}

// checkinAt is when a was checked in on day, or nil.
func checkinAt(a *store.Attendee, day domain.Date) *time.Time {
	if t, ok := a.CheckedIn(day); ok {
		return &t
	}
	return nil
}

// visaColumns are the passport details of visa letter requests, added to
// an export only when asked for (RegistrationFilter.IncludeVisa).
var visaColumns = []column{
	{header: "export.col.passport_name", widest: 28, user: true, text: visaText(func(v *domain.VisaDetails) string { return v.PassportName })},
	{header: "export.col.passport_number", widest: 16, user: true, text: visaText(func(v *domain.VisaDetails) string { return v.PassportNumber })},
	{header: "export.col.nationality", widest: 12, text: visaText(func(v *domain.VisaDetails) string { return v.Nationality })},
	{header: "export.col.date_of_birth", widest: 12, text: visaText(func(v *domain.VisaDetails) string { return v.DateOfBirth.String() })},
	{header: "export.col.passport_expiry", widest: 12, text: visaText(func(v *domain.VisaDetails) string { return v.PassportExpiry.String() })},
}

// visaText is a visa column's cell: empty for someone who asked for no letter.
func visaText(get func(*domain.VisaDetails) string) func(*store.Attendee, *i18n.Localizer) string {
	return func(a *store.Attendee, _ *i18n.Localizer) string {
		if a.Visa == nil {
			return ""
		}
		return get(a.Visa)
	}
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Attendee is a registration with its check-ins, one export row. Of the
// registration it holds what lists show (attendeeColumns): not its days,
// nor when consent was given or it was cancelled.
type Attendee struct {
	*domain.Registration
	// Checkins are the days the person was checked in and when, by day.
	Checkins []DayCheckin
	// Visa are the passport details of a visa letter request, read only
	// with RegistrationFilter.IncludeVisa; nil otherwise.
	Visa *domain.VisaDetails
}

// DayCheckin is when a person was checked in on a day.
type DayCheckin struct {
	Day domain.Date
	At  time.Time
}

// CheckedIn says when a was checked in on day, if at all.
func (a *Attendee) CheckedIn(day domain.Date) (time.Time, bool) {
	for _, c := range a.Checkins {
		if c.Day == day {
			return c.At, true
		}
	}
	return time.Time{}, false
}

// CheckinsOf returns when the registrations ids of ev were checked in on
// ev's days, by registration id, in day order; registrations never checked
// in are missing. It serves one page of the dashboard's list.
func (s *Store) CheckinsOf(ctx context.Context, ev *domain.Event, ids []string) (map[string][]DayCheckin, error) {
	out := make(map[string][]DayCheckin, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		RegistrationID string    `db:"registration_id"`
		Day            time.Time `db:"day"`
		At             time.Time `db:"checked_in_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
		SELECT registration_id, day, checked_in_at FROM checkins
		WHERE event_id = $1 AND registration_id = ANY($2::uuid[]) AND day BETWEEN $3 AND $4
		ORDER BY registration_id, day`, ev.ID, pq.Array(ids), ev.StartsOn.String(), ev.EndsOn.String()); err != nil {
		return nil, fmt.Errorf("store: check-ins of registrations: %w", unavailable(err))
	}
	for _, r := range rows {
		out[r.RegistrationID] = append(out[r.RegistrationID], DayCheckin{Day: domain.DateOf(r.Day), At: r.At})
	}
	return out, nil
}

// attendeeColumns are registrationColumns less those no list shows (the
// days, the consent and cancellation times): decoding a row is most of
// what reading a large list costs attend, and the days' array is the
// costliest column to decode.
const attendeeColumns = `r.id, r.event_id, r.status, r.first_name, r.last_name, r.email, r.phone,
	r.country, r.organization, r.position, r.role, r.language,
	r.checkin_code, r.created_at, r.confirmed_at,
	coalesce(r.delegation, r.country) AS delegation, r.latin_first_name, r.latin_last_name, r.answers, r.edited_at`

// attendeeFields points Scan at r's fields, in attendeeColumns' order.
func (r *registrationRow) attendeeFields() []any {
	return []any{&r.ID, &r.EventID, &r.Status, &r.FirstName, &r.LastName, &r.Email, &r.Phone,
		&r.Country, &r.Organization, &r.Position, &r.Role, &r.Language,
		&r.CheckinCode, &r.CreatedAt, &r.ConfirmedAt,
		&r.Delegation, &r.LatinFirstName, &r.LatinLastName, &r.Answers, &r.EditedAt}
}

// DefaultExportBatch is how many rows EachAttendee hands over at a time.
const DefaultExportBatch = 1000

// EachAttendee calls fn with the event's registrations that match f (Status,
// Country and Query; Limit, when set, caps the rows; Cursor is ignored), in
// registration order, batch at a time, each with its check-ins on days.
//
// It is one query, streamed: rows are read from the connection as fn
// consumes them, so memory holds one batch however large the event, and the
// list is one consistent snapshot. Check-ins come through one join per day
// on the check-ins' primary key, which PostgreSQL runs as hash joins over
// the event's check-ins, as COPY of the same columns would: per-page
// queries with a lookup per registration took three times as long at
// 100,000 registrations (docs/PERFORMANCE.md).
//
// The query runs in a read-only transaction without the connection's
// statement timeout (DB_STATEMENT_TIMEOUT is sized for requests, and the
// query stays open while rows are written to the client): ctx bounds it
// instead, and cancelling ctx stops it. Its connection and snapshot are
// held until the walk ends.
//
// fn may keep nothing of the slice after it returns; an error from fn stops
// the walk (the query is cancelled) and is returned as is.
func (s *Store) EachAttendee(ctx context.Context, eventID int64, days []domain.Date, f RegistrationFilter, batch int, fn func([]Attendee) error) error {
	if batch <= 0 {
		batch = DefaultExportBatch
	}
	where, args := registrationWhere(eventID, f)
	var cols, joins strings.Builder
	for i, day := range days {
		args = append(args, day.String())
		fmt.Fprintf(&cols, ", c%d.checked_in_at", i)
		fmt.Fprintf(&joins, "\n\tLEFT JOIN checkins c%d ON c%d.registration_id = r.id AND c%d.event_id = $1 AND c%d.day = $%d",
			i, i, i, i, len(args))
	}
	if f.IncludeVisa {
		cols.WriteString(", " + visaColumns)
		joins.WriteString("\n\tLEFT JOIN registration_visa v ON v.registration_id = r.id")
	}
	query := `SELECT ` + attendeeColumns + cols.String() + ` FROM registrations r` + joins.String() +
		` WHERE ` + where + ` ORDER BY r.created_at, r.id`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		query += fmt.Sprintf(" LIMIT $%d", len(args))
	}
	// Cancelling before the rows are closed stops the server at once;
	// otherwise closing would read the rest of the result first.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: attendees: %w", unavailable(err))
	}
	defer tx.Rollback() // read only: nothing to keep
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("store: attendees: %w", unavailable(err))
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: attendees: %w", unavailable(err))
	}
	defer rows.Close()
	var (
		out  = make([]Attendee, 0, batch)
		row  registrationRow
		ats  = make([]sql.NullTime, len(days)) // values, not pointers: Scan allocates none
		dest = append(row.attendeeFields(), make([]any, len(days))...)
	)
	for i := range days {
		dest[len(dest)-len(days)+i] = &ats[i]
	}
	var visa [5]sql.NullString // passport name, number, nationality, birth, expiry
	if f.IncludeVisa {
		for i := range visa {
			dest = append(dest, &visa[i])
		}
	}
	flush := func() error {
		if len(out) == 0 {
			return nil
		}
		err := fn(out)
		out = out[:0]
		return err
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: scan attendee: %w", err)
		}
		a := Attendee{Registration: row.registration()}
		if visa[0].Valid {
			v := visaRow{PassportName: visa[0].String, PassportNumber: visa[1].String, Nationality: visa[2].String,
				DateOfBirth: visa[3].String, PassportExpiry: visa[4].String}
			if a.Visa, err = v.details(); err != nil {
				return err
			}
		}
		checkedIn := 0
		for _, at := range ats {
			if at.Valid {
				checkedIn++
			}
		}
		if checkedIn > 0 {
			a.Checkins = make([]DayCheckin, 0, checkedIn)
			for i, at := range ats {
				if at.Valid {
					a.Checkins = append(a.Checkins, DayCheckin{Day: days[i], At: at.Time})
				}
			}
		}
		out = append(out, a)
		if len(out) == batch {
			if err := flush(); err != nil {
				cancel()
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: attendees: %w", unavailable(err))
	}
	if err := flush(); err != nil {
		return err
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Attendee is a registration with its check-ins, one export row.
type Attendee struct {
	*domain.Registration
	// Checkins maps each day the person was checked in to when.
	Checkins map[domain.Date]time.Time
}

// DefaultExportBatch is how many registrations an export reads per query:
// large enough that round trips do not dominate, small enough that memory
// stays flat whatever the size of the event.
const DefaultExportBatch = 1000

// EachAttendee calls fn with the event's registrations that match f (Status,
// Country and Query; Cursor and Limit are ignored), in registration order,
// batch at a time, each with its check-ins. It reads in keyset pages of the
// same query the registration list uses, plus one query per page for the
// page's check-ins, so memory holds one batch however many there are, and
// no transaction stays open while a slow client downloads. A registration
// added during the export appears at its end; one changed meanwhile shows
// its state when its page was read.
//
// fn may keep nothing of the slice after it returns; an error from fn stops
// the walk and is returned as is.
func (s *Store) EachAttendee(ctx context.Context, eventID int64, f RegistrationFilter, batch int, fn func([]Attendee) error) error {
	if batch <= 0 {
		batch = DefaultExportBatch
	}
	f.Cursor, f.Limit = "", batch
	rows := make([]Attendee, 0, batch)
	for {
		page, err := s.Registrations(ctx, eventID, f)
		if err != nil {
			return err
		}
		if len(page.Registrations) == 0 {
			return nil
		}
		checkins, err := s.checkinsOf(ctx, page.Registrations)
		if err != nil {
			return err
		}
		rows = rows[:0]
		for _, reg := range page.Registrations {
			rows = append(rows, Attendee{Registration: reg, Checkins: checkins[reg.ID]})
		}
		if err := fn(rows); err != nil {
			return err
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// checkinsOf reads the check-ins of a page of registrations in one query.
func (s *Store) checkinsOf(ctx context.Context, regs []*domain.Registration) (map[string]map[domain.Date]time.Time, error) {
	ids := make([]string, len(regs))
	for i, r := range regs {
		ids[i] = r.ID
	}
	// The lateral subquery walks the primary key once per id, so a page
	// costs the same however many check-ins the event has. OFFSET 0 keeps
	// the planner from flattening it into a plain join, which it may run as
	// a hash join over all of the table's check-ins, for every page; "= ANY"
	// of a thousand ids may scan the whole table too (docs/PERFORMANCE.md).
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.registration_id, c.day, c.checked_in_at
		FROM unnest($1::uuid[]) AS page (id)
		CROSS JOIN LATERAL (
			SELECT registration_id, day, checked_in_at FROM checkins
			WHERE registration_id = page.id OFFSET 0) AS c`, pq.StringArray(ids))
	if err != nil {
		return nil, fmt.Errorf("store: check-ins of a page: %w", unavailable(err))
	}
	defer rows.Close()
	out := make(map[string]map[domain.Date]time.Time)
	for rows.Next() {
		var (
			id  string
			day domain.Date
			at  time.Time
		)
		if err := rows.Scan(&id, &day, &at); err != nil {
			return nil, fmt.Errorf("store: scan check-in: %w", err)
		}
		if out[id] == nil {
			out[id] = make(map[domain.Date]time.Time, 2)
		}
		out[id][day] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: check-ins of a page: %w", unavailable(err))
	}
	return out, nil
}

package store

import (
	"context"
	"fmt"

	"github.com/attend/attend/domain"
)

// TeamEvent is one line of the dashboard's event list: an event of the
// organizer's team, their role on it, and its numbers.
type TeamEvent struct {
	Event *domain.Event
	Role  domain.TeamRole
	// Registered counts registrations still in play (pending, confirmed,
	// waitlisted or awaiting approval), as Counts.Registered does.
	Registered int
	Confirmed  int
	Waitlisted int
	// AwaitingApproval counts the applications waiting for a decision.
	AwaitingApproval int
	// CheckedInToday counts check-ins on today's date in the event's time
	// zone (0 on days that are not event days).
	CheckedInToday int
}

// TeamEvents lists the events whose team the organizer is on, newest
// first, with their numbers, in one query. Counts are numbers, not
// personal data, so door staff see them too.
func (s *Store) TeamEvents(ctx context.Context, organizerID int64) ([]TeamEvent, error) {
	var rows []struct {
		eventRow
		Role           domain.TeamRole `db:"role"`
		Registered     int             `db:"registered"`
		Confirmed      int             `db:"confirmed"`
		Waitlisted     int             `db:"waitlisted"`
		Awaiting       int             `db:"awaiting_approval"`
		CheckedInToday int             `db:"checked_in_today"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+eventColumns+`, eo.role,
			coalesce(r.registered, 0) AS registered, coalesce(r.confirmed, 0) AS confirmed,
			coalesce(r.waitlisted, 0) AS waitlisted, coalesce(r.awaiting_approval, 0) AS awaiting_approval,
			(SELECT count(*) FROM checkins c
			 WHERE c.event_id = e.id AND c.day = ($2::timestamptz AT TIME ZONE e.timezone)::date) AS checked_in_today
		FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $1
		LEFT JOIN LATERAL (
			SELECT count(*) FILTER (WHERE status IN ('pending', 'confirmed', 'waitlisted', 'awaiting_approval')) AS registered,
				count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
				count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
				count(*) FILTER (WHERE status = 'awaiting_approval') AS awaiting_approval
			FROM registrations WHERE event_id = e.id
		) r ON true
		ORDER BY e.starts_on DESC, e.id DESC`, organizerID, s.Now())
	if err != nil {
		return nil, fmt.Errorf("store: team events: %w", unavailable(err))
	}
	out := make([]TeamEvent, len(rows))
	for i, r := range rows {
		out[i] = TeamEvent{Event: r.event(), Role: r.Role, Registered: r.Registered, Confirmed: r.Confirmed,
			Waitlisted: r.Waitlisted, AwaitingApproval: r.Awaiting, CheckedInToday: r.CheckedInToday}
	}
	return out, nil
}

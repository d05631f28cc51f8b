package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// periodicBatch bounds how many rows one run of a periodic job touches, so a
// backlog is worked off in short transactions.
const periodicBatch = 500

// ExpireUnconfirmed applies domain's expire row to pending registrations
// older than their event's confirm_within_hours: they expire, their seats
// are freed and the waiting list promotes. Each event is handled under its
// row lock, so several workers running this at once expire and promote
// each person exactly once. It returns the number expired.
func (s *Store) ExpireUnconfirmed(ctx context.Context) (int, error) {
	// The table's expire row is the one from pending; it is applied to
	// every registration of an event that is due, at once.
	pending := &domain.Registration{Status: domain.StatusPending}
	counts, err := s.eachEventLocked(ctx, "find expired registrations", `
		SELECT DISTINCT r.event_id FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE r.status = $2 AND greatest(r.created_at, r.pending_since) < $1::timestamptz - e.confirm_within_hours * interval '1 hour'`,
		func(tx *dbTx, ev *domain.Event) (int, error) {
			t, err := domain.Next(pending, domain.Expire, domain.BySystem, ev)
			if err != nil {
				return 0, err
			}
			var ids []string
			err = tx.SelectContext(ctx, &ids, statusWrite+`
				WHERE event_id = $1 AND status = $7 AND greatest(created_at, pending_since) < $3::timestamptz - $8 * interval '1 hour'
				RETURNING id`, append(statusArgs(ev.ID, t, tx.now), t.From, ev.ConfirmWithinHours)...)
			if err != nil {
				return 0, fmt.Errorf("store: expire registrations: %w", unavailable(err))
			}
			if len(ids) == 0 {
				return 0, nil
			}
			if err := returnSeats(ctx, tx, ev.ID, -seatChange(t)*len(ids)); err != nil {
				return 0, err
			}
			for i := 0; t.Email != "" && i < len(ids); i++ {
				if err := s.queueEmail(ctx, tx, t.Email, &domain.Registration{ID: ids[i]}, ev, EmailPayload{}); err != nil {
					return 0, err
				}
			}
			if t.FillsWaitingList() {
				return len(ids), s.fillSeats(ctx, tx, ev)
			}
			return len(ids), nil
		}, pending.Status)
	return total(counts), err
}

// EventCount is how many registrations of one event a periodic job changed.
type EventCount struct {
	Slug  string
	Count int
}

func total(counts []EventCount) int {
	n := 0
	for _, c := range counts {
		n += c.Count
	}
	return n
}

// eachEventLocked runs fn, in one transaction per event, for each event id
// that find returns (given s.Now() as $1, then args), with the event's row
// locked, and returns what fn counted for each event whose transaction
// committed (events where it counted nothing are left out). Periodic jobs
// that change seats use it, so that several workers running the same job at
// once take turns per event.
func (s *Store) eachEventLocked(ctx context.Context, what, find string, fn func(*dbTx, *domain.Event) (int, error), args ...any) ([]EventCount, error) {
	var eventIDs []int64
	if err := s.db.SelectContext(ctx, &eventIDs, find, append([]any{s.Now()}, args...)...); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, unavailable(err))
	}
	var counts []EventCount
	for _, id := range eventIDs {
		var done EventCount
		err := s.inTx(ctx, func(tx *dbTx) error {
			ev, err := getEvent(ctx, tx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1 FOR NO KEY UPDATE`, id)
			if err != nil {
				return err
			}
			if err := holdSeats(ctx, tx, ev.ID, false); err != nil { // before any registration's row
				return err
			}
			n, err := fn(tx, ev)
			done = EventCount{Slug: ev.Slug, Count: n}
			return err
		})
		if err != nil {
			return counts, err
		}
		if done.Count > 0 {
			counts = append(counts, done)
		}
	}
	return counts, nil
}

// QueueConfirmReminders sends one reminder to each pending registration
// halfway through its confirmation period. Rows are claimed with SKIP
// LOCKED and stamped in the same transaction as the email, so concurrent
// workers never remind anyone twice.
func (s *Store) QueueConfirmReminders(ctx context.Context) (int, error) {
	// The period runs from when the registration became pending: its
	// creation, or an application's approval (pending_since), which the
	// claim reads as created_at to date the deadline.
	columns := strings.Replace(registrationColumns, "r.created_at", "greatest(r.created_at, r.pending_since) AS created_at", 1)
	return s.queueReminders(ctx, domain.EmailConfirmReminder, `
		SELECT `+columns+` FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE r.status = 'pending' AND r.confirm_reminder_queued_at IS NULL
		  AND greatest(r.created_at, r.pending_since) < $1::timestamptz - e.confirm_within_hours * interval '30 minutes'
		ORDER BY r.created_at LIMIT $2
		FOR NO KEY UPDATE OF r SKIP LOCKED`, "confirm_reminder_queued_at")
}

// QueueEventReminders reminds every confirmed registration once, the
// event's reminder_days_before days before its first day starts (in the
// event's time zone), and not after the event has started.
func (s *Store) QueueEventReminders(ctx context.Context) (int, error) {
	return s.queueReminders(ctx, domain.EmailReminder, `
		SELECT `+registrationColumns+` FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE r.status = 'confirmed' AND r.reminder_queued_at IS NULL AND e.reminder_days_before > 0
		  AND $1 >= ((e.starts_on - e.reminder_days_before) + e.day_starts_at) AT TIME ZONE e.timezone
		  AND $1 < (e.starts_on + e.day_starts_at) AT TIME ZONE e.timezone
		ORDER BY r.event_id LIMIT $2
		FOR NO KEY UPDATE OF r SKIP LOCKED`, "reminder_queued_at")
}

func (s *Store) queueReminders(ctx context.Context, kind domain.EmailKind, claim, stampColumn string, args ...any) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx *dbTx) error {
			var due []registrationRow
			if err := tx.SelectContext(ctx, &due, claim, append([]any{tx.now, periodicBatch}, args...)...); err != nil {
				return fmt.Errorf("store: claim %s: %w", kind, unavailable(err))
			}
			events := map[int64]*domain.Event{}
			ids := make([]string, 0, len(due))
			for i := range due {
				reg := due[i].registration()
				ev, ok := events[reg.EventID]
				if !ok {
					var err error
					if ev, err = getEvent(ctx, tx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, reg.EventID); err != nil {
						return err
					}
					events[reg.EventID] = ev
				}
				payload := EmailPayload{}
				if kind == domain.EmailConfirmReminder {
					deadline := reg.CreatedAt.Add(time.Duration(ev.ConfirmWithinHours) * time.Hour)
					payload.Deadline = &deadline
				}
				if err := s.queueEmail(ctx, tx, kind, reg, ev, payload); err != nil {
					return err
				}
				ids = append(ids, reg.ID)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE registrations SET `+stampColumn+` = $2 WHERE id = ANY($1::uuid[])`,
				pq.StringArray(ids), tx.now); err != nil {
				return fmt.Errorf("store: stamp %s: %w", kind, unavailable(err))
			}
			n = len(due)
			return nil
		})
		total += n
		if err != nil || n < periodicBatch {
			return total, err
		}
	}
}

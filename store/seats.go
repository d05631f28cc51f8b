package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Seats are counted in parts (migration 00012, docs/PERFORMANCE.md "Seats
// in parts"): sixteen rows of seat_parts per event, each with seats held and,
// for an event with a capacity, seats free. Taking a seat locks one part
// that has a seat free, preferring one no other transaction holds, so
// registrations for one event do not queue for one row; every other change
// of seats (a seat given back, a capacity changed, the waiting list
// promoted) happens under the event's row lock, which registrations that
// find a seat never take. The event is full only when every part is empty,
// which seatPick finds, under the event's lock, by waiting for the parts
// that others hold.
//
// Registrations that find every part empty hold the event's seat lock
// shared (holdSeats; register.go, eventLock), so a waiting list is joined
// in parallel; they wait for no part of an event with a capacity, and one
// that sees a seat in a part another holds looks again holding the event's
// row. Every seat given back (returnSeats) and every count of the parts
// for a promotion or a new capacity (lockSeats, and the capacity trigger)
// holds the seat lock alone, after the event's row.
//
// Lock order: the event's row, then its seat lock, then seat parts in part
// order, then registrations. A registration that finds a seat without the event's lock
// never waits for the event nor, for an event with a capacity, for a part.

// seatPick is a scalar subquery naming a part of the event ev (a
// placeholder) with a seat free, locked: at once one no other transaction
// holds, in random order so concurrent takers spread out, or else, waiting,
// the first in part order that still has a seat once its holder is done.
// NULL means no part had a seat (or the event does not exist); that is
// final only with eventLocked, the caller holding the event's row lock
// alone.
//
// PostgreSQL keeps the lock of a row that a locking read finds changed and
// no longer matching, so a look for a seat may end holding parts that were
// emptied meanwhile. Two transactions that hold such parts must not wait
// for each other's: so without the event's lock, only a part of an event
// without capacity (free NULL, which no registration changes) is waited
// for, and a registration that found no seat ends its transaction before
// it takes the event's lock (register.go); with it, the one transaction
// that waits for parts with seats is the lock's holder.
func seatPick(ev string, eventLocked bool) string {
	wait := `free IS NULL`
	if eventLocked {
		wait = `(free IS NULL OR free > 0)`
	}
	return fmt.Sprintf(`coalesce(
		(SELECT part FROM seat_parts WHERE event_id = %[1]s AND (free IS NULL OR free > 0)
			ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED),
		(SELECT part FROM seat_parts WHERE event_id = %[1]s AND `+wait+`
			ORDER BY part LIMIT 1 FOR UPDATE))`, ev)
}

// takeSeat takes one seat of the event, whose row lock the caller holds,
// for a transition that makes a registration hold one, and reports false
// when every seat is held. The answer is final: it does not rely on the
// seats the caller read.
func takeSeat(ctx context.Context, tx *dbTx, eventID int64) (bool, error) {
	var part int
	err := tx.GetContext(ctx, &part, `
		UPDATE seat_parts SET held = held + 1, free = free - 1
		WHERE event_id = $1 AND part = `+seatPick("$1", true)+` AND (free IS NULL OR free > 0)
		RETURNING part`, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: take seat: %w", unavailable(err))
	}
	return true, nil
}

// returnSeats gives n seats back to the event, whose row lock the caller
// holds. One seat goes to the part with the fewest free that nobody holds
// (so the parts stay even and a registration holding a part is not waited
// for); several are spread over all the parts.
func returnSeats(ctx context.Context, tx *dbTx, eventID int64, n int) error {
	if n <= 0 {
		return nil
	}
	if err := holdSeats(ctx, tx, eventID, false); err != nil {
		return err
	}
	query := `
		UPDATE seat_parts SET held = held - 1, free = free + 1
		WHERE event_id = $1 AND part = coalesce(
			(SELECT part FROM seat_parts WHERE event_id = $1 ORDER BY free, part LIMIT 1 FOR UPDATE SKIP LOCKED),
			(SELECT part FROM seat_parts WHERE event_id = $1 ORDER BY free, part LIMIT 1 FOR UPDATE))`
	args := []any{eventID}
	if n > 1 {
		query = `
		UPDATE seat_parts p SET held = p.held - share.n, free = p.free + share.n
		FROM (SELECT part, $2::int / 16 + CASE WHEN row_number() OVER (ORDER BY free, part) <= $2::int % 16 THEN 1 ELSE 0 END AS n
		      FROM (SELECT part, free FROM seat_parts WHERE event_id = $1 ORDER BY part FOR UPDATE) AS locked) AS share
		WHERE p.event_id = $1 AND p.part = share.part AND share.n > 0`
		args = append(args, n)
	}
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: return seats: %w", unavailable(err))
	}
	return nil
}

// lockSeats locks every part of the event, whose row lock the caller holds,
// so that no registration takes a seat until the transaction ends, and
// returns the seats held and the capacity: exact, unlike the count read
// with the event.
func lockSeats(ctx context.Context, tx *dbTx, eventID int64) (held int, capacity *int, err error) {
	if err := holdSeats(ctx, tx, eventID, false); err != nil {
		return 0, nil, err
	}
	err = tx.QueryRowxContext(ctx, `
		SELECT coalesce(sum(held), 0)::int, (SELECT capacity FROM events WHERE id = $1)
		FROM (SELECT held FROM seat_parts WHERE event_id = $1 ORDER BY part FOR UPDATE) AS locked`, eventID).
		Scan(&held, &capacity)
	if err != nil {
		return 0, nil, fmt.Errorf("store: lock seats: %w", unavailable(err))
	}
	return held, capacity, nil
}

// holdSeats takes the event's seat lock until the transaction ends
// (migration 00022): shared, while joining a waiting list on finding every
// part empty; alone, to give seats back or to count them for a promotion
// or a new capacity. The statements after it see every change made under
// the lock in the other mode. Held alone, it is taken right after the
// event's row and before any registration's, since a
// joiner holding it shared may wait for a registration row.
func holdSeats(ctx context.Context, q sqlx.QueryerContext, eventID int64, shared bool) error {
	var held bool
	if err := q.QueryRowxContext(ctx, `SELECT true FROM lock_event_seats($1, $2)`, eventID, shared).Scan(&held); err != nil {
		return fmt.Errorf("store: hold seats: %w", unavailable(err))
	}
	return nil
}

// recountSeats sets the event's seats held to its registrations that hold
// one, for the few places that delete or load registrations in bulk; the
// caller holds the event's row lock.
func recountSeats(ctx context.Context, tx *dbTx, eventID int64) error {
	if _, _, err := lockSeats(ctx, tx, eventID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `
		SELECT spread_seats($1, (SELECT count(*)::int FROM registrations
			WHERE event_id = $1 AND status IN ('pending', 'confirmed')))`, eventID)
	if err != nil {
		return fmt.Errorf("store: recount seats: %w", unavailable(err))
	}
	return nil
}

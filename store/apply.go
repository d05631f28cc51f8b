package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
)

// apply makes the transition t (a row of domain's table) happen to reg,
// which the caller has locked after its event: the event's seat taken
// (takeSeat) or given back (returnSeats), the status and the times that go
// with it, the email t causes (with payload), and, when a seat was freed
// or an address verified, the waiting list. A row that changes nothing writes nothing.
func (s *Store) apply(ctx context.Context, tx *dbTx, ev *domain.Event, reg *domain.Registration, t domain.Transition, payload EmailPayload) error {
	switch seats := seatChange(t); {
	case seats > 0:
		took, err := takeSeat(ctx, tx, ev.ID)
		if err != nil {
			return err
		}
		if !took {
			// Registrations take seats without the event's lock, so the
			// seat ev showed may be gone: the table's row for a full event
			// applies instead, or its refusal.
			return s.applyFull(ctx, tx, ev, reg, t, payload)
		}
		ev.SeatsHeld++
	case seats < 0:
		if err := returnSeats(ctx, tx, ev.ID, -seats); err != nil {
			return err
		}
		ev.SeatsHeld += seats
	}
	if t.Changes() {
		_, err := tx.ExecContext(ctx, statusWrite+` WHERE id = $1`, statusArgs(reg.ID, t, tx.now)...)
		if err != nil {
			return fmt.Errorf("store: %s registration: %w", t.Action, unavailable(err))
		}
		reg.Status = t.To
	}
	if t.Email != "" {
		if err := s.queueEmail(ctx, tx, t.Email, reg, ev, payload); err != nil {
			return err
		}
	}
	if t.FillsWaitingList() {
		return s.fillSeats(ctx, tx, ev)
	}
	return nil
}

// applyFull is apply for a transition t that needed a seat when takeSeat
// found every seat held: the transition domain's table makes of the same
// action for a full event, or the refusal it gives.
func (s *Store) applyFull(ctx context.Context, tx *dbTx, ev *domain.Event, reg *domain.Registration, t domain.Transition, payload EmailPayload) error {
	if ev.Capacity == nil {
		return fmt.Errorf("store: no seat part of event %d has a seat free", ev.ID)
	}
	ev.SeatsHeld = max(ev.SeatsHeld, *ev.Capacity)
	full, err := domain.Next(reg, t.Action, t.By, ev)
	if err != nil {
		return err
	}
	if full.TakesSeat() {
		return fmt.Errorf("store: %s takes a seat of the full event %d", full.Action, ev.ID)
	}
	return s.apply(ctx, tx, ev, reg, full, payload)
}

// statusWrite is the UPDATE of registrations that a transition makes, as
// of $3: the status ($2) and the times that go with it (confirmed_at if $4,
// email_verified_at unless set already if $5, cancelled_at if $6, and
// pending_since when it becomes pending: an approved application's
// confirmation period starts then). The caller adds the WHERE clause, with
// $1 (see statusArgs).
const statusWrite = `
	UPDATE registrations SET status = $2, updated_at = $3,
		confirmed_at = CASE WHEN $4 THEN $3 ELSE confirmed_at END,
		email_verified_at = CASE WHEN $5 THEN coalesce(email_verified_at, $3) ELSE email_verified_at END,
		cancelled_at = CASE WHEN $6 THEN $3 ELSE cancelled_at END,
		pending_since = CASE WHEN $2 = 'pending' AND status <> 'pending' THEN $3 ELSE pending_since END`

// statusArgs are statusWrite's arguments for t at now, with first as $1.
func statusArgs(first any, t domain.Transition, now time.Time) []any {
	return []any{first, t.To, now, t.Confirms(), t.VerifiesAddress(), t.Cancels()}
}

// seatChange is what t does to its event's count of seats held.
func seatChange(t domain.Transition) int {
	switch {
	case t.TakesSeat():
		return 1
	case t.FreesSeat():
		return -1
	}
	return 0
}

// fillSeats lets the waiting list promote, while seats are free, the
// waitlisted registrations with verified addresses, in registration order.
// The caller holds the event's row lock, so two processes cannot promote
// the same person; while anyone is to be promoted, every seat part is
// locked too, so the seats counted are exact until the transaction ends.
func (s *Store) fillSeats(ctx context.Context, tx *dbTx, ev *domain.Event) error {
	var waiting bool
	if err := tx.GetContext(ctx, &waiting, `
		SELECT EXISTS (SELECT 1 FROM registrations
			WHERE event_id = $1 AND status = $2 AND email_verified_at IS NOT NULL)`,
		ev.ID, domain.StatusWaitlisted); err != nil {
		return fmt.Errorf("store: find waiting list: %w", unavailable(err))
	}
	if !waiting {
		return nil
	}
	held, capacity, err := lockSeats(ctx, tx, ev.ID)
	if err != nil {
		return err
	}
	ev.SeatsHeld, ev.Capacity = held, capacity
	for ev.SeatFree() {
		var row registrationRow
		err := tx.GetContext(ctx, &row, `
			SELECT `+registrationColumns+` FROM registrations r
			WHERE r.event_id = $1 AND r.status = $2 AND r.email_verified_at IS NOT NULL
			ORDER BY r.created_at, r.id LIMIT 1 FOR NO KEY UPDATE`, ev.ID, domain.StatusWaitlisted)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: next on waiting list: %w", unavailable(err))
		}
		reg := row.registration()
		t, err := domain.Next(reg, domain.Promote, domain.BySystem, ev)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, ev, reg, t, EmailPayload{}); err != nil {
			return err
		}
	}
	return nil
}

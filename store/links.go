package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
)

// Link is what an emailed link leads to.
type Link struct {
	Registration *domain.Registration
	Event        *domain.Event
	ExpiresAt    time.Time
}

// LinkByToken looks a link up without changing anything: mail scanners open
// links before people do, so reading must be free of side effects.
func (s *Store) LinkByToken(ctx context.Context, hash []byte) (*Link, error) {
	l, err := s.linkByToken(ctx, s.db, hash, false)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// linkByToken resolves a token hash. With lock set it locks the event row
// and then the registration row, the one lock order used everywhere.
func (s *Store) linkByToken(ctx context.Context, q sqlx.QueryerContext, hash []byte, lock bool) (*Link, error) {
	var t struct {
		RegistrationID string    `db:"registration_id"`
		EventID        int64     `db:"event_id"`
		ExpiresAt      time.Time `db:"expires_at"`
	}
	err := sqlx.GetContext(ctx, q, &t, `
		SELECT t.registration_id, r.event_id, t.expires_at
		FROM registration_tokens t JOIN registrations r ON r.id = t.registration_id
		WHERE t.token_hash = $1`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "this link is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("store: link: %w", unavailable(err))
	}
	if !s.Now().Before(t.ExpiresAt) {
		return nil, domain.Errorf(domain.EGone, "this link has expired")
	}
	suffix := ""
	if lock {
		suffix = " FOR NO KEY UPDATE"
	}
	ev, err := getEvent(ctx, q, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`+suffix, t.EventID)
	if err != nil {
		return nil, fmt.Errorf("store: link event: %w", err)
	}
	reg, err := registrationByID(ctx, q, t.RegistrationID, lock)
	if err != nil {
		return nil, err
	}
	return &Link{Registration: reg, Event: ev, ExpiresAt: t.ExpiresAt}, nil
}

func registrationByID(ctx context.Context, q sqlx.QueryerContext, id string, lock bool) (*domain.Registration, error) {
	query := `SELECT ` + registrationColumns + ` FROM registrations r WHERE r.id = $1`
	if lock {
		query += " FOR NO KEY UPDATE"
	}
	var row registrationRow
	err := sqlx.GetContext(ctx, q, &row, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return nil, fmt.Errorf("store: registration: %w", unavailable(err))
	}
	return row.registration(), nil
}

// ConfirmByToken confirms the registration behind a link. Confirming twice
// is fine; a cancelled registration cannot be confirmed again. A waitlisted
// registration keeps its place with its address now verified, and is
// promoted at once if a seat is free.
func (s *Store) ConfirmByToken(ctx context.Context, hash []byte) (*Link, error) {
	var l *Link
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if l, err = s.linkByToken(ctx, tx, hash, true); err != nil {
			return err
		}
		reg := l.Registration
		switch reg.Status {
		case domain.StatusConfirmed:
			return nil
		case domain.StatusCancelled:
			return domain.Errorf(domain.EConflict, "this registration was cancelled and cannot be confirmed; please register again")
		case domain.StatusExpired:
			return domain.Errorf(domain.EGone, "this registration expired because it was not confirmed in time; please register again")
		case domain.StatusWaitlisted:
			if _, err := tx.ExecContext(ctx, `
				UPDATE registrations SET email_verified_at = coalesce(email_verified_at, $2), updated_at = $2
				WHERE id = $1`, reg.ID, s.Now()); err != nil {
				return fmt.Errorf("store: verify email: %w", unavailable(err))
			}
			if err := s.fillSeats(ctx, tx, l.Event); err != nil {
				return err
			}
		case domain.StatusPending:
			if err := s.setStatus(ctx, tx, reg, domain.StatusConfirmed); err != nil {
				return err
			}
			if err := s.queueEmail(ctx, tx, domain.EmailConfirmed, reg, l.Event, EmailPayload{}); err != nil {
				return err
			}
		}
		l.Registration, err = registrationByID(ctx, tx, reg.ID, false)
		return err
	})
	return l, err
}

// CancelByToken cancels the registration behind a link and gives its seat
// to the waiting list. Cancelling twice is fine.
func (s *Store) CancelByToken(ctx context.Context, hash []byte) (*Link, error) {
	var l *Link
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if l, err = s.linkByToken(ctx, tx, hash, true); err != nil {
			return err
		}
		if err := s.cancel(ctx, tx, l.Event, l.Registration, ""); err != nil {
			return err
		}
		l.Registration, err = registrationByID(ctx, tx, l.Registration.ID, false)
		return err
	})
	return l, err
}

// cancel cancels reg (locked, with its event locked) unless it is already
// cancelled or expired, frees its seat, promotes from the waiting list and
// queues the cancellation email with an optional organizer message.
func (s *Store) cancel(ctx context.Context, tx *sqlx.Tx, ev *domain.Event, reg *domain.Registration, message string) error {
	if reg.Status == domain.StatusCancelled || reg.Status == domain.StatusExpired {
		return nil
	}
	held := reg.Status.HoldsSeat()
	if err := s.setStatus(ctx, tx, reg, domain.StatusCancelled); err != nil {
		return err
	}
	if err := s.queueEmail(ctx, tx, domain.EmailCancelled, reg, ev, EmailPayload{Message: message}); err != nil {
		return err
	}
	if held {
		if _, err := tx.ExecContext(ctx, `UPDATE events SET seats_held = seats_held - 1 WHERE id = $1`, ev.ID); err != nil {
			return fmt.Errorf("store: free seat: %w", unavailable(err))
		}
		ev.SeatsHeld--
		return s.fillSeats(ctx, tx, ev)
	}
	return nil
}

// setStatus moves reg to status and stamps the matching time.
func (s *Store) setStatus(ctx context.Context, tx *sqlx.Tx, reg *domain.Registration, status domain.Status) error {
	now := s.Now()
	_, err := tx.ExecContext(ctx, `
		UPDATE registrations SET status = $2, updated_at = $3,
			confirmed_at = CASE WHEN $2 = 'confirmed' THEN $3 ELSE confirmed_at END,
			email_verified_at = CASE WHEN $2 = 'confirmed' THEN coalesce(email_verified_at, $3) ELSE email_verified_at END,
			cancelled_at = CASE WHEN $2 = 'cancelled' THEN $3 ELSE cancelled_at END
		WHERE id = $1`, reg.ID, status, now)
	if err != nil {
		return fmt.Errorf("store: set status %s: %w", status, unavailable(err))
	}
	reg.Status = status
	return nil
}

// fillSeats promotes waitlisted registrations with verified addresses, in
// registration order, while seats are free. The caller holds the event's
// row lock, so two processes cannot promote the same person or overbook.
func (s *Store) fillSeats(ctx context.Context, tx *sqlx.Tx, ev *domain.Event) error {
	var capacity sql.NullInt64
	var held int64
	if err := tx.QueryRowxContext(ctx, `SELECT capacity, seats_held FROM events WHERE id = $1`, ev.ID).Scan(&capacity, &held); err != nil {
		return fmt.Errorf("store: read seats: %w", unavailable(err))
	}
	for !capacity.Valid || held < capacity.Int64 {
		var row registrationRow
		err := tx.GetContext(ctx, &row, `
			SELECT `+registrationColumns+` FROM registrations r
			WHERE r.event_id = $1 AND r.status = 'waitlisted' AND r.email_verified_at IS NOT NULL
			ORDER BY r.created_at, r.id LIMIT 1 FOR NO KEY UPDATE`, ev.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: next on waiting list: %w", unavailable(err))
		}
		reg := row.registration()
		if err := s.setStatus(ctx, tx, reg, domain.StatusConfirmed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET seats_held = seats_held + 1 WHERE id = $1`, ev.ID); err != nil {
			return fmt.Errorf("store: take seat: %w", unavailable(err))
		}
		held++
		if err := s.queueEmail(ctx, tx, domain.EmailPromoted, reg, ev, EmailPayload{}); err != nil {
			return err
		}
	}
	return nil
}

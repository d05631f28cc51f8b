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
	l, err := s.linkByToken(ctx, s.db, hash, false, s.Now())
	if err != nil {
		return nil, err
	}
	return l, nil
}

// linkByToken resolves a token hash, as of now. With lock set it locks the
// event row, its seat lock and then the registration row, the one lock
// order used everywhere.
func (s *Store) linkByToken(ctx context.Context, q sqlx.QueryerContext, hash []byte, lock bool, now time.Time) (*Link, error) {
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
	if !now.Before(t.ExpiresAt) {
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
	if lock {
		// A participant's action may give a seat back or promote.
		if err := holdSeats(ctx, q, ev.ID, false); err != nil {
			return nil, err
		}
	}
	reg, err := registrationByID(ctx, q, t.RegistrationID, lock)
	if err != nil {
		return nil, err
	}
	return &Link{Registration: reg, Event: ev, ExpiresAt: t.ExpiresAt}, nil
}

// registrationByID reads a registration with whether its address is
// verified, which the personal page shows.
func registrationByID(ctx context.Context, q sqlx.QueryerContext, id string, lock bool) (*domain.Registration, error) {
	query := `SELECT ` + registrationColumns + `, r.email_verified_at IS NOT NULL AS address_verified
		FROM registrations r WHERE r.id = $1`
	if lock {
		query += " FOR NO KEY UPDATE"
	}
	var row struct {
		registrationRow
		Verified bool `db:"address_verified"`
	}
	err := sqlx.GetContext(ctx, q, &row, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return nil, fmt.Errorf("store: registration: %w", unavailable(err))
	}
	reg := row.registration()
	reg.AddressVerified = row.Verified
	return reg, nil
}

// ConfirmByToken confirms the registration behind a link, as domain's
// table says: a pending registration becomes confirmed, a waitlisted one
// keeps its place with its address verified (and is promoted at once if a
// seat is free), a confirmed one stays so; a cancelled or expired one is
// refused.
func (s *Store) ConfirmByToken(ctx context.Context, hash []byte) (*Link, error) {
	return s.byLink(ctx, hash, domain.Confirm)
}

// CancelByToken cancels the registration behind a link and gives its seat
// to the waiting list. Cancelling twice is fine.
func (s *Store) CancelByToken(ctx context.Context, hash []byte) (*Link, error) {
	return s.byLink(ctx, hash, domain.Cancel)
}

// byLink is the participant's action act on the registration behind a
// link, under the event's and then the registration's row lock.
func (s *Store) byLink(ctx context.Context, hash []byte, act domain.Action) (*Link, error) {
	var l *Link
	err := s.inTxRetried(ctx, func(tx *dbTx) error {
		var err error
		if l, err = s.linkByToken(ctx, tx, hash, true, tx.now); err != nil {
			return err
		}
		t, err := domain.Next(l.Registration, act, domain.ByParticipant, l.Event)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, l.Event, l.Registration, t, EmailPayload{}); err != nil {
			return err
		}
		l.Registration, err = registrationByID(ctx, tx, l.Registration.ID, false)
		return err
	})
	return l, err
}

// WaitlistPosition is a waitlisted registration's place in the order that
// promotion follows (fillSeats): among the waitlisted of its event whose
// addresses are verified, in registration order. It is 0 for any other
// registration, which has no such place.
func (s *Store) WaitlistPosition(ctx context.Context, id string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `
		SELECT CASE WHEN me.status = 'waitlisted' AND me.email_verified_at IS NOT NULL THEN (
			SELECT count(*) FROM registrations w
			WHERE w.event_id = me.event_id AND w.status = 'waitlisted' AND w.email_verified_at IS NOT NULL
				AND (w.created_at, w.id) <= (me.created_at, me.id))
			ELSE 0 END
		FROM registrations me WHERE me.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return 0, fmt.Errorf("store: waitlist position: %w", unavailable(err))
	}
	return n, nil
}

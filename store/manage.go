package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
)

// managedForUpdate locks an event the organizer manages and one of its
// registrations, in the usual order (event, then registration).
func (s *Store) managedForUpdate(ctx context.Context, tx *sqlx.Tx, organizerID int64, slug, regID string) (*domain.Event, *domain.Registration, error) {
	ev, err := getEvent(ctx, tx, `
		SELECT `+eventColumns+` FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
		WHERE e.slug = $1 FOR NO KEY UPDATE OF e`, slug, organizerID)
	if err != nil {
		return nil, nil, err
	}
	if !domain.ValidUUID(regID) {
		return nil, nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	reg, err := registrationByID(ctx, tx, regID, true)
	if err != nil {
		return nil, nil, err
	}
	if reg.EventID != ev.ID {
		return nil, nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	return ev, reg, nil
}

// CancelRegistration is an organizer's cancellation, with an optional
// message for the participant's email. The freed seat goes to the waiting
// list. Cancelling twice is harmless.
func (s *Store) CancelRegistration(ctx context.Context, organizerID int64, slug, regID, message string) (*domain.Registration, error) {
	var out *domain.Registration
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, reg, err := s.managedForUpdate(ctx, tx, organizerID, slug, regID)
		if err != nil {
			return err
		}
		if err := s.cancel(ctx, tx, ev, reg, message); err != nil {
			return err
		}
		out, err = registrationByID(ctx, tx, reg.ID, false)
		return err
	})
	return out, err
}

// PromoteRegistration moves a waitlisted registration to confirmed by an
// organizer's decision, ahead of the list's order and whether or not its
// address was verified, but never beyond capacity.
func (s *Store) PromoteRegistration(ctx context.Context, organizerID int64, slug, regID string) (*domain.Registration, error) {
	var out *domain.Registration
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		ev, reg, err := s.managedForUpdate(ctx, tx, organizerID, slug, regID)
		if err != nil {
			return err
		}
		if err := ev.CanPromote(reg); err != nil {
			return err
		}
		if err := s.setStatus(ctx, tx, reg, domain.StatusConfirmed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE events SET seats_held = seats_held + 1 WHERE id = $1`, ev.ID); err != nil {
			return fmt.Errorf("store: take seat: %w", unavailable(err))
		}
		if err := s.queueEmail(ctx, tx, domain.EmailPromoted, reg, ev, EmailPayload{}); err != nil {
			return err
		}
		out, err = registrationByID(ctx, tx, reg.ID, false)
		return err
	})
	return out, err
}

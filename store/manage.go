package store

import (
	"context"

	"github.com/attend/attend/domain"
)

// managedForUpdate locks an event the organizer manages, its seat lock and
// one of its registrations, in the usual order (event, seats, then
// registration).
func (s *Store) managedForUpdate(ctx context.Context, tx *dbTx, organizerID int64, slug, regID string) (*domain.Event, *domain.Registration, error) {
	ev, err := getEvent(ctx, tx, `
		SELECT `+eventColumns+` FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
		WHERE e.slug = $1 FOR NO KEY UPDATE OF e`, slug, organizerID)
	if err != nil {
		return nil, nil, err
	}
	if err := holdSeats(ctx, tx, ev.ID, false); err != nil {
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
	return s.byOrganizer(ctx, organizerID, slug, regID, domain.Cancel, EmailPayload{Message: message})
}

// PromoteRegistration moves a waitlisted registration to confirmed by an
// organizer's decision, ahead of the list's order and whether or not its
// address was verified, but never beyond capacity.
func (s *Store) PromoteRegistration(ctx context.Context, organizerID int64, slug, regID string) (*domain.Registration, error) {
	return s.byOrganizer(ctx, organizerID, slug, regID, domain.Promote, EmailPayload{})
}

// byOrganizer is an organizer's action act on one registration of their
// event, with payload for the email it causes.
func (s *Store) byOrganizer(ctx context.Context, organizerID int64, slug, regID string, act domain.Action, payload EmailPayload) (*domain.Registration, error) {
	var out *domain.Registration
	err := s.inTxRetried(ctx, func(tx *dbTx) error {
		var err error
		out, err = s.actByOrganizer(ctx, tx, organizerID, slug, regID, act, payload)
		return err
	})
	return out, err
}

// actByOrganizer is byOrganizer inside tx: it locks the event and the
// registration, applies the table's transition, logs it, and returns the
// registration as it now stands.
func (s *Store) actByOrganizer(ctx context.Context, tx *dbTx, organizerID int64, slug, regID string, act domain.Action, payload EmailPayload) (*domain.Registration, error) {
	ev, reg, err := s.managedForUpdate(ctx, tx, organizerID, slug, regID)
	if err != nil {
		return nil, err
	}
	t, err := domain.Next(reg, act, domain.ByOrganizer, ev)
	if err != nil {
		return nil, err
	}
	if err := s.apply(ctx, tx, ev, reg, t, payload); err != nil {
		return nil, err
	}
	if t.To != t.From {
		if err := insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: auditActions[act], RegistrationID: reg.ID}); err != nil {
			return nil, err
		}
	}
	return registrationByID(ctx, tx, reg.ID, false)
}

// auditActions are the audit log's names of an organizer's actions on a
// registration.
var auditActions = map[domain.Action]domain.AuditAction{
	domain.Cancel:  domain.AuditRegistrationCancel,
	domain.Promote: domain.AuditRegistrationPromote,
	domain.Approve: domain.AuditRegistrationApprove,
	domain.Reject:  domain.AuditRegistrationReject,
}

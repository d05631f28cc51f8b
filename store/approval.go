package store

import (
	"context"
	"fmt"

	"github.com/attend/attend/domain"
)

// ApproveRegistration is an organizer's approval of an application: it
// takes a seat, or the waiting list when every seat is held, as domain's
// table says, with an optional message for the participant's email.
func (s *Store) ApproveRegistration(ctx context.Context, organizerID int64, slug, regID, message string) (*domain.Registration, error) {
	return s.byOrganizer(ctx, organizerID, slug, regID, domain.Approve, EmailPayload{Message: message})
}

// RejectRegistration is an organizer's rejection of an application, with
// an optional message for the courteous email it sends. It frees nothing:
// an application holds no seat. Rejecting twice is harmless.
func (s *Store) RejectRegistration(ctx context.Context, organizerID int64, slug, regID, message string) (*domain.Registration, error) {
	return s.byOrganizer(ctx, organizerID, slug, regID, domain.Reject, EmailPayload{Message: message})
}

// DecideRegistrations approves (act domain.Approve) or rejects
// (domain.Reject) several registrations of one event at once, in the
// order of ids, with one message for all their emails. It is all or
// nothing, in one transaction under the event's row lock: each approval
// takes a seat through the same transition as a single one, so approving
// more applications than there are seats left seats the first ones and
// waitlists the rest; an id that is not the event's, or whose status the
// action does not apply to, refuses the whole request and changes nothing.
func (s *Store) DecideRegistrations(ctx context.Context, organizerID int64, slug string, act domain.Action, ids []string, message string) ([]*domain.Registration, error) {
	if act != domain.Approve && act != domain.Reject {
		return nil, domain.Errorf(domain.EInvalid, "only approve and reject can be applied in bulk")
	}
	var out []*domain.Registration
	err := s.inTx(ctx, func(tx *dbTx) error {
		out = make([]*domain.Registration, 0, len(ids))
		seen := make(map[string]bool, len(ids))
		for i, id := range ids {
			if seen[id] {
				continue // a repeated id is decided once
			}
			seen[id] = true
			// Each step locks the event first; the second and later
			// times the lock is the transaction's own already.
			reg, err := s.actByOrganizer(ctx, tx, organizerID, slug, id, act, EmailPayload{Message: message})
			if e, ok := domain.AsError(err); ok && e.Code == domain.ENotFound && (i > 0 || e.Message == "no such registration") {
				return notTheEvents(i, id)
			}
			if err != nil {
				return err
			}
			out = append(out, reg)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// notTheEvents is the refusal of ids[i], a registration that is not the
// event's (or no registration at all): it names which, as a refusal of its
// status does.
func notTheEvents(i int, id string) error {
	field := fmt.Sprintf("ids[%d]", i)
	return &domain.Error{Code: domain.ENotFound,
		Message: fmt.Sprintf("no such registration of this event: %s (%s)", field, id),
		Fields: []domain.FieldError{{Field: field, Code: "not_found",
			Message: "This is not a registration of this event."}},
		Extra: map[string]any{"registration_id": id}}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
)

// An organizer's changes to one invitation: withdrawing it, and emailing
// it again.

// inviteeRow is what a change needs to know of an invitation, read with
// its row locked.
type inviteeRow struct {
	domain.Invitee
	MessageID string     `db:"message_id"`
	ResentAt  *time.Time `db:"resent_at"`
}

// lockInvitee reads ev's invitation id and locks its row for the change;
// an unknown or erased one is ENotFound.
func lockInvitee(ctx context.Context, tx *dbTx, eventID, id int64) (*inviteeRow, error) {
	var row inviteeRow
	err := tx.GetContext(ctx, &row, `
		SELECT `+inviteeColumns+`, i.message_id, i.resent_at FROM invitees i
		WHERE i.event_id = $1 AND i.id = $2 AND i.erased_at IS NULL FOR UPDATE OF i`, eventID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such invitation")
	}
	if err != nil {
		return nil, fmt.Errorf("store: lock invitee: %w", unavailable(err))
	}
	return &row, nil
}

// dropQueuedEmail keeps an invitation's email that has not gone out yet
// from going out: its link no longer works.
func dropQueuedEmail(ctx context.Context, tx *dbTx, messageID, why string) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE emails SET status = 'failed', last_error = $2, locked_until = NULL
		WHERE message_id = $1 AND status = 'queued'`, messageID, why); err != nil {
		return fmt.Errorf("store: drop invitation email: %w", unavailable(err))
	}
	return nil
}

// freeNomination gives the place of a focal point's nominee, invitation
// id, back to their quota when the invitation is declined or withdrawn:
// the focal point may nominate someone else in their stead.
func freeNomination(ctx context.Context, tx *dbTx, id int64) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE focal_points SET nominated = nominated - 1
		WHERE id = (SELECT focal_point_id FROM invitees WHERE id = $1) AND nominated > 0`, id); err != nil {
		return fmt.Errorf("store: free a nomination: %w", unavailable(err))
	}
	return nil
}

// ErrInviteeUsed refuses to change an invitation that made a registration:
// the registration is what to cancel.
var ErrInviteeUsed = domain.Errorf(domain.EConflict,
	"this invitation was used to register: cancel the registration instead")

// WithdrawInvitee withdraws ev's invitation id before it is used: its link
// then says it was withdrawn and registers nobody (EGone), and its email,
// if not sent yet, is not sent. Withdrawing twice changes nothing.
func (s *Store) WithdrawInvitee(ctx context.Context, organizerID int64, ev *domain.Event, id int64) (*domain.Invitee, error) {
	var out *domain.Invitee
	err := s.inTx(ctx, func(tx *dbTx) error {
		row, err := lockInvitee(ctx, tx, ev.ID, id)
		if err != nil {
			return err
		}
		out = &row.Invitee
		switch row.State {
		case domain.InviteeRegistered:
			return ErrInviteeUsed
		case domain.InviteeWithdrawn:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitees SET withdrawn_at = $2 WHERE id = $1`, id, tx.now); err != nil {
			return fmt.Errorf("store: withdraw invitee: %w", unavailable(err))
		}
		if err := dropQueuedEmail(ctx, tx, row.MessageID, "invitation withdrawn"); err != nil {
			return err
		}
		if row.State != domain.InviteeDeclined { // a decline gave the place back already
			if err := freeNomination(ctx, tx, id); err != nil {
				return err
			}
		}
		out.State = domain.InviteeWithdrawn
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: domain.AuditInvitationWithdraw, Detail: domain.AuditDetail{Invitee: id}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ResendInvitee emails ev's invitation id again, through the outbox, with
// a new link: the earlier email's link stops working, so only one link of
// a person's is ever live (the sent email's token is not kept, so the
// same link could not be sent again). An invitation is emailed at most
// once every `every` (its first email counts), and only while it can
// still be used: not once registered, declined or withdrawn, nor after the
// event's registration has closed.
func (s *Store) ResendInvitee(ctx context.Context, organizerID int64, ev *domain.Event, id int64, every time.Duration) (*domain.Invitee, error) {
	var out *domain.Invitee
	err := s.inTx(ctx, func(tx *dbTx) error {
		row, err := lockInvitee(ctx, tx, ev.ID, id)
		if err != nil {
			return err
		}
		if err := canResend(row, ev, tx.now, every); err != nil {
			return err
		}
		hash, sealed, err := s.newLink()
		if err != nil {
			return err
		}
		deadline := domain.InviteeDeadline(ev)
		messageID := domain.NewMessageID(s.MailHost, tx.now)
		if err := dropQueuedEmail(ctx, tx, row.MessageID, "superseded by a newer invitation email"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			WITH inv AS (
				UPDATE invitees SET token_hash = $3, message_id = $4, resent_at = $5
				WHERE event_id = $1 AND id = $2
				RETURNING event_id, email, language, trim(first_name || ' ' || last_name) AS name
			)
			INSERT INTO emails (event_id, kind, language, recipient, recipient_name, payload, message_id,
				created_at, next_attempt_at)
			SELECT inv.event_id, $6, inv.language, inv.email, inv.name, $7::jsonb, $4, $5, $5 FROM inv
			RETURNING pg_notify($8, '')`,
			ev.ID, id, hash, messageID, tx.now, domain.EmailParticipantInvitation,
			EmailPayload{SealedToken: sealed, Deadline: &deadline}, NotifyChannel); err != nil {
			return fmt.Errorf("store: resend invitee: %w", unavailable(err))
		}
		out = &row.Invitee
		out.State = domain.InviteeQueued
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: domain.AuditInvitationResend, Detail: domain.AuditDetail{Invitee: id}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// canResend says why row may not be emailed again now, or nil.
func canResend(row *inviteeRow, ev *domain.Event, now time.Time, every time.Duration) error {
	switch row.State {
	case domain.InviteeRegistered:
		return ErrInviteeUsed
	case domain.InviteeDeclined:
		return domain.Errorf(domain.EConflict, "this person declined the invitation")
	case domain.InviteeWithdrawn:
		return domain.Errorf(domain.EConflict, "this invitation was withdrawn")
	}
	if !now.Before(domain.InviteeDeadline(ev)) {
		return domain.Errorf(domain.EConflict, "registration for this event has closed")
	}
	last := row.CreatedAt
	if row.ResentAt != nil {
		last = *row.ResentAt
	}
	if next := last.Add(every); now.Before(next) {
		return &domain.Error{Code: domain.EConflict,
			Message: fmt.Sprintf("this invitation was emailed less than %s ago; it may be emailed again from %s",
				every, next.UTC().Format(time.RFC3339)),
			Extra: map[string]any{"retry_at": next.UTC()}}
	}
	return nil
}

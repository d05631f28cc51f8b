package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// inviteeColumns is the one list of invitee columns every query reads. The
// state is derived: what the person did wins over what the mail did.
const inviteeColumns = `i.id, i.email, i.first_name, i.last_name, coalesce(i.delegation, '') AS delegation,
	i.organization, i.position, i.language, i.focal_point_id IS NOT NULL AS nominated, i.registration_id, i.created_at,
	CASE WHEN i.withdrawn_at IS NOT NULL THEN 'withdrawn'
		WHEN i.declined_at IS NOT NULL THEN 'declined'
		WHEN i.registration_id IS NOT NULL THEN 'registered'
		WHEN i.opened_at IS NOT NULL THEN 'opened'
		WHEN (SELECT m.status FROM emails m WHERE m.message_id = i.message_id) = 'sent' THEN 'sent'
		ELSE 'queued' END AS state`

// ImportInvitees invites the valid rows of checks to ev, in one
// transaction: each new address gets an invitee row and its email, queued
// in the outbox. An address invited before is left as it is and not
// emailed again, so importing the same file twice invites nobody twice.
// With dryRun nothing is written: the answer is what an import would do.
// The checks come back with their outcome for this event.
func (s *Store) ImportInvitees(ctx context.Context, organizerID int64, ev *domain.Event, checks []domain.InviteeCheck, dryRun bool) ([]domain.InviteeCheck, error) {
	out := make([]domain.InviteeCheck, len(checks))
	copy(out, checks)
	err := s.inTx(ctx, func(tx *dbTx) error {
		if dryRun {
			return markInvited(ctx, tx, ev.ID, out)
		}
		invited := 0
		for i := range out {
			if out[i].Outcome != domain.OutcomeInvite {
				continue
			}
			created, err := s.insertInvitee(ctx, tx, ev, out[i].Input, nil)
			if err != nil {
				return err
			}
			if created {
				invited++
			} else {
				out[i].Outcome = domain.OutcomeExists
			}
		}
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: domain.AuditInviteesImport, Detail: domain.AuditDetail{Count: invited}})
	})
	return out, err
}

// markInvited sets the outcome of rows whose address ev has invited before.
func markInvited(ctx context.Context, tx *dbTx, eventID int64, checks []domain.InviteeCheck) error {
	var emails pq.StringArray
	for _, c := range checks {
		if c.Outcome == domain.OutcomeInvite {
			emails = append(emails, strings.ToLower(c.Input.Email))
		}
	}
	var known []string
	if err := tx.SelectContext(ctx, &known, `
		SELECT lower(email) FROM invitees WHERE event_id = $1 AND lower(email) = ANY($2::text[])`,
		eventID, emails); err != nil {
		return fmt.Errorf("store: invited addresses: %w", unavailable(err))
	}
	seen := make(map[string]bool, len(known))
	for _, e := range known {
		seen[e] = true
	}
	for i := range checks {
		if checks[i].Outcome == domain.OutcomeInvite && seen[strings.ToLower(checks[i].Input.Email)] {
			checks[i].Outcome = domain.OutcomeExists
		}
	}
	return nil
}

// insertInvitee invites one person to ev in tx, with their email queued in
// the same statement; it reports false, and queues nothing, when the
// address was invited before. focalPointID names the focal point of a
// nominee.
func (s *Store) insertInvitee(ctx context.Context, tx *dbTx, ev *domain.Event, in domain.InviteeInput, focalPointID *int64) (bool, error) {
	hash, sealed, err := s.newLink()
	if err != nil {
		return false, err
	}
	deadline := domain.InviteeDeadline(ev)
	payload := EmailPayload{SealedToken: sealed, Deadline: &deadline}
	messageID := domain.NewMessageID(s.MailHost, tx.now)
	var delegation *string
	if in.Delegation != "" {
		delegation = &in.Delegation
	}
	var ids []int64
	err = tx.SelectContext(ctx, &ids, `
		WITH inv AS (
			INSERT INTO invitees (event_id, email, first_name, last_name, delegation, organization, position,
				language, focal_point_id, token_hash, message_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (event_id, lower(email)) DO NOTHING
			RETURNING id, email, language, trim(first_name || ' ' || last_name) AS name
		), email AS (
			INSERT INTO emails (event_id, kind, language, recipient, recipient_name, payload, message_id,
				created_at, next_attempt_at)
			SELECT $1, $13, inv.language, inv.email, inv.name, $14::jsonb, $11, $12, $12 FROM inv
			RETURNING 1
		)
		SELECT inv.id FROM inv LEFT JOIN email ON true`,
		ev.ID, in.Email, in.FirstName, in.LastName, delegation, in.Organization, in.Position,
		in.Language, focalPointID, hash, messageID, tx.now,
		domain.EmailParticipantInvitation, payload)
	if err != nil {
		return false, fmt.Errorf("store: insert invitee: %w", unavailable(err))
	}
	tx.queuedEmail = len(ids) > 0 || tx.queuedEmail
	return len(ids) > 0, nil
}

// InviteeLink is what a personal invitation link leads to.
type InviteeLink struct {
	Invitee domain.Invitee
	Event   *domain.Event
}

// OpenInvitation resolves a personal invitation link and records its
// first visit (the "opened" state). An unknown or erased link is
// ENotFound; the event must be published.
func (s *Store) OpenInvitation(ctx context.Context, hash []byte) (*InviteeLink, error) {
	var l *InviteeLink
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `
			UPDATE invitees SET opened_at = $2 WHERE token_hash = $1 AND opened_at IS NULL AND erased_at IS NULL`,
			hash, tx.now); err != nil {
			return fmt.Errorf("store: open invitation: %w", unavailable(err))
		}
		var err error
		l, err = inviteeLink(ctx, tx, hash)
		return err
	})
	return l, err
}

func inviteeLink(ctx context.Context, tx *dbTx, hash []byte) (*InviteeLink, error) {
	var row struct {
		domain.Invitee
		EventID int64 `db:"event_id"`
	}
	err := tx.GetContext(ctx, &row, `
		SELECT `+inviteeColumns+`, i.event_id FROM invitees i WHERE i.token_hash = $1 AND i.erased_at IS NULL`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "this invitation link is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitation link: %w", unavailable(err))
	}
	ev, err := getEvent(ctx, tx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1 AND e.published`, row.EventID)
	if err != nil {
		return nil, err
	}
	return &InviteeLink{Invitee: row.Invitee, Event: ev}, nil
}

// DeclineInvitation records that the person behind a link will not come.
// A link that made a registration cannot be declined (that registration
// is cancelled from its own link); one whose event's registration has
// closed is EGone. A focal point's nominee who declines gives the place
// back to the quota; declining twice changes nothing.
func (s *Store) DeclineInvitation(ctx context.Context, hash []byte) (*InviteeLink, error) {
	var l *InviteeLink
	err := s.inTx(ctx, func(tx *dbTx) error {
		var err error
		if l, err = inviteeLink(ctx, tx, hash); err != nil {
			return err
		}
		if !tx.now.Before(domain.InviteeDeadline(l.Event)) {
			return domain.Errorf(domain.EGone, "this invitation has expired")
		}
		switch l.Invitee.State {
		case domain.InviteeWithdrawn:
			return errInvitationWithdrawn
		case domain.InviteeDeclined:
			return nil
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE invitees SET declined_at = $2
			WHERE token_hash = $1 AND registration_id IS NULL AND withdrawn_at IS NULL AND declined_at IS NULL`, hash, tx.now)
		if err != nil {
			return fmt.Errorf("store: decline invitation: %w", unavailable(err))
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return errInvitationUsed
		}
		l.Invitee.State = domain.InviteeDeclined
		return freeNomination(ctx, tx, l.Invitee.ID)
	})
	return l, err
}

var errInvitationWithdrawn = domain.Errorf(domain.EGone, "this invitation was withdrawn by the organizers")

var errInvitationUsed = domain.Errorf(domain.EConflict, "this invitation has already been used to register")

// ErrInvitationRequired refuses a participant's registration for an
// invitation-only event without a valid personal link. Front ends may
// answer it before calling the store, which checks it again.
var ErrInvitationRequired = domain.Errorf(domain.EInvitationRequired,
	"registration for this event is by invitation only: register through the personal link of your invitation")

// RegisterInvited is Register through a personal invitation link (token as
// the link carries it). The link is checked, and tied to the registration,
// in the registration's transaction.
//
// On an event open to everyone, a link that is not one of its invitations
// (another event's, or a mistyped one) is ignored: it grants nothing there,
// and the form takes anyone; the registration is an ordinary one.
func (s *Store) RegisterInvited(ctx context.Context, ev *domain.Event, reg *domain.Registration, token string) (RegisterResult, error) {
	if !domain.ValidTokenSyntax(token) {
		if !ev.InvitationOnly {
			return s.Register(ctx, ev, reg)
		}
		return RegisterResult{}, ErrInvitationRequired
	}
	return s.register(ctx, ev, reg, registering{by: domain.ByParticipant, invitation: domain.HashToken(token)})
}

// claimInvitation is the invitation check of a participant's registration,
// run in its transaction once the registration is stored: an
// invitation-only event needs a link; a link must be ev's, not declined,
// and not used by another registration; and it is tied to this one, so
// that a second registration through it, even a concurrent one, is
// refused. A refusal rolls the whole registration back. Organizers
// (walk-ins, imports) are not asked for an invitation.
func claimInvitation(ctx context.Context, tx *dbTx, ev *domain.Event, how registering, reg *domain.Registration) error {
	if how.by != domain.ByParticipant {
		return nil
	}
	if how.invitation == nil {
		if ev.InvitationOnly {
			return ErrInvitationRequired
		}
		return nil
	}
	var claimed []int64
	if err := tx.SelectContext(ctx, &claimed, `
		UPDATE invitees SET registration_id = $3, registered_at = coalesce(registered_at, $4)
		WHERE event_id = $1 AND token_hash = $2 AND declined_at IS NULL AND withdrawn_at IS NULL AND erased_at IS NULL
			AND (registration_id IS NULL OR registration_id = $3)
		RETURNING id`, ev.ID, how.invitation, reg.ID, tx.now); err != nil {
		return fmt.Errorf("store: claim invitation: %w", unavailable(err))
	}
	if len(claimed) > 0 {
		return nil
	}
	var why struct {
		Declined  bool `db:"declined"`
		Withdrawn bool `db:"withdrawn"`
		Used      bool `db:"used"`
	}
	err := tx.GetContext(ctx, &why, `
		SELECT declined_at IS NOT NULL AS declined, withdrawn_at IS NOT NULL AS withdrawn, registration_id IS NOT NULL AS used
		FROM invitees WHERE event_id = $1 AND token_hash = $2 AND erased_at IS NULL`, ev.ID, how.invitation)
	switch {
	case errors.Is(err, sql.ErrNoRows) && !ev.InvitationOnly:
		return nil // not this event's invitation: an ordinary registration
	case errors.Is(err, sql.ErrNoRows):
		return ErrInvitationRequired
	case err != nil:
		return fmt.Errorf("store: invitation: %w", unavailable(err))
	case why.Withdrawn && !why.Used:
		return errInvitationWithdrawn
	case why.Declined:
		return domain.Errorf(domain.EGone, "this invitation was declined")
	}
	return errInvitationUsed
}

// eraseInvitees anonymizes the invitations matched by where (a condition
// on invitees, with $1 its argument) and their emails: the person's
// names, address, employer and position go; the delegation and the states
// stay for the statistics; the link stops working.
func eraseInvitees(ctx context.Context, tx *dbTx, where string, arg any, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `
		WITH gone AS (
			UPDATE invitees SET email = 'erased-invitee-' || id || '`+erasedAddress+`', first_name = '', last_name = '',
				organization = '', position = '', token_hash = sha256(token_hash || '\x00'::bytea || id::text::bytea),
				erased_at = $2
			WHERE erased_at IS NULL AND (`+where+`)
			RETURNING message_id
		)
		UPDATE emails SET recipient = 'erased@erased.invalid', recipient_name = '', payload = '{}',
			status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END,
			last_error = CASE WHEN status IN ('queued', 'sending') OR last_error IS NOT NULL
				THEN 'recipient erased' END,
			locked_until = NULL
		WHERE message_id IN (SELECT message_id FROM gone)`, arg, now); err != nil {
		return fmt.Errorf("store: erase invitees: %w", unavailable(err))
	}
	return nil
}

// EraseExpiredInvitees applies each event's retention period to its
// invitations, as EraseExpired does to its registrations, and says how
// many it erased.
func (s *Store) EraseExpiredInvitees(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &n, `
			SELECT count(*) FROM invitees i JOIN events e ON e.id = i.event_id
			WHERE i.erased_at IS NULL AND NOT e.retention_exempt
				AND (e.ends_on + e.retention_days) < ($1::timestamptz AT TIME ZONE e.timezone)::date`, tx.now); err != nil {
			return fmt.Errorf("store: count expired invitees: %w", unavailable(err))
		}
		return eraseInvitees(ctx, tx, `event_id IN (SELECT e.id FROM events e WHERE NOT e.retention_exempt
			AND (e.ends_on + e.retention_days) < ($1::timestamptz AT TIME ZONE e.timezone)::date)`, tx.now, tx.now)
	})
	return n, err
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
)

// Membership returns an event of the organizer's team and the organizer's
// role on it. An event they are not on is not found, whatever their
// role elsewhere: front ends decide with domain.TeamRole.Can what the role
// allows.
func (s *Store) Membership(ctx context.Context, organizerID int64, slug string) (*domain.Event, domain.TeamRole, error) {
	var row struct {
		eventRow
		Role domain.TeamRole `db:"role"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT `+eventColumns+`, eo.role FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
		WHERE e.slug = $1`, slug, organizerID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such event")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: membership: %w", unavailable(err))
	}
	return row.event(), row.Role, nil
}

const memberColumns = `o.id AS organizer_id, o.email, o.name, eo.role, eo.added_at,
	(o.password_hash IS NULL) AS invited`

// Members lists an event's team: the owner first, then by when they were
// added.
func (s *Store) Members(ctx context.Context, eventID int64) ([]domain.Member, error) {
	out := []domain.Member{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT `+memberColumns+` FROM event_organizers eo JOIN organizers o ON o.id = eo.organizer_id
		WHERE eo.event_id = $1
		ORDER BY eo.role <> 'owner', eo.added_at, o.id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", unavailable(err))
	}
	return out, nil
}

// AddMemberResult says what AddMember did.
type AddMemberResult struct {
	Member  domain.Member
	Created bool // a new member; false: an existing one got the role
	// Invited is true when an invitation email was queued: the person has
	// no password yet.
	Invited bool
}

// AddMember puts the person with the address on the event's team with the
// role, or gives an existing member the role, in one transaction with its
// audit entry. Someone without an account gets one, without a password,
// and everyone without a password gets an invitation email whose link
// (valid for Store.InvitationTTL, used once) sets it; an earlier unused
// invitation to the same event stops working. The owner's role cannot be
// changed.
func (s *Store) AddMember(ctx context.Context, actorID int64, ev *domain.Event, m domain.NewMember) (AddMemberResult, error) {
	var res AddMemberResult
	err := s.inTx(ctx, func(tx *dbTx) error {
		// The event's row lock puts concurrent team changes in a line.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`, ev.ID); err != nil {
			return fmt.Errorf("store: lock event: %w", unavailable(err))
		}
		var account struct {
			ID       int64  `db:"id"`
			Name     string `db:"name"`
			Password bool   `db:"has_password"`
		}
		// A new account is named by its address until its owner sets a
		// name with the invitation.
		err := tx.GetContext(ctx, &account, `
			INSERT INTO organizers (email, name, created_at, updated_at) VALUES ($1, $1, $2, $2)
			ON CONFLICT (lower(email)) DO UPDATE SET updated_at = organizers.updated_at
			RETURNING id, name, password_hash IS NOT NULL AS has_password`, m.Email, tx.now)
		if err != nil {
			return fmt.Errorf("store: member account: %w", unavailable(err))
		}
		var previous domain.TeamRole
		err = tx.GetContext(ctx, &previous, `
			SELECT role FROM event_organizers WHERE event_id = $1 AND organizer_id = $2 FOR NO KEY UPDATE`,
			ev.ID, account.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res.Created = true
			_, err = tx.ExecContext(ctx, `
				INSERT INTO event_organizers (event_id, organizer_id, role, added_at) VALUES ($1, $2, $3, $4)`,
				ev.ID, account.ID, m.Role, tx.now)
		case err != nil:
		case previous == domain.RoleOwner:
			return &domain.Error{Code: domain.EConflict, Message: "the owner of the event keeps that role",
				Fields: []domain.FieldError{{Field: "email", Code: "owner", Message: "This is the event's owner, whose role cannot be changed."}}}
		default:
			_, err = tx.ExecContext(ctx, `
				UPDATE event_organizers SET role = $3 WHERE event_id = $1 AND organizer_id = $2`,
				ev.ID, account.ID, m.Role)
		}
		if err != nil {
			return fmt.Errorf("store: add member: %w", unavailable(err))
		}
		if res.Created || previous != m.Role {
			action := domain.AuditMemberAdd
			if !res.Created {
				action = domain.AuditMemberRole
			}
			if err := insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &actorID, Action: action,
				MemberID: &account.ID, Detail: domain.AuditDetail{Role: m.Role}}); err != nil {
				return err
			}
		}
		if !account.Password {
			lang := m.Language
			if lang == "" {
				lang = ev.Languages[0]
			}
			if err := s.invite(ctx, tx, ev, account.ID, m.Email, account.Name, lang, m.Role); err != nil {
				return err
			}
			res.Invited = true
		}
		return tx.GetContext(ctx, &res.Member, `
			SELECT `+memberColumns+` FROM event_organizers eo JOIN organizers o ON o.id = eo.organizer_id
			WHERE eo.event_id = $1 AND eo.organizer_id = $2`, ev.ID, account.ID)
	})
	return res, err
}

// RemoveMember takes the person with the address off the event's team,
// with its audit entry. Their account stays (they may be on other teams);
// their unused invitation to this event stops working. The owner cannot be
// removed.
func (s *Store) RemoveMember(ctx context.Context, actorID int64, ev *domain.Event, email string) error {
	if domain.HasControl(email) { // no address on a team has these; PostgreSQL would refuse them
		return domain.Errorf(domain.ENotFound, "no member with this address")
	}
	return s.inTx(ctx, func(tx *dbTx) error {
		var gone struct {
			OrganizerID int64           `db:"organizer_id"`
			Role        domain.TeamRole `db:"role"`
		}
		err := tx.GetContext(ctx, &gone, `
			SELECT eo.organizer_id, eo.role FROM event_organizers eo JOIN organizers o ON o.id = eo.organizer_id
			WHERE eo.event_id = $1 AND lower(o.email) = lower($2) FOR NO KEY UPDATE OF eo`, ev.ID, email)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no member with this address")
		}
		if err != nil {
			return fmt.Errorf("store: find member: %w", unavailable(err))
		}
		if gone.Role == domain.RoleOwner {
			return domain.Errorf(domain.EConflict, "the owner of the event cannot be removed from its team")
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM event_organizers WHERE event_id = $1 AND organizer_id = $2`, ev.ID, gone.OrganizerID); err != nil {
			return fmt.Errorf("store: remove member: %w", unavailable(err))
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE invitations SET used_at = $3 WHERE event_id = $1 AND organizer_id = $2 AND used_at IS NULL`,
			ev.ID, gone.OrganizerID, tx.now); err != nil {
			return fmt.Errorf("store: withdraw invitation: %w", unavailable(err))
		}
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &actorID, Action: domain.AuditMemberRemove,
			MemberID: &gone.OrganizerID})
	})
}

// defaultInvitationTTL is how long an invitation works when the Store is
// not told otherwise.
const defaultInvitationTTL = 7 * 24 * time.Hour

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

// invite makes a new invitation for a team member without a password and
// queues its email, in tx. Earlier unused invitations of the same person to
// the same event stop working, so only the newest link does.
func (s *Store) invite(ctx context.Context, tx *dbTx, ev *domain.Event, organizerID int64, email, name, lang string, role domain.TeamRole) error {
	hash, sealed, err := s.newLink()
	if err != nil {
		return err
	}
	expires := tx.now.Add(s.InvitationTTL)
	if _, err := tx.ExecContext(ctx, `
		UPDATE invitations SET used_at = $3 WHERE event_id = $1 AND organizer_id = $2 AND used_at IS NULL`,
		ev.ID, organizerID, tx.now); err != nil {
		return fmt.Errorf("store: withdraw invitation: %w", unavailable(err))
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO invitations (token_hash, organizer_id, event_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, organizerID, ev.ID, tx.now, expires); err != nil {
		return fmt.Errorf("store: insert invitation: %w", unavailable(err))
	}
	if name == email {
		name = "" // the placeholder name of an account nobody has named yet
	}
	payload := EmailPayload{SealedToken: sealed, Deadline: &expires, Role: role}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO emails (event_id, kind, language, recipient, recipient_name, payload, message_id, created_at, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $8)`,
		ev.ID, domain.EmailInvitation, lang, email, name, payload, domain.NewMessageID(s.MailHost, tx.now), tx.now); err != nil {
		return fmt.Errorf("store: queue invitation: %w", unavailable(err))
	}
	tx.queuedEmail = true
	return nil
}

// Invitation is what the page behind an invitation link shows.
type Invitation struct {
	Email     string          `db:"email"`
	EventSlug string          `db:"slug"`
	Role      domain.TeamRole `db:"role"`
	ExpiresAt time.Time       `db:"expires_at"`

	// Title and Translations are the event's; EventTitle picks a language.
	Title        string            `db:"title"`
	Translations translationsValue `db:"translations"`
}

// EventTitle is the event's title in lang, where it has one.
func (i *Invitation) EventTitle(lang string) string {
	if t := i.Translations[lang].Title; t != "" {
		return t
	}
	return i.Title
}

// errInvitationGone is the answer to a used, withdrawn or expired link.
var errInvitationGone = domain.Errorf(domain.EGone, "this invitation has been used or has expired; ask the event's owner for a new one")

// InvitationByToken finds the invitation behind a link by its token's hash.
// Unknown links are ENotFound; used, withdrawn and expired ones EGone, as is
// one whose account has a password by now.
func (s *Store) InvitationByToken(ctx context.Context, hash []byte) (*Invitation, error) {
	inv, _, err := invitationByToken(ctx, s.db, hash, false, s.Now())
	return inv, err
}

func invitationByToken(ctx context.Context, q sqlx.QueryerContext, hash []byte, lock bool, now time.Time) (*Invitation, int64, error) {
	var row struct {
		Invitation
		OrganizerID int64      `db:"organizer_id"`
		UsedAt      *time.Time `db:"used_at"`
		HasPassword bool       `db:"has_password"`
	}
	query := `
		SELECT o.email, e.title, e.translations, e.slug, coalesce(eo.role, 'door') AS role, i.expires_at, i.organizer_id, i.used_at,
			o.password_hash IS NOT NULL AS has_password
		FROM invitations i
		JOIN organizers o ON o.id = i.organizer_id
		JOIN events e ON e.id = i.event_id
		LEFT JOIN event_organizers eo ON eo.event_id = i.event_id AND eo.organizer_id = i.organizer_id
		WHERE i.token_hash = $1`
	if lock {
		query += ` FOR NO KEY UPDATE OF i`
	}
	err := sqlx.GetContext(ctx, q, &row, query, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, domain.Errorf(domain.ENotFound, "no such invitation")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: invitation: %w", unavailable(err))
	}
	if row.UsedAt != nil || !now.Before(row.ExpiresAt) || row.HasPassword {
		return nil, 0, errInvitationGone
	}
	return &row.Invitation, row.OrganizerID, nil
}

// AcceptInvitation sets the invited account's name and password hash and
// uses the invitation up, in one transaction: a second use of the link,
// even a concurrent one, is EGone.
func (s *Store) AcceptInvitation(ctx context.Context, hash []byte, name, passwordHash string) (*domain.Organizer, error) {
	var o domain.Organizer
	err := s.inTx(ctx, func(tx *dbTx) error {
		_, organizerID, err := invitationByToken(ctx, tx, hash, true, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = $2 WHERE token_hash = $1`, hash, tx.now); err != nil {
			return fmt.Errorf("store: use invitation: %w", unavailable(err))
		}
		err = tx.GetContext(ctx, &o, `
			UPDATE organizers SET name = $2, password_hash = $3, updated_at = $4
			WHERE id = $1 AND password_hash IS NULL
			RETURNING id, email, name, created_at`, organizerID, name, passwordHash, tx.now)
		if errors.Is(err, sql.ErrNoRows) {
			return errInvitationGone // a password was set meanwhile
		}
		if err != nil {
			return fmt.Errorf("store: accept invitation: %w", unavailable(err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
)

// SetPassword sets an organizer's password hash and, in the same
// transaction, revokes every session they have, so a changed password locks
// out whoever knew the old one.
func (s *Store) SetPassword(ctx context.Context, organizerID int64, hash string) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE organizers SET password_hash = $2, updated_at = $3 WHERE id = $1`, organizerID, hash, tx.now)
		if err != nil {
			return fmt.Errorf("store: set password: %w", unavailable(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENotFound, "no such organizer")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE organizer_id = $1`, organizerID); err != nil {
			return fmt.Errorf("store: revoke sessions: %w", unavailable(err))
		}
		return nil
	})
}

// PasswordHash returns the organizer with email and their password hash
// ("" when none is set). An unknown email is ENotFound.
func (s *Store) PasswordHash(ctx context.Context, email string) (*domain.Organizer, string, error) {
	var row struct {
		domain.Organizer
		Hash sql.NullString `db:"password_hash"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT id, email, name, created_at, password_hash FROM organizers WHERE lower(email) = lower($1)`, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", domain.Errorf(domain.ENotFound, "no such organizer")
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: password hash: %w", unavailable(err))
	}
	return &row.Organizer, row.Hash.String, nil
}

// CreateSession stores the hash of a new session token.
func (s *Store) CreateSession(ctx context.Context, organizerID int64, hash []byte, ttl time.Duration) error {
	now := s.Now()
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (token_hash, organizer_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)`,
		hash, organizerID, now, now.Add(ttl))
	if err != nil {
		return fmt.Errorf("store: create session: %w", unavailable(err))
	}
	return nil
}

// OrganizerBySession authenticates a session cookie by its hash. Expired
// or unknown sessions are EUnauthorized.
func (s *Store) OrganizerBySession(ctx context.Context, hash []byte) (*domain.Organizer, error) {
	var o domain.Organizer
	err := s.db.GetContext(ctx, &o, `
		SELECT o.id, o.email, o.name, o.created_at
		FROM sessions se JOIN organizers o ON o.id = se.organizer_id
		WHERE se.token_hash = $1 AND se.expires_at > $2`, hash, s.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", unavailable(err))
	}
	return &o, nil
}

// DeleteSession revokes one session (logout).
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash); err != nil {
		return fmt.Errorf("store: delete session: %w", unavailable(err))
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry (periodic job).
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, s.Now())
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", unavailable(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

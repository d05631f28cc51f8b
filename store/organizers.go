package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attend/attend/domain"
)

// CreateOrganizer adds an organizer account; an existing email is a conflict.
func (s *Store) CreateOrganizer(ctx context.Context, o *domain.Organizer) error {
	err := s.db.QueryRowxContext(ctx, `
		INSERT INTO organizers (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
		RETURNING id, created_at`, o.Email, o.Name, s.Now()).Scan(&o.ID, &o.CreatedAt)
	if isUniqueViolation(err, "organizers_email_key") {
		return domain.Errorf(domain.EConflict, "an organizer with email %s already exists", o.Email)
	}
	if err != nil {
		return fmt.Errorf("store: insert organizer: %w", unavailable(err))
	}
	return nil
}

// EnsureOrganizer returns the organizer with o's email, creating it if needed.
func (s *Store) EnsureOrganizer(ctx context.Context, o *domain.Organizer) error {
	err := s.db.QueryRowxContext(ctx, `
		INSERT INTO organizers (email, name, created_at, updated_at) VALUES ($1, $2, $3, $3)
		ON CONFLICT (lower(email)) DO UPDATE SET updated_at = organizers.updated_at
		RETURNING id, email, name, created_at`, o.Email, o.Name, s.Now()).Scan(&o.ID, &o.Email, &o.Name, &o.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: ensure organizer: %w", unavailable(err))
	}
	return nil
}

// OrganizerByEmail finds an organizer, case-insensitively.
func (s *Store) OrganizerByEmail(ctx context.Context, email string) (*domain.Organizer, error) {
	var o domain.Organizer
	err := s.db.GetContext(ctx, &o, `
		SELECT id, email, name, created_at FROM organizers WHERE lower(email) = lower($1)`, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no organizer with email %s", email)
	}
	if err != nil {
		return nil, fmt.Errorf("store: organizer by email: %w", unavailable(err))
	}
	return &o, nil
}

// CreateAPIToken stores the hash of a new API token for the organizer.
func (s *Store) CreateAPIToken(ctx context.Context, organizerID int64, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO api_tokens (organizer_id, token_hash, created_at) VALUES ($1, $2, $3)`, organizerID, hash, s.Now())
	if err != nil {
		return fmt.Errorf("store: insert api token: %w", unavailable(err))
	}
	return nil
}

// OrganizerByTokenHash authenticates an API token by its hash and records
// its use. An unknown hash is EUnauthorized, never ENotFound.
func (s *Store) OrganizerByTokenHash(ctx context.Context, hash []byte) (*domain.Organizer, error) {
	var o domain.Organizer
	err := s.db.GetContext(ctx, &o, `
		WITH t AS (
			UPDATE api_tokens SET last_used_at = $2
			WHERE token_hash = $1
			  AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
			RETURNING organizer_id
		)
		SELECT o.id, o.email, o.name, o.created_at
		FROM organizers o JOIN api_tokens a ON a.organizer_id = o.id
		WHERE a.token_hash = $1`, hash, s.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("store: organizer by token: %w", unavailable(err))
	}
	return &o, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Webhook endpoints belong to the organizer who registered them; another
// organizer's endpoint is not found. Deliveries are written by database
// triggers (migration 00016) in the transaction of the change they report,
// so no use case here or in register.go queues them by hand.

const webhookColumns = `w.id, w.organizer_id, w.event_id, e.slug AS event_slug, w.url, w.event_types,
	w.include_personal_data, w.active, w.consecutive_failures, w.failing_since, w.disabled_at,
	w.created_at, w.updated_at`

const webhookFrom = ` FROM webhook_endpoints w LEFT JOIN events e ON e.id = w.event_id`

type webhookRow struct {
	domain.Webhook
	Types pq.StringArray `db:"event_types"`
}

func (r *webhookRow) webhook() *domain.Webhook {
	w := r.Webhook
	w.EventTypes = []string(r.Types)
	return &w
}

// CreateWebhook registers an endpoint for the organizer, for every event
// they run (eventID nil) or one of them, and returns it with its signing
// secret: the only time the secret is shown. The secret is stored sealed
// with SECRET_KEY, since the sender must read it back to sign. An
// organizer with limit endpoints already gets a conflict: every
// registration is posted to each of them. limit 0 means no limit.
func (s *Store) CreateWebhook(ctx context.Context, organizerID int64, eventID *int64, ch domain.WebhookChange, limit int) (*domain.Webhook, string, error) {
	secret, sealed, err := s.newWebhookSecret()
	if err != nil {
		return nil, "", err
	}
	personal := ch.IncludePersonalData != nil && *ch.IncludePersonalData
	var id int64
	err = s.inTx(ctx, func(tx *dbTx) error {
		// The organizer's row lock makes the count hold against
		// concurrent creations.
		var n int
		if err := tx.GetContext(ctx, &n, `
			SELECT (SELECT count(*) FROM webhook_endpoints w WHERE w.organizer_id = o.id)
			FROM organizers o WHERE o.id = $1 FOR NO KEY UPDATE`, organizerID); err != nil {
			return fmt.Errorf("store: count webhooks: %w", unavailable(err))
		}
		if limit > 0 && n >= limit {
			return domain.Errorf(domain.EConflict, "you have %d webhook endpoints, the most allowed; delete one first", n)
		}
		err := tx.GetContext(ctx, &id, `
			INSERT INTO webhook_endpoints (organizer_id, event_id, url, event_types, include_personal_data,
				secret_sealed, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			organizerID, eventID, *ch.URL, pq.StringArray(ch.EventTypes), personal, sealed, tx.now)
		if err != nil {
			return fmt.Errorf("store: create webhook: %w", unavailable(err))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	w, err := s.Webhook(ctx, organizerID, id)
	return w, secret, err
}

// Webhooks lists the organizer's endpoints, oldest first.
func (s *Store) Webhooks(ctx context.Context, organizerID int64) ([]*domain.Webhook, error) {
	var rows []webhookRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+webhookColumns+webhookFrom+`
		WHERE w.organizer_id = $1 ORDER BY w.id`, organizerID)
	if err != nil {
		return nil, fmt.Errorf("store: list webhooks: %w", unavailable(err))
	}
	out := make([]*domain.Webhook, len(rows))
	for i := range rows {
		out[i] = rows[i].webhook()
	}
	return out, nil
}

// Webhook returns one of the organizer's endpoints.
func (s *Store) Webhook(ctx context.Context, organizerID, id int64) (*domain.Webhook, error) {
	var row webhookRow
	err := s.db.GetContext(ctx, &row, `SELECT `+webhookColumns+webhookFrom+`
		WHERE w.id = $1 AND w.organizer_id = $2`, id, organizerID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such webhook")
	}
	if err != nil {
		return nil, fmt.Errorf("store: webhook: %w", unavailable(err))
	}
	return row.webhook(), nil
}

// UpdateWebhook changes an endpoint. Enabling one (active true) starts its
// count of failures afresh, and what waited in its queue is sent again.
func (s *Store) UpdateWebhook(ctx context.Context, organizerID, id int64, ch domain.WebhookChange) (*domain.Webhook, error) {
	var types any
	if ch.EventTypes != nil {
		types = pq.StringArray(ch.EventTypes)
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE webhook_endpoints SET
			url = coalesce($3, url),
			event_types = coalesce($4, event_types),
			include_personal_data = coalesce($5, include_personal_data),
			active = coalesce($6, active),
			consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END,
			failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
			disabled_at = CASE WHEN $6 THEN NULL WHEN NOT $6 AND active THEN $7 ELSE disabled_at END,
			updated_at = $7
		WHERE id = $1 AND organizer_id = $2`,
		id, organizerID, ch.URL, types, ch.IncludePersonalData, ch.Active, s.Now())
	if err != nil {
		return nil, fmt.Errorf("store: update webhook: %w", unavailable(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, domain.Errorf(domain.ENotFound, "no such webhook")
	}
	return s.Webhook(ctx, organizerID, id)
}

// RotateWebhookSecret gives an endpoint a new signing secret and returns
// it, shown this once. Deliveries from then on, retries included, are
// signed with it; the old one stops working at once.
func (s *Store) RotateWebhookSecret(ctx context.Context, organizerID, id int64) (string, error) {
	secret, sealed, err := s.newWebhookSecret()
	if err != nil {
		return "", err
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE webhook_endpoints SET secret_sealed = $3, updated_at = $4 WHERE id = $1 AND organizer_id = $2`,
		id, organizerID, sealed, s.Now())
	if err != nil {
		return "", fmt.Errorf("store: rotate webhook secret: %w", unavailable(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", domain.Errorf(domain.ENotFound, "no such webhook")
	}
	return secret, nil
}

// newWebhookSecret makes a signing secret and its sealed form.
func (s *Store) newWebhookSecret() (secret, sealed string, err error) {
	if s.Sealer == nil {
		return "", "", errors.New("store: no sealer configured for webhook secrets")
	}
	if secret, err = domain.NewWebhookSecret(); err != nil {
		return "", "", err
	}
	if sealed, err = s.Sealer.Seal(secret); err != nil {
		return "", "", fmt.Errorf("store: seal webhook secret: %w", err)
	}
	return secret, sealed, nil
}

// DeleteWebhook removes an endpoint and its deliveries.
func (s *Store) DeleteWebhook(ctx context.Context, organizerID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = $1 AND organizer_id = $2`, id, organizerID)
	if err != nil {
		return fmt.Errorf("store: delete webhook: %w", unavailable(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ENotFound, "no such webhook")
	}
	return nil
}

// Delivery is one row of the webhook outbox as organizers see it: what it
// reports, where it stands and the endpoint's last answer.
type Delivery struct {
	ID             string     `json:"id" db:"id"`
	Type           string     `json:"type" db:"type"`
	Event          string     `json:"event" db:"event_slug"`
	RegistrationID *string    `json:"registration_id" db:"registration_id"`
	Status         string     `json:"status" db:"status"`
	Attempts       int        `json:"attempts" db:"attempts"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
	NextAttemptAt  *time.Time `json:"next_attempt_at" db:"next_attempt_at"`
	LastAttemptAt  *time.Time `json:"last_attempt_at" db:"last_attempt_at"`
	LastStatusCode *int       `json:"last_status_code" db:"last_status_code"`
	LastResponse   *string    `json:"last_response" db:"last_response"`
	LastError      *string    `json:"last_error" db:"last_error"`
	DeliveredAt    *time.Time `json:"delivered_at" db:"delivered_at"`
}

// WebhookDeliveries lists an endpoint's deliveries, newest first,
// optionally by status. The endpoint must be the organizer's.
func (s *Store) WebhookDeliveries(ctx context.Context, organizerID, id int64, status string, limit int) ([]*Delivery, error) {
	if _, err := s.Webhook(ctx, organizerID, id); err != nil {
		return nil, err
	}
	out := []*Delivery{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT d.id, d.type, e.slug AS event_slug, d.registration_id, d.status, d.attempts, d.created_at,
			CASE WHEN d.status IN ('queued', 'sending') AND d.next_attempt_at > '-infinity' THEN d.next_attempt_at END
				AS next_attempt_at,
			d.last_attempt_at, d.last_status_code, d.last_response, d.last_error, d.delivered_at
		FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
		WHERE d.endpoint_id = $1 AND ($2 = '' OR d.status = $2)
		ORDER BY d.created_at DESC, d.id LIMIT $3`, id, status, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", unavailable(err))
	}
	return out, nil
}
